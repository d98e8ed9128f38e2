"""EEG features for the filter-bank decoders: band log-variance, and MNE's CSP without its log chatter."""

from __future__ import annotations

import mne
import numpy as np
from mne.decoding import CSP
from sklearn.base import BaseEstimator, TransformerMixin

from cyborg.errors import CyborgError
from cyborg.validation import fail


class LogVariance(TransformerMixin, BaseEstimator):
    """Natural log of each channel's variance over time (band power, for band-passed input).

    Variances below ``floor`` times the trial's largest one (a dead, zeroed
    channel) are raised to it, so the logs stay finite and bounded.

    Parameters
    ----------
    floor : float
        Smallest variance kept, relative to the trial's largest (unitless).
    """

    def __init__(self, floor: float = 1e-8):
        self.floor = floor

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "LogVariance":
        """Nothing to learn."""
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Log-variances, flattened per trial.

        Parameters
        ----------
        X : np.ndarray, shape (n_trials, ..., n_times)
            E.g. a filter-bank output (n_trials, n_bands, n_chans, n_times).

        Returns
        -------
        features : np.ndarray of float64, shape (n_trials, prod(...))
            log of unit², in the order of the middle axes (band-major for a filter bank).
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim < 3:
            fail("LogVariance", "X", "shape (n_trials, ..., n_times) with at least 3 axes", tuple(X.shape),
                 error=CyborgError)
        variance = X.var(axis=-1).reshape(len(X), -1)
        floor = self.floor * variance.max(axis=1, keepdims=True) + np.finfo(np.float64).tiny
        return np.log(np.maximum(variance, floor))


class QuietCSP(CSP):
    """MNE's :class:`mne.decoding.CSP`, fitted with MNE's log messages at the "error" level.

    CSP estimates the data rank at every fit and logs it; inside a filter
    bank and cross-validation that is dozens of lines per fit.
    """

    def fit(self, X: np.ndarray, y: np.ndarray) -> "QuietCSP":
        """Fit CSP on windows (n_trials, n_chans, n_times) and class labels (n_trials,)."""
        with mne.utils.use_log_level("error"):
            return super().fit(X, y)
