"""Trials: the one object every model, baseline and metric takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from cyborg.errors import CyborgError


@dataclass
class Trials:
    """Windows of signal with their targets and metadata.

    Parameters
    ----------
    X : np.ndarray, shape (n_trials, n_chans, n_times)
        Signal windows, float32 (may be memory-mapped). EEG in µV, EMG in the
        file's unit.
    y : np.ndarray
        Targets: class indices of shape (n_trials,) (int64) for classification,
        or kinematics of shape (n_trials, n_steps, n_axes) (float32) for
        regression. Unknown targets (test side) are filled with -1 / NaN.
    metadata : pandas.DataFrame
        One row per trial: ``subject``, ``session`` and task-specific columns
        (``event_type``, ``direction``, ``side``, ``stance``, ``trial`` ...).
        Splits and normalisers key off these columns, never off positions.
    sfreq : float
        Sampling rate of ``X`` in Hz.
    ch_names : list of str
        Channel names, length n_chans.
    class_names : tuple of str | None
        Names of the classes for classification targets, ``None`` otherwise.
    target_names : tuple of str | None
        Names of the kinematic axes (e.g. ``("vx", "vy", "vz")``).
    target_sfreq : float | None
        Rate of the kinematic steps in Hz.
    """

    X: np.ndarray
    y: np.ndarray
    metadata: pd.DataFrame
    sfreq: float
    ch_names: list[str]
    class_names: tuple[str, ...] | None = None
    target_names: tuple[str, ...] | None = None
    target_sfreq: float | None = None
    info: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.X.ndim != 3:
            raise CyborgError(f"Trials.X: expected shape (n_trials, n_chans, n_times), found {self.X.shape}")
        n = self.X.shape[0]
        if len(self.y) != n or len(self.metadata) != n:
            raise CyborgError(
                f"Trials: expected X, y and metadata of one length, found {n}, {len(self.y)}, {len(self.metadata)}")
        if len(self.ch_names) != self.X.shape[1]:
            raise CyborgError(
                f"Trials.ch_names: expected {self.X.shape[1]} names, found {len(self.ch_names)}")
        index = self.metadata.index
        if not (type(index) is pd.RangeIndex and index.start == 0 and index.step == 1):
            # positions, not labels, key the rows; a step's replace() keeps its input's table (a copy costs
            # a tenth of a one-window predict), so change a Trials' metadata only where subset() made it
            self.metadata = self.metadata.reset_index(drop=True)

    def __len__(self) -> int:
        return self.X.shape[0]

    @property
    def n_chans(self) -> int:
        return self.X.shape[1]

    @property
    def n_times(self) -> int:
        return self.X.shape[2]

    @property
    def is_classification(self) -> bool:
        return self.class_names is not None

    @property
    def n_outputs(self) -> int | tuple[int, int]:
        """Number of classes, or (n_steps, n_axes) for kinematics."""
        if self.is_classification:
            return len(self.class_names)
        return tuple(self.y.shape[1:])

    def subset(self, index: np.ndarray | Sequence[int] | pd.Series) -> "Trials":
        """Trials at integer positions or a boolean mask (a new object, metadata re-indexed)."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return replace(self, X=self.X[index], y=self.y[index],
                       metadata=self.metadata.iloc[index].reset_index(drop=True))

    def where(self, **columns) -> "Trials":
        """Trials whose metadata equals every ``column=value`` given."""
        mask = np.ones(len(self), dtype=bool)
        for column, value in columns.items():
            mask &= (self.metadata[column] == value).to_numpy()
        return self.subset(mask)

    @staticmethod
    def concat(parts: Sequence["Trials"]) -> "Trials":
        """Stack trials with equal channels, rate and target spec."""
        if not parts:
            raise CyborgError("Trials.concat: expected at least one Trials, found none")
        first = parts[0]
        for part in parts[1:]:
            if part.ch_names != first.ch_names or part.sfreq != first.sfreq or part.n_times != first.n_times:
                raise CyborgError(
                    "Trials.concat: expected equal ch_names, sfreq and n_times, found "
                    f"{part.n_chans} ch @ {part.sfreq} Hz x {part.n_times} vs "
                    f"{first.n_chans} ch @ {first.sfreq} Hz x {first.n_times}")
        return replace(first,
                       X=np.concatenate([p.X for p in parts]),
                       y=np.concatenate([p.y for p in parts]),
                       metadata=pd.concat([p.metadata for p in parts], ignore_index=True))
