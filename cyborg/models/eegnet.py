"""EEGNet-8,2 (Lawhern et al. 2018, J. Neural Eng. 15:056013)."""

from __future__ import annotations

import torch
from torch import nn

from cyborg.models._common import (
    check_signal_args, output_shape, pool_lengths, resolve_input_transform, seconds_to_samples,
)
from cyborg.models.registry import register_model


@register_model("eegnet", kind="eeg")
class EEGNet(nn.Module):
    """Compact CNN: temporal filters, depthwise spatial filters, separable convolution.

    Parameters
    ----------
    n_chans : int
        Input channels.
    n_times : int
        Input samples.
    n_outputs : int
        Output values (classes, or steps x axes).
    sfreq : float
        Sampling rate in Hz.
    n_temporal_filters : int
        F1, temporal filters (8 in EEGNet-8,2).
    depth_multiplier : int
        D, spatial filters per temporal filter (2 in EEGNet-8,2).
    n_pointwise_filters : int | None
        F2, filters of the separable convolution; ``None`` means F1 * D.
    temporal_kernel_s : float
        Length of the first temporal kernel in seconds. The paper uses half a second
        (64 taps at 128 Hz); 0.25 s suits the 0.5 s challenge epochs.
    separable_kernel_s : float
        Length of the separable convolution's temporal kernel in seconds.
    pool_sizes : tuple of int
        Average-pooling lengths after the depthwise and the separable blocks
        (4 and 8 in the paper), clipped for short inputs.
    dropout : float
        Dropout probability (0.25 in the paper's cross-subject setting).
    input_transform : nn.Module | None
        Optional first layer (see :mod:`cyborg.models.transforms`).

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32, output ``(batch, n_outputs)``.
    The paper's max-norm weight constraints are left out (they rewrite weights
    during the forward pass); use weight decay instead.
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float,
                 n_temporal_filters: int = 8, depth_multiplier: int = 2, n_pointwise_filters: int | None = None,
                 temporal_kernel_s: float = 0.25, separable_kernel_s: float = 0.125,
                 pool_sizes: tuple[int, int] = (4, 8), dropout: float = 0.25,
                 input_transform: nn.Module | None = None) -> None:
        super().__init__()
        check_signal_args("eegnet", n_chans, n_times, n_outputs, sfreq)
        self.input_transform, n_in = resolve_input_transform("eegnet", n_chans, input_transform)
        n_spatial = n_temporal_filters * depth_multiplier
        n_pointwise = n_pointwise_filters or n_spatial
        pool_1, pool_2 = pool_lengths(n_times, list(pool_sizes))
        temporal_kernel = seconds_to_samples(temporal_kernel_s, sfreq, odd=True)
        separable_kernel = seconds_to_samples(separable_kernel_s, sfreq / pool_1, odd=True)
        self.features = nn.Sequential(
            nn.Conv2d(1, n_temporal_filters, (1, temporal_kernel), padding="same", bias=False),
            nn.BatchNorm2d(n_temporal_filters),
            nn.Conv2d(n_temporal_filters, n_spatial, (n_in, 1), groups=n_temporal_filters, bias=False),
            nn.BatchNorm2d(n_spatial),
            nn.ELU(),
            nn.AvgPool2d((1, pool_1)),
            nn.Dropout(dropout),
            nn.Conv2d(n_spatial, n_spatial, (1, separable_kernel), padding="same", groups=n_spatial, bias=False),
            nn.Conv2d(n_spatial, n_pointwise, 1, bias=False),
            nn.BatchNorm2d(n_pointwise),
            nn.ELU(),
            nn.AvgPool2d((1, pool_2)),
            nn.Dropout(dropout),
            nn.Flatten(),
        )
        (n_features,) = output_shape(self.features, (1, n_in, n_times))
        self.classifier = nn.Linear(n_features, n_outputs)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        return self.classifier(self.features(self.input_transform(signal).unsqueeze(1)))
