"""Compact 1-D CNN over channels-as-features, the kind that won theme 1 (CHALLENGE.md 1.10, HIRA)."""

from __future__ import annotations

import torch
from torch import nn

from cyborg.models._common import TemporalHead, check_signal_args, pool_lengths, resolve_input_transform
from cyborg.models.registry import register_model
from cyborg.validation import check_option


@register_model("compact_cnn1d", kind="any")
class CompactCNN1d(nn.Module):
    """Stacked Conv1d-BatchNorm-LeakyReLU-pool-dropout blocks, average pooling, linear head.

    The input channels are the features of the first convolution, so every
    filter mixes all channels from the start. The theme-1 winner removed each
    epoch's channel means upstream (preprocessing, not part of this model).

    Parameters
    ----------
    n_chans : int
        Input channels.
    n_times : int
        Input samples.
    n_outputs : int
        Output values.
    sfreq : float
        Sampling rate in Hz (unused: the kernels are counted in samples, as in
        the winning solution).
    width : int | tuple of int
        Filters per block; an int repeats it ``depth`` times (the winner used
        728/259/253 after an Optuna search).
    depth : int
        Number of blocks when ``width`` is an int.
    kernel_size : int
        Convolution kernel in samples.
    pool : {"max", "avg"}
        Pooling after each block.
    pool_size : int
        Pooling length (= stride), clipped for short inputs.
    dropout : float
        Dropout probability after each block.
    negative_slope : float
        Slope of the LeakyReLU for negative inputs.
    n_head_frames : int
        Frames the last feature map is averaged onto before the linear head: 1 is
        global average pooling (the winner's choice, for classification); more
        keeps coarse timing, for trajectories.
    input_transform : nn.Module | None
        Optional first layer (see :mod:`cyborg.models.transforms`).

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32, output ``(batch, n_outputs)``.
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float,
                 width: int | tuple[int, ...] = 128, depth: int = 3, kernel_size: int = 3, pool: str = "max",
                 pool_size: int = 2, dropout: float = 0.2, negative_slope: float = 0.01,
                 n_head_frames: int = 1, input_transform: nn.Module | None = None) -> None:
        super().__init__()
        check_signal_args("compact_cnn1d", n_chans, n_times, n_outputs, sfreq)
        check_option(pool, ("max", "avg"), "model 'compact_cnn1d': pool")
        self.input_transform, n_in = resolve_input_transform("compact_cnn1d", n_chans, input_transform)
        widths = (width,) * depth if isinstance(width, int) else tuple(width)
        pool_layer = nn.MaxPool1d if pool == "max" else nn.AvgPool1d
        blocks: list[nn.Module] = []
        for n_filters, pool_length in zip(widths, pool_lengths(n_times, [pool_size] * len(widths))):
            blocks += [
                nn.Conv1d(n_in, n_filters, kernel_size, padding="same", bias=False),
                nn.BatchNorm1d(n_filters),
                nn.LeakyReLU(negative_slope),
                pool_layer(pool_length),
                nn.Dropout(dropout),
            ]
            n_in = n_filters
        self.features = nn.Sequential(*blocks)
        self.head = TemporalHead(n_in, n_head_frames, n_outputs)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        return self.head(self.features(self.input_transform(signal)))
