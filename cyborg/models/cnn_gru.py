"""Strided Conv1d front-end + GRU for EMG -> kinematics."""

from __future__ import annotations

import torch
from torch import nn

from cyborg.models._common import TemporalHead, check_signal_args, resolve_input_transform
from cyborg.models.registry import register_model


@register_model("cnn_gru", kind="emg")
class CNNGRU(nn.Module):
    """Strided convolutions bring raw EMG to a frame rate; a GRU reads the frames; a temporal head.

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
    rectify : bool
        Take the absolute value of the (transformed) input first, so the
        front-end works on rectified EMG.
    n_conv_layers : int
        Convolution layers of the front-end.
    conv_width : int
        Filters per convolution layer.
    frame_rate : float
        Wanted frame rate of the GRU in Hz; the per-layer stride is the
        ``n_conv_layers``-th root of ``sfreq / frame_rate``, rounded, so the
        reached rate is approximate.
    gru_hidden : int
        GRU hidden units per direction.
    gru_layers : int
        Stacked GRU layers.
    bidirectional : bool
        Run the GRU both ways (the whole window is known offline).
    n_head_frames : int
        Frames the GRU outputs are averaged onto before the linear head.
    dropout : float
        Dropout probability after each convolution and before the head.
    input_transform : nn.Module | None
        Optional first layer (see :mod:`cyborg.models.transforms`).

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32, output ``(batch, n_outputs)``.
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float, rectify: bool = False,
                 n_conv_layers: int = 3, conv_width: int = 64, frame_rate: float = 100.0, gru_hidden: int = 64,
                 gru_layers: int = 1, bidirectional: bool = True, n_head_frames: int = 15, dropout: float = 0.2,
                 input_transform: nn.Module | None = None) -> None:
        super().__init__()
        check_signal_args("cnn_gru", n_chans, n_times, n_outputs, sfreq)
        self.input_transform, n_in = resolve_input_transform("cnn_gru", n_chans, input_transform)
        self.rectify = rectify
        total_stride = max(1.0, sfreq / frame_rate)
        stride = max(1, round(total_stride ** (1.0 / n_conv_layers)))
        layers: list[nn.Module] = []
        for _ in range(n_conv_layers):
            layers += [
                nn.Conv1d(n_in, conv_width, 2 * stride + 1, stride=stride, padding=stride, bias=False),
                nn.BatchNorm1d(conv_width),
                nn.GELU(),
                nn.Dropout(dropout),
            ]
            n_in = conv_width
        self.front_end = nn.Sequential(*layers)
        self.gru = nn.GRU(conv_width, gru_hidden, gru_layers, batch_first=True, bidirectional=bidirectional)
        self.head = TemporalHead(gru_hidden * (2 if bidirectional else 1), n_head_frames, n_outputs, dropout)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        signal = self.input_transform(signal)
        if self.rectify:
            signal = signal.abs()
        frames, _ = self.gru(self.front_end(signal).transpose(1, 2))
        return self.head(frames.transpose(1, 2))
