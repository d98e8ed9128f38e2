"""The input check every classical decoder starts with: windows (n_trials, n_chans, n_times)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from cyborg.errors import CyborgError
from cyborg.validation import check_finite, fail


def check_windows(X: np.ndarray, where: str, n_chans: int | None = None) -> np.ndarray:
    """Check signal windows and return them as float64.

    Parameters
    ----------
    X : array-like, shape (n_trials, n_chans, n_times)
        Signal windows (any unit), finite.
    where : str
        Name of the caller, for the error message.
    n_chans : int | None
        Channel count the caller was fitted on; ``None`` accepts any.

    Returns
    -------
    X : np.ndarray of float64, shape (n_trials, n_chans, n_times)
        The windows (not copied when already float64).

    Raises
    ------
    CyborgError
        If ``X`` is not 3-D, has another channel count, or holds NaN/inf.
    """
    X = np.asarray(X)
    if X.ndim != 3:
        fail(where, "X", "shape (n_trials, n_chans, n_times)", tuple(X.shape), error=CyborgError)
    if n_chans is not None and X.shape[1] != n_chans:
        fail(where, "X", f"{n_chans} channels (as in fit)", f"shape {tuple(X.shape)}", error=CyborgError)
    check_finite(X, where, "X", error=CyborgError)
    return X.astype(np.float64, copy=False)


class WindowsInput(TransformerMixin, BaseEstimator):
    """First step of every classical decoder: checks the windows and makes them float64.

    It remembers the channel count seen in ``fit``, so windows with another
    montage fail with a clear message instead of deep inside a later step.
    """

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "WindowsInput":
        """Record the channel count of ``X`` (n_trials, n_chans, n_times)."""
        self.n_chans_ = check_windows(X, "classical decoder input").shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Return ``X`` as float64, shape (n_trials, n_chans, n_times), after the checks."""
        check_is_fitted(self)
        return check_windows(X, "classical decoder input", self.n_chans_)
