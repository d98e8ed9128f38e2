"""EMG pipelines on time-domain features: ridge, kernel ridge and gradient boosting of kinematics, logistic gestures.

Every factory returns an unfitted scikit-learn pipeline that takes windows
(n_trials, n_chans, n_times); regressors predict flattened kinematics
(n_trials, n_steps * n_axes), classifiers class probabilities (n_trials, n_classes).
"""

from __future__ import annotations

from collections.abc import Sequence

from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from cyborg.classical.emg_features import TimeDomainFeatures
from cyborg.classical.heads import (C_GRID, KERNEL_ALPHAS, RIDGE_ALPHAS, boosting_classifier, boosting_regressor,
                                    kernel_ridge, ridge, tuned_logistic)
from cyborg.classical.inputs import WindowsInput


def emg_td_ridge(*, sfreq: float, n_bins: int = 6, alphas: Sequence[float] = RIDGE_ALPHAS) -> Pipeline:
    """Time-domain features in ``n_bins`` time bins -> standardise -> ridge (leave-one-out alpha).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    n_bins : int
        Time bins of the features (the trajectory is read from their sequence).
    alphas : sequence of float
        Penalties searched by RidgeCV.
    """
    return make_pipeline(WindowsInput(), TimeDomainFeatures(sfreq, n_bins), StandardScaler(), ridge(alphas))


def emg_td_kernel_ridge(*, sfreq: float, n_bins: int = 6, alphas: Sequence[float] = KERNEL_ALPHAS) -> Pipeline:
    """Time-domain features in ``n_bins`` time bins -> standardise -> RBF kernel ridge (3-fold inner CV alpha).

    Parameters
    ----------
    sfreq, n_bins
        As in :func:`emg_td_ridge`.
    alphas : sequence of float
        Penalties searched by the inner grid search.
    """
    return make_pipeline(WindowsInput(), TimeDomainFeatures(sfreq, n_bins), StandardScaler(), kernel_ridge(alphas))


def emg_td_gbm(*, sfreq: float, task: str, n_bins: int | None = None, n_components: int = 8) -> Pipeline:
    """Time-domain features in ``n_bins`` time bins -> histogram gradient boosting.

    Parameters
    ----------
    sfreq : float
        As in :func:`emg_td_ridge`.
    n_bins : int | None
        Time bins per window; ``None``: one for classification (short gesture windows
        leave too few samples per bin for the spectral bands), 6 for trajectories.
    task : {"classification", "regression"}
        A classifier of class targets, or a regressor of flattened kinematics
        (through at most ``n_components`` target PCA scores).
    n_components : int
        Target PCA scores boosted (regression only).
    """
    classification = task == "classification"
    if n_bins is None:
        n_bins = 1 if classification else 6
    head = boosting_classifier() if classification else boosting_regressor(n_components)
    return make_pipeline(WindowsInput(), TimeDomainFeatures(sfreq, n_bins), head)


def emg_td_logistic(*, sfreq: float, n_bins: int = 1, Cs: Sequence[float] = C_GRID) -> Pipeline:
    """Time-domain features (whole window by default) -> standardise -> logistic regression (3-fold inner CV C).

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    n_bins : int
        Time bins of the features.
    Cs : sequence of float
        Inverse penalties searched by the inner grid search.
    """
    return make_pipeline(WindowsInput(), TimeDomainFeatures(sfreq, n_bins), StandardScaler(), tuned_logistic(Cs))
