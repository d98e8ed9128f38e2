"""Shallow ConvNet / ShallowFBCSPNet (Schirrmeister et al. 2017, Hum. Brain Mapp. 38:5391)."""

from __future__ import annotations

import torch
from torch import nn

from cyborg.models._common import check_signal_args, output_shape, resolve_input_transform, seconds_to_samples
from cyborg.models.registry import register_model


class _SafeLog(nn.Module):
    """Natural logarithm of the input floored at ``eps`` (keeps log-power finite)."""

    def __init__(self, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, power: torch.Tensor) -> torch.Tensor:
        return power.clamp_min(self.eps).log()


class _Square(nn.Module):
    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        return signal * signal


@register_model("shallow_convnet", kind="eeg")
class ShallowConvNet(nn.Module):
    """Filter-bank CSP as a network: temporal conv, spatial conv, square, mean pool, log.

    Parameters
    ----------
    n_chans : int
        Input channels.
    n_times : int
        Input samples.
    n_outputs : int
        Output values.
    sfreq : float
        Sampling rate in Hz.
    n_filters : int
        Temporal and spatial filters (40 in the paper).
    temporal_kernel_s : float
        Temporal kernel length in seconds (25 taps at 250 Hz in the paper).
    pool_s : float
        Mean-pooling window in seconds (75 samples at 250 Hz), clipped to the
        signal left after the temporal convolution.
    pool_stride_s : float
        Mean-pooling stride in seconds (15 samples at 250 Hz).
    dropout : float
        Dropout probability before the classifier.
    input_transform : nn.Module | None
        Optional first layer (see :mod:`cyborg.models.transforms`).

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32, output ``(batch, n_outputs)``.
    The temporal convolution is "valid"; its kernel is clipped to ``n_times`` for
    very short inputs. It has no bias: the batch norm after the (linear) spatial
    convolution would cancel it.
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float,
                 n_filters: int = 40, temporal_kernel_s: float = 0.1, pool_s: float = 0.3,
                 pool_stride_s: float = 0.06, dropout: float = 0.5,
                 input_transform: nn.Module | None = None) -> None:
        super().__init__()
        check_signal_args("shallow_convnet", n_chans, n_times, n_outputs, sfreq)
        self.input_transform, n_in = resolve_input_transform("shallow_convnet", n_chans, input_transform)
        kernel = min(seconds_to_samples(temporal_kernel_s, sfreq), n_times)
        n_after_conv = n_times - kernel + 1
        pool = min(seconds_to_samples(pool_s, sfreq), n_after_conv)
        stride = min(seconds_to_samples(pool_stride_s, sfreq), pool)
        self.features = nn.Sequential(
            nn.Conv2d(1, n_filters, (1, kernel), bias=False),
            nn.Conv2d(n_filters, n_filters, (n_in, 1), bias=False),
            nn.BatchNorm2d(n_filters),
            _Square(),
            nn.AvgPool2d((1, pool), stride=(1, stride)),
            _SafeLog(),
            nn.Dropout(dropout),
            nn.Flatten(),
        )
        (n_features,) = output_shape(self.features, (1, n_in, n_times))
        self.classifier = nn.Linear(n_features, n_outputs)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        return self.classifier(self.features(self.input_transform(signal).unsqueeze(1)))
