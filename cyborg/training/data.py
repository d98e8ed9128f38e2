"""Torch datasets and the Lightning DataModule over Trials arrays, with augmentation."""

from __future__ import annotations

from collections.abc import Sequence

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset


class WindowDataset(Dataset):
    """Trials as tensors, with random crops in training and centre crops otherwise.

    Parameters
    ----------
    X : np.ndarray, shape (n_trials, n_chans, n_stored)
        Normalised windows; ``n_stored >= n_times`` (a wider window allows crops).
    y : np.ndarray
        Class indices (n_trials,) or kinematics (n_trials, n_steps, n_axes).
    n_times : int
        Samples the model sees.
    train : bool
        Random crop and augmentation when True, centre crop when False.
    amplitude_scale : float
        Training only: multiply each trial by a factor drawn uniformly in
        ``[1 - amplitude_scale, 1 + amplitude_scale]``.
    mirror_pairs : sequence of (int, int) | None
        Training only: with probability 0.5 swap these channel pairs (EMG
        left/right) and negate ``mirror_axis`` of the target (vy).
    mirror_axis : int
        Target axis negated by the mirror.
    seed : int
        Seed of the augmentation random generator.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, n_times: int, train: bool, *,
                 amplitude_scale: float = 0.0, mirror_pairs: Sequence[tuple[int, int]] | None = None,
                 mirror_axis: int = 1, seed: int = 0):
        self.X, self.y, self.n_times, self.train = X, y, n_times, train
        self.amplitude_scale = amplitude_scale
        self.mirror = None
        if mirror_pairs:
            order = np.arange(X.shape[1])
            for a, b in mirror_pairs:
                order[a], order[b] = b, a
            self.mirror = order
        self.mirror_axis = mirror_axis
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.X[index], self.y[index]
        spare = x.shape[-1] - self.n_times
        start = int(self.rng.integers(0, spare + 1)) if (self.train and spare > 0) else spare // 2
        x = x[:, start:start + self.n_times]
        if self.train:
            if self.amplitude_scale:
                x = x * self.rng.uniform(1 - self.amplitude_scale, 1 + self.amplitude_scale)
            if self.mirror is not None and self.rng.random() < 0.5:
                x = x[self.mirror]
                y = y.copy()
                y[..., self.mirror_axis] *= -1
        return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)), torch.as_tensor(y)


class WindowDataModule(L.LightningDataModule):
    """Train / validation loaders over already-normalised arrays."""

    def __init__(self, train: WindowDataset, val: WindowDataset | None, batch_size: int = 32,
                 num_workers: int = 0):
        super().__init__()
        self.train_set, self.val_set = train, val
        self.batch_size, self.num_workers = batch_size, num_workers

    def train_dataloader(self) -> DataLoader:
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True,
                          num_workers=self.num_workers, drop_last=len(self.train_set) > self.batch_size)

    def val_dataloader(self) -> DataLoader | list:
        if self.val_set is None:
            return []
        return DataLoader(self.val_set, batch_size=256, shuffle=False, num_workers=self.num_workers)
