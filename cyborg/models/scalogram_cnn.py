"""Complex Morlet scalogram computed inside the model, then a small 2-D CNN (after KIM2, CHALLENGE.md 2.9)."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from cyborg.errors import CyborgError
from cyborg.models._common import TemporalHead, check_signal_args, pool_lengths, resolve_input_transform
from cyborg.models.registry import register_model
from cyborg.validation import fail


def morlet_frequencies(sfreq: float, n_freqs: int, f_min: float, f_max: float,
                       nyquist_fraction: float = 0.9) -> np.ndarray:
    """Log-spaced centre frequencies from ``f_min`` to ``f_max``, capped below Nyquist.

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    n_freqs : int
        Number of frequencies.
    f_min, f_max : float
        Lowest and highest wanted frequency in Hz.
    nyquist_fraction : float
        ``f_max`` is lowered to ``nyquist_fraction * sfreq / 2`` when above it.

    Returns
    -------
    freqs : np.ndarray, shape (n_freqs,)
        Frequencies in Hz, ascending.
    """
    top = min(f_max, nyquist_fraction * sfreq / 2)
    if not 0 < f_min < top:
        fail("morlet_frequencies", "f_min", f"a frequency in (0, {top:g}) Hz (f_max capped below Nyquist)",
             f"{f_min:g} Hz", CyborgError)
    return np.geomspace(f_min, top, n_freqs)


class MorletScalogram(nn.Module):
    """Fixed complex Morlet filter bank: magnitude of each channel at each frequency, pooled in time.

    The kernels are built once with numpy (not trainable, not saved in the state
    dict); the forward pass is plain torch convolutions, so it traces and exports.

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    freqs : array-like, shape (n_freqs,)
        Centre frequencies in Hz (see :func:`morlet_frequencies`).
    n_times : int
        Input samples (bounds the kernel length and sets the stride).
    n_cycles : float
        Wavelet width: the Gaussian envelope has standard deviation
        ``n_cycles / (2 pi f)`` seconds (as in MNE); kernels span +-3 standard
        deviations, cut at ``n_times`` samples either side.
    n_time_bins : int
        Time bins of the output grid (magnitudes are averaged into them).
    oversample : int
        The convolution stride is ``n_times // (n_time_bins * oversample)``, so
        each bin averages about ``oversample`` magnitude samples.

    Notes
    -----
    Input ``(batch, n_chans, n_times)``, output ``(batch, n_chans, n_freqs, n_time_bins)``
    in the input's unit: a sinusoid of amplitude A at a centre frequency gives a
    magnitude of about A there (away from the edges). The input is zero-padded at
    both ends, so edge bins see less signal. Squared magnitudes are floored at
    ``1e-20`` (squared input units) so gradients stay finite on flat input.
    """

    def __init__(self, sfreq: float, freqs: np.ndarray, n_times: int, n_cycles: float = 5.0,
                 n_time_bins: int = 32, oversample: int = 4) -> None:
        super().__init__()
        self.freqs = np.asarray(freqs, dtype=float)
        self.stride = max(1, n_times // (n_time_bins * oversample))
        self.kernel_names = []
        for i, freq in enumerate(self.freqs):
            sigma = n_cycles / (2 * math.pi * freq)
            half = min(n_times, math.ceil(3 * sigma * sfreq))
            t = np.arange(-half, half + 1) / sfreq
            envelope = np.exp(-t ** 2 / (2 * sigma ** 2))
            wavelet = 2 * envelope * np.exp(2j * math.pi * freq * t) / envelope.sum()
            kernel = torch.tensor(np.stack([wavelet.real, wavelet.imag])[:, None, :], dtype=torch.float32)
            self.register_buffer(f"kernel_{i}", kernel, persistent=False)
            self.kernel_names.append(f"kernel_{i}")
        self.pool = nn.AdaptiveAvgPool1d(n_time_bins)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to magnitudes ``(batch, n_chans, n_freqs, n_time_bins)``."""
        batch, n_chans, n_times = signal.shape
        flat = signal.reshape(batch * n_chans, 1, n_times)
        magnitudes = []
        for name in self.kernel_names:
            kernel = getattr(self, name)
            parts = F.conv1d(flat, kernel, stride=self.stride, padding=kernel.shape[-1] // 2)
            magnitudes.append(parts.square().sum(1).clamp_min(1e-20).sqrt())
        pooled = self.pool(torch.stack(magnitudes, 1))
        return pooled.reshape(batch, n_chans, len(self.kernel_names), -1)


@register_model("scalogram_cnn", kind="emg")
class ScalogramCNN(nn.Module):
    """Morlet scalogram (fixed) -> amplitude compression -> normalisation -> small 2-D CNN -> temporal head.

    Parameters
    ----------
    n_chans : int
        Input channels (they become the image channels).
    n_times : int
        Input samples.
    n_outputs : int
        Output values (e.g. 30 steps x 3 axes = 90; the caller reshapes).
    sfreq : float
        Sampling rate in Hz.
    n_freqs : int
        Log-spaced wavelet frequencies.
    f_min, f_max : float
        Frequency range in Hz; ``f_max`` is capped at 0.9 x Nyquist.
    n_cycles : float
        Morlet width (see :class:`MorletScalogram`).
    n_time_bins : int
        Time bins of the scalogram grid.
    amplitude_power : float
        Magnitudes are raised to this power (0.5: square root, as KIM2).
    widths : tuple of int
        Filters of the 2-D conv blocks; each but the last halves frequency and time.
    n_head_frames : int
        Frames the CNN output is averaged onto (over frequency, too) before the linear head.
    dropout : float
        Dropout probability before the head.
    input_transform : nn.Module | None
        Optional first layer (see :mod:`cyborg.models.transforms`).

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32, output ``(batch, n_outputs)``.
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float, n_freqs: int = 24,
                 f_min: float = 10.0, f_max: float = 450.0, n_cycles: float = 5.0, n_time_bins: int = 32,
                 amplitude_power: float = 0.5, widths: tuple[int, ...] = (32, 64, 64), n_head_frames: int = 8,
                 dropout: float = 0.2, input_transform: nn.Module | None = None) -> None:
        super().__init__()
        check_signal_args("scalogram_cnn", n_chans, n_times, n_outputs, sfreq)
        self.input_transform, n_in = resolve_input_transform("scalogram_cnn", n_chans, input_transform)
        self.scalogram = MorletScalogram(sfreq, morlet_frequencies(sfreq, n_freqs, f_min, f_max), n_times,
                                         n_cycles, n_time_bins)
        self.amplitude_power = amplitude_power
        self.normalise = nn.BatchNorm1d(n_in * n_freqs)
        pools = pool_lengths(min(n_freqs, n_time_bins), [2] * (len(widths) - 1)) + [1]
        layers: list[nn.Module] = []
        for width, pool in zip(widths, pools):
            layers += [nn.Conv2d(n_in, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU(),
                       nn.MaxPool2d(pool)]
            n_in = width
        self.cnn = nn.Sequential(*layers)
        self.head = TemporalHead(n_in, n_head_frames, n_outputs, dropout)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        image = self.scalogram(self.input_transform(signal)).pow(self.amplitude_power)
        batch, n_chans, n_freqs, n_bins = image.shape
        image = self.normalise(image.reshape(batch, n_chans * n_freqs, n_bins)).reshape(image.shape)
        return self.head(self.cnn(image).mean(2))
