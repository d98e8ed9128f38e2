"""Tasks over Trials from any loader: the real-data tasks (EEGMMIDB, knee angle, gestures)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.metrics import root_mean_squared_error

from cyborg.evaluation import metrics
from cyborg.tasks.base import Task, TaskData
from cyborg.trials import Trials


class TrialsTask(Task):
    """Classification or regression on the Trials a loader returns; no submission format.

    Parameters
    ----------
    name : str
        Task name (used in run folders and reports).
    loader : callable
        ``loader(root=...) -> Trials`` (a Hydra partial of a dataset loader).
    breakdown : list of str
        Metadata columns to report the validation metric by (e.g. subject and exercise).
    """

    def __init__(self, name: str, loader: Callable[..., Trials], breakdown: tuple[str, ...] = ("subject",)):
        self.name, self.loader, self.breakdown = name, loader, tuple(breakdown)

    def load(self, root: Path | None) -> TaskData:
        trials = self.loader(root=root) if root is not None else self.loader()
        return TaskData(train=trials, root=root)


class JointAngleTask(TrialsTask):
    """Continuous joint-angle regression scored by RMSE (degrees) and Pearson r."""

    def score(self, y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
        r = metrics.pearson_r_per_axis(y_true, y_pred)
        return {"rmse_deg": _pooled_rmse(y_true, y_pred), "pearson_r": float(np.nanmean(r))}

    def chance(self, train_y: np.ndarray, val_y: np.ndarray) -> dict[str, float]:
        """The training mean angle predicted for every window."""
        return {"rmse_deg": _pooled_rmse(val_y, np.full(val_y.shape, train_y.mean()))}


def _pooled_rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """RMSE over every value of every window (scikit-learn's, on the flattened arrays)."""
    return float(root_mean_squared_error(np.ravel(y_true), np.ravel(y_pred)))
