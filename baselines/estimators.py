"""The scikit-learn / pyRiemann estimators of the baselines.

Each factory returns an unfitted estimator that takes preprocessed windows
``X`` of shape (n_trials, n_chans, n_times) and predicts class probabilities
or flattened kinematics (n_trials, n_steps * n_axes).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler


def _as_float64(X: np.ndarray) -> np.ndarray:
    return np.asarray(X, dtype=np.float64)


def tangent_space(C: float = 1.0, estimator: str = "oas"):
    """Shrunk covariance -> Riemannian tangent space -> logistic regression (Barachant 2012).

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    estimator : str
        pyRiemann covariance estimator (``"oas"`` stays SPD with dead, zeroed channels).
    """
    from pyriemann.estimation import Covariances
    from pyriemann.tangentspace import TangentSpace

    return make_pipeline(FunctionTransformer(_as_float64),
                         Covariances(estimator=estimator), TangentSpace(metric="riemann"),
                         StandardScaler(), LogisticRegression(C=C, max_iter=2000))


class BinnedEnvelope(TransformerMixin, BaseEstimator):
    """Rectified EMG averaged in ``n_bins`` equal time bins per channel, log-compressed.

    Input (n_trials, n_chans, n_times) -> output (n_trials, n_chans * n_bins).
    """

    def __init__(self, n_bins: int = 30):
        self.n_bins = n_bins

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = np.abs(np.asarray(X, dtype=np.float64))
        n, c, t = X.shape
        usable = t - t % self.n_bins
        binned = X[..., :usable].reshape(n, c, self.n_bins, -1).mean(-1)
        return np.log(binned + 1e-6).reshape(n, -1)


def envelope_ridge(n_bins: int = 30, alphas: tuple[float, ...] = tuple(np.logspace(-1, 5, 13))):
    """EMG envelope in time bins -> standardise -> ridge with leave-one-out choice of alpha."""
    return make_pipeline(BinnedEnvelope(n_bins), StandardScaler(), RidgeCV(alphas=alphas))


def envelope_logistic(n_bins: int = 4, C: float = 1.0):
    """EMG envelope in time bins -> standardise -> multinomial logistic regression."""
    return make_pipeline(BinnedEnvelope(n_bins), StandardScaler(), LogisticRegression(C=C, max_iter=2000))


def build_baseline(name: str, *, sfreq: float, **params):
    """The baseline estimator ``name`` with ``params`` (``sfreq`` is the model input's rate, unused here)."""
    from cyborg.validation import check_option

    check_option(name, ("tangent_space", "envelope_ridge", "envelope_logistic"), "baseline.name")
    return globals()[name](**params)
