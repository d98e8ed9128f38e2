"""Pieces shared by the model files: argument checks, input transforms, heads.

Private to :mod:`cyborg.models`; the public surface is the registry.
"""

from __future__ import annotations

from numbers import Integral

import torch
from torch import nn

from cyborg.errors import CyborgError
from cyborg.validation import fail


def check_signal_args(model: str, n_chans: int, n_times: int, n_outputs: int, sfreq: float) -> None:
    """Check the shared vocabulary: positive channel, sample and output counts and rate.

    Parameters
    ----------
    model : str
        Model name, for the message.
    n_chans, n_times, n_outputs : int
        Input channels, input samples and output values.
    sfreq : float
        Sampling rate in Hz.
    """
    for field, value in (("n_chans", n_chans), ("n_times", n_times), ("n_outputs", n_outputs)):
        if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
            fail(f"model '{model}'", field, "a positive integer", repr(value), CyborgError)
    if not float(sfreq) > 0:
        fail(f"model '{model}'", "sfreq", "a positive rate in Hz", repr(sfreq), CyborgError)


def seconds_to_samples(seconds: float, sfreq: float, minimum: int = 1, odd: bool = False) -> int:
    """Length in samples of ``seconds`` at ``sfreq`` Hz, rounded, at least ``minimum``.

    ``odd=True`` rounds up to an odd length (a "same"-padded kernel then stays centred).
    """
    samples = max(minimum, int(round(seconds * sfreq)))
    return samples + 1 - samples % 2 if odd else samples


def resolve_input_transform(model: str, n_chans: int, input_transform: nn.Module | None) -> tuple[nn.Module, int]:
    """Turn the ``input_transform`` argument into a first layer and its output channel count.

    Parameters
    ----------
    model : str
        Model name, for the message.
    n_chans : int
        Channels of the raw input.
    input_transform : nn.Module | None
        A module with attribute ``n_out_chans`` (and optionally ``n_in_chans``)
        mapping ``(batch, n_chans, n_times)`` to ``(batch, n_out_chans, n_times)``,
        or ``None`` for no transform.

    Returns
    -------
    layer : nn.Module
        ``input_transform`` or ``nn.Identity()``.
    n_chans_out : int
        Channels the rest of the model receives.
    """
    if input_transform is None:
        return nn.Identity(), n_chans
    if not isinstance(input_transform, nn.Module) or not hasattr(input_transform, "n_out_chans"):
        fail(f"model '{model}'", "input_transform", "an nn.Module with attribute n_out_chans, or None",
             type(input_transform).__name__, CyborgError)
    n_in = getattr(input_transform, "n_in_chans", None)
    if n_in is not None and n_in != n_chans:
        fail(f"model '{model}'", "input_transform", f"a transform taking n_chans={n_chans} channels",
             f"one taking {n_in}", CyborgError)
    return input_transform, int(input_transform.n_out_chans)


def output_shape(module: nn.Module, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Shape (without the batch axis) that ``module`` returns for one input of ``input_shape``."""
    was_training = module.training
    module.eval()
    with torch.no_grad():
        shape = tuple(module(torch.zeros(1, *input_shape)).shape[1:])
    module.train(was_training)
    return shape


def pool_lengths(n_times: int, pools: list[int]) -> list[int]:
    """Clip successive pooling lengths so each stage keeps at least one sample.

    Parameters
    ----------
    n_times : int
        Samples before the first pooling.
    pools : list of int
        Wanted pooling lengths (= strides), applied in order.

    Returns
    -------
    pools : list of int
        ``min(wanted, samples left)`` for each stage.
    """
    clipped = []
    for pool in pools:
        pool = max(1, min(pool, n_times))
        clipped.append(pool)
        n_times //= pool
    return clipped


class TemporalHead(nn.Module):
    """Average a feature sequence onto a fixed number of frames, then one linear layer.

    Keeps coarse timing (needed for kinematic trajectories) while making the head
    size independent of ``n_times``.

    Parameters
    ----------
    n_features : int
        Feature channels of the input sequence.
    n_frames : int
        Frames the sequence is averaged onto.
    n_outputs : int
        Output values.
    dropout : float
        Dropout probability before the linear layer.

    Notes
    -----
    Input ``(batch, n_features, n_steps)``, output ``(batch, n_outputs)``.
    """

    def __init__(self, n_features: int, n_frames: int, n_outputs: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool1d(n_frames)
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(n_features * n_frames, n_outputs)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear(self.dropout(self.pool(features).flatten(1)))
