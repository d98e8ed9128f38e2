"""EEG Conformer (Song et al. 2022, IEEE TNSRE 31:710): conv patch embedding + transformer."""

from __future__ import annotations

import torch
from torch import nn

from cyborg.errors import CyborgError
from cyborg.models._common import check_signal_args, output_shape, resolve_input_transform, seconds_to_samples
from cyborg.models.registry import register_model
from cyborg.validation import fail


@register_model("eeg_conformer", kind="eeg")
class EEGConformer(nn.Module):
    """Shallow-ConvNet patch embedding, a small transformer encoder, an MLP head.

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
        Filters of the patch embedding and token width (40 in the paper).
    temporal_kernel_s : float
        Temporal kernel length in seconds (25 taps at 250 Hz).
    pool_s : float
        Average-pooling window in seconds (75 samples at 250 Hz), clipped to the
        signal left after the temporal convolution; each window becomes one token.
    pool_stride_s : float
        Average-pooling stride in seconds (15 samples at 250 Hz).
    n_layers : int
        Transformer encoder layers (6 in the paper; 2 here to stay small).
    n_heads : int
        Attention heads (10 in the paper); must divide ``n_filters``.
    head_hidden : tuple of int
        Hidden widths of the MLP head (256, 32 in the paper).
    dropout : float
        Dropout probability of the embedding, the encoder and the head.
    input_transform : nn.Module | None
        Optional first layer (see :mod:`cyborg.models.transforms`).

    Notes
    -----
    Input ``(batch, n_chans, n_times)`` float32, output ``(batch, n_outputs)``.
    As in the paper there is no positional encoding: the head reads the tokens
    flattened in order.
    """

    def __init__(self, n_chans: int, n_times: int, n_outputs: int, sfreq: float,
                 n_filters: int = 40, temporal_kernel_s: float = 0.1, pool_s: float = 0.3,
                 pool_stride_s: float = 0.06, n_layers: int = 2, n_heads: int = 4,
                 head_hidden: tuple[int, ...] = (256, 32), dropout: float = 0.5,
                 input_transform: nn.Module | None = None) -> None:
        super().__init__()
        check_signal_args("eeg_conformer", n_chans, n_times, n_outputs, sfreq)
        self.input_transform, n_in = resolve_input_transform("eeg_conformer", n_chans, input_transform)
        if n_heads < 1 or n_filters % n_heads:
            fail("model 'eeg_conformer'", "n_heads", f"a divisor of n_filters={n_filters}", n_heads, CyborgError)
        kernel = min(seconds_to_samples(temporal_kernel_s, sfreq), n_times)
        pool = min(seconds_to_samples(pool_s, sfreq), n_times - kernel + 1)
        stride = min(seconds_to_samples(pool_stride_s, sfreq), pool)
        self.patch_embedding = nn.Sequential(
            nn.Conv2d(1, n_filters, (1, kernel), bias=False),
            nn.Conv2d(n_filters, n_filters, (n_in, 1), bias=False),
            nn.BatchNorm2d(n_filters),
            nn.ELU(),
            nn.AvgPool2d((1, pool), stride=(1, stride)),
            nn.Dropout(dropout),
            nn.Conv2d(n_filters, n_filters, 1),
            nn.Flatten(1, 2),
        )
        layer = nn.TransformerEncoderLayer(n_filters, n_heads, dim_feedforward=4 * n_filters, dropout=dropout,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        n_features, n_tokens = output_shape(self.patch_embedding, (1, n_in, n_times))
        head: list[nn.Module] = [nn.Flatten()]
        width = n_features * n_tokens
        for hidden in head_hidden:
            head += [nn.Linear(width, hidden), nn.ELU(), nn.Dropout(dropout)]
            width = hidden
        head.append(nn.Linear(width, n_outputs))
        self.head = nn.Sequential(*head)

    def forward(self, signal: torch.Tensor) -> torch.Tensor:
        """Map ``(batch, n_chans, n_times)`` to ``(batch, n_outputs)``."""
        tokens = self.patch_embedding(self.input_transform(signal).unsqueeze(1)).transpose(1, 2)
        return self.head(self.encoder(tokens))
