"""Deep ConvNet / Deep4Net (Schirrmeister et al. 2017, Hum. Brain Mapp. 38:5391)."""

from __future__ import annotations

import torch
from torch import nn

from cyborg.models._common import (
    check_signal_args, output_shape, pool_lengths, resolve_input_transform, seconds_to_samples,
)
from cyborg.models.registry import register_model


@register_model("deep4net", kind="eeg")
class Deep4Net(nn.Module):
    """Conv-pool blocks: a split temporal/spatial first block, then temporal blocks (four in all).

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
    n_filters : tuple of int
        Filters of each block, one block per entry (four blocks of 25, 50, 100,
        200 in the paper).
    first_kernel_s : float
        Temporal kernel of the first block in seconds (10 taps at 250 Hz).
    first_pool_s : float
        Max-pooling length (= stride) of the first block in seconds (3 samples at
        250 Hz); it brings every input rate to about 83 Hz.
    kernel_size : int
        Temporal kernel of blocks 2-4, in samples of the pooled signal (10 in the
        paper); an even value is rounded up to odd so the "same" padding stays centred.
    pool_size : int
        Max-pooling length (= stride) of blocks 2-4.
    dropout : float
        Dropout probability before the convolutions of blocks 2-4 and the classifier.
    input_transform : nn.Module | None
        Optional first layer (see :mod:`cyborg.models.transforms`).

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32, output ``(batch, n_outputs)``.
    Unlike the paper, the convolutions are zero-padded ("same") and pooling lengths
    are clipped, so that the 250-sample challenge epochs and shorter inputs fit
    (the paper's valid convolutions need about 440 samples at 250 Hz).
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float,
                 n_filters: tuple[int, ...] = (25, 50, 100, 200), first_kernel_s: float = 0.04,
                 first_pool_s: float = 0.012, kernel_size: int = 10, pool_size: int = 3,
                 dropout: float = 0.5, input_transform: nn.Module | None = None) -> None:
        super().__init__()
        check_signal_args("deep4net", n_chans, n_times, n_outputs, sfreq)
        self.input_transform, n_in = resolve_input_transform("deep4net", n_chans, input_transform)
        kernel_size += 1 - kernel_size % 2
        pools = pool_lengths(n_times, [seconds_to_samples(first_pool_s, sfreq)] + [pool_size] * (len(n_filters) - 1))
        first_block = nn.Sequential(
            nn.Conv2d(1, n_filters[0], (1, seconds_to_samples(first_kernel_s, sfreq, odd=True)), padding="same",
                      bias=False),
            nn.Conv2d(n_filters[0], n_filters[0], (n_in, 1), bias=False),
            nn.BatchNorm2d(n_filters[0]),
            nn.ELU(),
            nn.MaxPool2d((1, pools[0])),
            nn.Flatten(1, 2),
        )
        blocks = []
        for n_previous, n_next, pool in zip(n_filters[:-1], n_filters[1:], pools[1:]):
            blocks += [
                nn.Dropout(dropout),
                nn.Conv1d(n_previous, n_next, kernel_size, padding="same", bias=False),
                nn.BatchNorm1d(n_next),
                nn.ELU(),
                nn.MaxPool1d(pool),
            ]
        self.features = nn.Sequential(first_block, *blocks, nn.Flatten(), nn.Dropout(dropout))
        (n_features,) = output_shape(self.features, (1, n_in, n_times))
        self.classifier = nn.Linear(n_features, n_outputs)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        return self.classifier(self.features(self.input_transform(signal).unsqueeze(1)))
