"""Morlet scalogram computed inside the model, then a ResNet-style 2-D CNN (KIM2's recipe, CHALLENGE.md 2.9).

KIM2 fed a complex-Morlet scalogram (square-rooted, L/R geometric mean) to a
ResNet18 whose stem was changed to stride 1. This model keeps that shape of
network at a size that trains on a CPU: the fixed filter bank of
:mod:`cyborg.models.scalogram_cnn`, a stride-1 stem, a few residual stages, an
average over frequency and a head that keeps coarse time.
"""

from __future__ import annotations

import torch
from torch import nn

from cyborg.errors import CyborgError
from cyborg.models._common import TemporalHead, check_signal_args, resolve_input_transform
from cyborg.models.registry import register_model
from cyborg.models.scalogram_cnn import MorletScalogram, morlet_frequencies
from cyborg.validation import check_option, fail


class ResidualBlock(nn.Module):
    """Two 3x3 convolutions with batch norm and ReLU, added to a shortcut (ResNet's basic block).

    Parameters
    ----------
    n_in, n_out : int
        Input and output feature maps.
    stride : int
        Stride of the first convolution (both image axes); 2 halves frequency and time.

    Notes
    -----
    Input ``(batch, n_in, n_freqs, n_bins)``, output ``(batch, n_out, ceil(n_freqs / stride),
    ceil(n_bins / stride))``. The shortcut is a strided 1x1 convolution with batch norm when
    the shape changes, the identity otherwise.
    """

    def __init__(self, n_in: int, n_out: int, stride: int = 1) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(n_in, n_out, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(n_out), nn.ReLU(),
            nn.Conv2d(n_out, n_out, 3, padding=1, bias=False), nn.BatchNorm2d(n_out))
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or n_in != n_out:
            self.shortcut = nn.Sequential(nn.Conv2d(n_in, n_out, 1, stride=stride, bias=False), nn.BatchNorm2d(n_out))
        self.relu = nn.ReLU()

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.relu(self.body(image) + self.shortcut(image))


#: Where ``input_transform`` is applied: on the raw signal, or on the scalogram magnitudes.
TRANSFORM_STAGES = ("signal", "scalogram")


@register_model("scalogram_resnet", kind="emg")
class ScalogramResNet(nn.Module):
    """Morlet scalogram (fixed) -> amplitude compression -> normalisation -> ResNet -> temporal head.

    Parameters
    ----------
    n_chans : int
        Input channels.
    n_times : int
        Input samples.
    n_outputs : int
        Output values (e.g. 30 steps x 3 axes = 90; the caller reshapes).
    sfreq : float
        Sampling rate in Hz.
    n_freqs : int
        Log-spaced wavelet frequencies (the image height).
    f_min, f_max : float
        Frequency range in Hz; ``f_max`` is capped at 0.9 x Nyquist.
    n_cycles : float
        Morlet width (see :class:`cyborg.models.scalogram_cnn.MorletScalogram`).
    n_time_bins : int
        Time bins of the scalogram grid (the image width).
    amplitude_power : float
        Magnitudes are raised to this power (0.5: square root, as KIM2).
    stem_width : int
        Feature maps of the stem convolution.
    stem_kernel : int
        Odd kernel size of the stem convolution (stride 1; KIM2 ensembled 3 to 13).
    widths : tuple of int
        Feature maps of the residual stages; every stage after the first halves
        frequency and time.
    blocks_per_stage : int
        Residual blocks in each stage.
    n_head_frames : int
        Frames the frequency-averaged features are averaged onto before the linear head.
    dropout : float
        Dropout probability before the head.
    input_transform : nn.Module | None
        Optional channel transform (see :mod:`cyborg.models.transforms`), such as
        the L/R geometric mean that makes mirrored stances look alike.
    transform_stage : {"scalogram", "signal"}
        ``"scalogram"`` applies ``input_transform`` to the magnitudes, each
        frequency and time bin alike (KIM2's sqrt(E_r * E_l) of amplitudes; the
        transform must act on each time sample separately, as those of
        :mod:`cyborg.models.transforms` do); ``"signal"`` applies it to the raw
        input, like the other models.

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32 in the file's unit, output ``(batch, n_outputs)``.
    With the defaults the image is 24 frequencies x 32 time bins, and the head sees
    ``widths[-1]`` features on 8 frames (each about 1/16 of the window).
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float, n_freqs: int = 24,
                 f_min: float = 10.0, f_max: float = 450.0, n_cycles: float = 5.0, n_time_bins: int = 32,
                 amplitude_power: float = 0.5, stem_width: int = 32, stem_kernel: int = 3,
                 widths: tuple[int, ...] = (32, 64, 128), blocks_per_stage: int = 2, n_head_frames: int = 8,
                 dropout: float = 0.2, input_transform: nn.Module | None = None,
                 transform_stage: str = "scalogram") -> None:
        super().__init__()
        check_signal_args("scalogram_resnet", n_chans, n_times, n_outputs, sfreq)
        check_option(transform_stage, TRANSFORM_STAGES, "model 'scalogram_resnet': transform_stage")
        if stem_kernel < 1 or stem_kernel % 2 == 0:
            fail("model 'scalogram_resnet'", "stem_kernel", "an odd positive kernel size", repr(stem_kernel),
                 CyborgError)
        if not widths or blocks_per_stage < 1:
            fail("model 'scalogram_resnet'", "widths, blocks_per_stage",
                 "at least one stage of at least one block", f"{tuple(widths)}, {blocks_per_stage}", CyborgError)
        self.input_transform, n_in = resolve_input_transform("scalogram_resnet", n_chans, input_transform)
        self.transform_stage = transform_stage
        self.scalogram = MorletScalogram(sfreq, morlet_frequencies(sfreq, n_freqs, f_min, f_max), n_times,
                                         n_cycles, n_time_bins)
        self.amplitude_power = amplitude_power
        self.normalise = nn.BatchNorm1d(n_in * n_freqs)
        self.stem = nn.Sequential(nn.Conv2d(n_in, stem_width, stem_kernel, padding=stem_kernel // 2, bias=False),
                                  nn.BatchNorm2d(stem_width), nn.ReLU())
        blocks: list[nn.Module] = []
        n_in = stem_width
        for stage, width in enumerate(widths):
            for block in range(blocks_per_stage):
                blocks.append(ResidualBlock(n_in, width, stride=2 if stage > 0 and block == 0 else 1))
                n_in = width
        self.stages = nn.Sequential(*blocks)
        self.head = TemporalHead(n_in, n_head_frames, n_outputs, dropout)

    def _magnitudes(self, signal: torch.Tensor) -> torch.Tensor:
        """Compressed scalogram ``(batch, n_in, n_freqs, n_time_bins)``, transformed where configured."""
        if self.transform_stage == "signal":
            return self.scalogram(self.input_transform(signal)).pow(self.amplitude_power)
        image = self.scalogram(signal).pow(self.amplitude_power)
        batch, n_chans, n_freqs, n_bins = image.shape
        mixed = self.input_transform(image.reshape(batch, n_chans, n_freqs * n_bins))
        return mixed.reshape(batch, -1, n_freqs, n_bins)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        image = self._magnitudes(signal)
        batch, n_chans, n_freqs, n_bins = image.shape
        image = self.normalise(image.reshape(batch, n_chans * n_freqs, n_bins)).reshape(image.shape)
        features = self.stages(self.stem(image))
        return self.head(features.mean(2))
