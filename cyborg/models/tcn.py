"""Temporal convolutional network (Bai, Kolter & Koltun 2018) for EMG -> kinematics."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from cyborg.models._common import TemporalHead, check_signal_args, resolve_input_transform
from cyborg.models.registry import register_model


class _DilatedConv1d(nn.Module):
    """Dilated Conv1d that keeps the length: padded on the left only (causal) or on both sides."""

    def __init__(self, n_in: int, n_out: int, kernel_size: int, dilation: int, causal: bool) -> None:
        super().__init__()
        reach = (kernel_size - 1) * dilation
        self.padding = (reach, 0) if causal else (reach // 2, reach - reach // 2)
        self.conv = nn.Conv1d(n_in, n_out, kernel_size, dilation=dilation, bias=False)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(signal, self.padding))


class _ResidualBlock(nn.Module):
    """Two dilated convolutions (BatchNorm, ReLU, dropout) added to the block's input."""

    def __init__(self, n_filters: int, kernel_size: int, dilation: int, causal: bool, dropout: float) -> None:
        super().__init__()
        self.body = nn.Sequential(
            _DilatedConv1d(n_filters, n_filters, kernel_size, dilation, causal),
            nn.BatchNorm1d(n_filters),
            nn.ReLU(),
            nn.Dropout(dropout),
            _DilatedConv1d(n_filters, n_filters, kernel_size, dilation, causal),
            nn.BatchNorm1d(n_filters),
            nn.ReLU(),
            nn.Dropout(dropout),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return torch.relu(features + self.body(features))


@register_model("tcn", kind="emg")
class TCN(nn.Module):
    """Patch stem to a frame rate, dilated residual blocks (dilation 1, 2, 4, ...), temporal head.

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
    frame_rate : float
        Wanted frame rate after the stem in Hz: the stem cuts the input into
        non-overlapping patches of ``round(sfreq / frame_rate)`` samples.
    n_filters : int
        Channels of every residual block.
    kernel_size : int
        Kernel of the dilated convolutions, in frames.
    n_blocks : int
        Residual blocks; block ``i`` has dilation ``2**i``. The receptive field is
        ``1 + 2 (kernel_size - 1) (2**n_blocks - 1)`` frames (121 frames = 0.48 s
        with the defaults).
    causal : bool
        Pad on the left only, so a frame sees no future sample (for online use).
    rectify : bool
        Take the absolute value of the (transformed) input first.
    n_head_frames : int
        Frames the last feature map is averaged onto before the linear head.
    dropout : float
        Dropout probability inside the blocks.
    input_transform : nn.Module | None
        Optional first layer (see :mod:`cyborg.models.transforms`).

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32, output ``(batch, n_outputs)``.
    The original TCN uses weight normalisation; batch norm is used here.
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float, frame_rate: float = 250.0,
                 n_filters: int = 64, kernel_size: int = 5, n_blocks: int = 4, causal: bool = True,
                 rectify: bool = False, n_head_frames: int = 15, dropout: float = 0.1,
                 input_transform: nn.Module | None = None) -> None:
        super().__init__()
        check_signal_args("tcn", n_chans, n_times, n_outputs, sfreq)
        self.input_transform, n_in = resolve_input_transform("tcn", n_chans, input_transform)
        self.rectify = rectify
        patch = min(n_times, max(1, round(sfreq / frame_rate)))
        self.stem = nn.Sequential(
            nn.Conv1d(n_in, n_filters, patch, stride=patch, bias=False),
            nn.BatchNorm1d(n_filters),
            nn.ReLU(),
        )
        self.blocks = nn.Sequential(*(_ResidualBlock(n_filters, kernel_size, 2 ** i, causal, dropout)
                                      for i in range(n_blocks)))
        self.head = TemporalHead(n_filters, n_head_frames, n_outputs)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        signal = self.input_transform(signal)
        if self.rectify:
            signal = signal.abs()
        return self.head(self.blocks(self.stem(signal)))
