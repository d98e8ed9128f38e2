"""The challenge's metrics: accuracy for tricks, 3-D RMSE for velocity (CHALLENGE.md 1.8, 2.6).

Plain numpy on arrays; every function checks its inputs' shapes and raises
:class:`cyborg.errors.CyborgError` with the argument name, the expected and the
found shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cyborg.errors import CyborgError
from cyborg.validation import check_finite, check_option, check_shape, fail

#: How :func:`rmse_3d` averages the per-trial errors.
RMSE_AVERAGES = ("trials", "groups")


def _labels_pair(y_true: Sequence, y_pred: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Check two label vectors: 1-D, same non-zero length."""
    y_true = check_shape(np.asarray(y_true), (None,), "y_true", None, CyborgError)
    y_pred = check_shape(np.asarray(y_pred), (len(y_true),), "y_pred", None, CyborgError)
    if len(y_true) == 0:
        fail("y_true", None, "at least one label", "none", CyborgError)
    return y_true, y_pred


def _kinematics_pair(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check two kinematic arrays: same shape (n_trials, n_steps, n_axes), finite, non-empty."""
    y_true = check_shape(np.asarray(y_true), (None, None, None), "y_true", None, CyborgError)
    y_pred = check_shape(np.asarray(y_pred), y_true.shape, "y_pred", None, CyborgError)
    if 0 in y_true.shape:
        fail("y_true", None, "a non-empty (n_trials, n_steps, n_axes) array",
             f"shape {y_true.shape}", CyborgError)
    check_finite(y_true, "y_true", None, CyborgError)
    check_finite(y_pred, "y_pred", None, CyborgError)
    return y_true.astype(np.float64), y_pred.astype(np.float64)


def accuracy(y_true: Sequence, y_pred: Sequence) -> float:
    """Fraction of predictions equal to the truth (theme 1's metric).

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n_trials,)
        Labels of any comparable kind (class names or class indices).

    Returns
    -------
    float
        Accuracy in [0, 1].
    """
    y_true, y_pred = _labels_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def balanced_accuracy(y_true: Sequence, y_pred: Sequence) -> float:
    """Mean over the true classes of the recall (scikit-learn's balanced accuracy).

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n_trials,)
        Labels of any comparable kind.

    Returns
    -------
    float
        Balanced accuracy in [0, 1].
    """
    from sklearn.metrics import balanced_accuracy_score  # a second to import: only when used

    y_true, y_pred = _labels_pair(y_true, y_pred)
    return float(balanced_accuracy_score(y_true, y_pred))


def rmse_3d_per_trial(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Root mean over steps of the squared Euclidean error, one value per trial.

    ``sqrt(mean_t(sum_axes((y_pred - y_true)**2)))``: for velocity, the RMS
    length of the 3-D error vector over the trial's 30 steps.

    Parameters
    ----------
    y_true, y_pred : np.ndarray, shape (n_trials, n_steps, n_axes)
        Kinematics in the same unit (m/s for velocity); finite.

    Returns
    -------
    np.ndarray, shape (n_trials,)
        Error per trial, in the unit of the inputs.
    """
    y_true, y_pred = _kinematics_pair(y_true, y_pred)
    squared_length = np.sum((y_pred - y_true) ** 2, axis=2)
    return np.sqrt(np.mean(squared_length, axis=1))


def rmse_3d(y_true: np.ndarray, y_pred: np.ndarray, groups: Sequence | None = None,
            average: str = "trials") -> float:
    """Theme 2's score: the per-trial 3-D RMSE averaged over trials or over groups.

    Parameters
    ----------
    y_true, y_pred : np.ndarray, shape (n_trials, n_steps, n_axes)
        Kinematics in the same unit; finite.
    groups : array-like, shape (n_trials,) | None
        Group (e.g. subject) of each trial; required when ``average="groups"``.
    average : {"trials", "groups"}
        ``"trials"``: mean over all trials pooled (the default). ``"groups"``:
        mean within each group, then the unweighted mean over groups.

    Returns
    -------
    float
        The score, in the unit of the inputs; lower is better.
    """
    check_option(average, RMSE_AVERAGES, "average")
    per_trial = rmse_3d_per_trial(y_true, y_pred)
    if average == "trials":
        return float(per_trial.mean())
    if groups is None:
        fail("groups", None, "one group per trial when average='groups'", "None", CyborgError)
    groups = check_shape(np.asarray(groups), (len(per_trial),), "groups", None, CyborgError)
    _, group_index = np.unique(groups, return_inverse=True)
    group_means = np.bincount(group_index, weights=per_trial) / np.bincount(group_index)
    return float(group_means.mean())


def pearson_r_per_axis(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Pearson correlation per axis, over all trials and steps pooled.

    Parameters
    ----------
    y_true, y_pred : np.ndarray, shape (n_trials, n_steps, n_axes)
        Kinematics; finite.

    Returns
    -------
    np.ndarray, shape (n_axes,)
        Correlation in [-1, 1] per axis; NaN for an axis where either input is
        constant.
    """
    y_true, y_pred = _kinematics_pair(y_true, y_pred)
    n_axes = y_true.shape[2]
    true_flat, pred_flat = y_true.reshape(-1, n_axes), y_pred.reshape(-1, n_axes)
    constant = (np.ptp(true_flat, axis=0) == 0) | (np.ptp(pred_flat, axis=0) == 0)
    true_centred = true_flat - true_flat.mean(axis=0)
    pred_centred = pred_flat - pred_flat.mean(axis=0)
    covariance = np.sum(true_centred * pred_centred, axis=0)
    norms = np.sqrt(np.sum(true_centred ** 2, axis=0) * np.sum(pred_centred ** 2, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(constant, np.nan, covariance / norms)
