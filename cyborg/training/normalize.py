"""Per-channel standardisation with statistics from training trials only."""

from __future__ import annotations

import numpy as np


class ChannelScaler:
    """Subtract the per-channel mean and divide by the per-channel std of the training trials.

    Channels that are constant in training (dead) get a scale of 1 so they stay zero.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> "ChannelScaler":
        """Fit on ``X`` of shape (n_trials, n_chans, n_times)."""
        self.mean_ = X.mean(axis=(0, 2), dtype=np.float64)[:, None].astype(np.float32)
        std = X.std(axis=(0, 2), dtype=np.float64)[:, None]
        self.scale_ = np.where(std > 1e-12, std, 1.0).astype(np.float32)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """``(X - mean) / std`` as float32, same shape as ``X``."""
        if self.mean_ is None:
            raise RuntimeError("ChannelScaler.transform called before fit")
        return ((X - self.mean_) / self.scale_).astype(np.float32)
