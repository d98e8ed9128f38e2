"""EEG features: band log-variance, MNE's CSP without its log chatter, window-only scaling, detrend, projections."""

from __future__ import annotations

import mne
import numpy as np
from mne.decoding import CSP
from scipy.fft import dct, idct
from scipy.signal import detrend
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from cyborg.classical.inputs import check_windows
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


class ChannelScale(TransformerMixin, BaseEstimator):
    """Divide each channel by its standard deviation over the training windows; drop flat channels.

    Channels are put on one scale before their covariances are estimated, so
    shrinkage (OAS) pulls every channel alike. A channel whose training
    standard deviation is below ``floor`` times the largest (dead, zeroed) is
    left out of every later window.

    Parameters
    ----------
    floor : float
        Smallest standard deviation kept, relative to the largest channel's (unitless).

    Attributes
    ----------
    keep_ : np.ndarray of bool, shape (n_chans,)
        Channels passed on.
    scale_ : np.ndarray of float64, shape (n_kept,)
        Their training standard deviations, in the unit of ``X``.
    """

    def __init__(self, floor: float = 1e-6):
        self.floor = floor

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "ChannelScale":
        """Learn per-channel scales from windows ``X`` (n_trials, n_chans, n_times)."""
        X = check_windows(X, "ChannelScale")
        std = X.std(axis=(0, 2))
        self.keep_ = std > self.floor * std.max()
        if not self.keep_.any():
            fail("ChannelScale", "X", "at least one channel that is not flat", "every channel flat",
                 error=CyborgError)
        self.scale_ = std[self.keep_]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Scaled windows, shape (n_trials, n_kept, n_times), unitless."""
        check_is_fitted(self)
        X = check_windows(X, "ChannelScale", len(self.keep_))
        return X[:, self.keep_] / self.scale_[:, None]


class Detrend(TransformerMixin, BaseEstimator):
    """Remove each channel's least-squares line from each window (:func:`scipy.signal.detrend`).

    On a short window the line is what a high-pass filter would remove,
    without the filter's start-up transient.
    """

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "Detrend":
        """Nothing to learn."""
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Detrended windows, shape and unit of ``X`` (n_trials, n_chans, n_times)."""
        return detrend(check_windows(X, "Detrend"), axis=-1, type="linear")


def _cosine_coefficients(step: "LowPassProjection | BandPassProjection", X: np.ndarray) -> np.ndarray:
    """The orthonormal DCT-II of windows of the length ``step`` was fitted on, along time (same shape as ``X``)."""
    check_is_fitted(step)
    name = type(step).__name__
    X = check_windows(X, name)
    if X.shape[2] != step.n_times_:
        fail(name, "X", f"windows of {step.n_times_} samples (as in fit)", f"shape {tuple(X.shape)}",
             error=CyborgError)
    return dct(X, axis=-1, norm="ortho")


class LowPassProjection(TransformerMixin, BaseEstimator):
    """Low-pass each window by keeping its lowest cosine (DCT-II) components, then decimate.

    Coefficient ``k`` of an ``n_times``-sample window at ``sfreq`` is a cosine
    of ``k * sfreq / (2 * n_times)`` Hz. Components 1 to the last at or below
    ``h_freq`` are kept: the window's mean is dropped, and nothing outside the
    window is needed (a recursive filter on a 0.5 s epoch spends most of it in
    its start-up transient and delays a 5 Hz wave by about 100 ms). The
    projection is back-transformed and kept every ``decim`` samples.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    h_freq : float
        Highest frequency kept, in Hz.
    decim : int | None
        Keep every ``decim``-th sample; ``None`` picks ``sfreq / (10 * h_freq)``
        rounded down (at least 1), about ten samples per period of ``h_freq``.

    Attributes
    ----------
    n_components_ : int
        Cosines kept (at least 1).
    step_ : int
        The decimation used.
    """

    def __init__(self, sfreq: float, h_freq: float = 5.0, decim: int | None = None):
        self.sfreq = sfreq
        self.h_freq = h_freq
        self.decim = decim

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "LowPassProjection":
        """Fix the number of components for windows of ``X``'s length."""
        n_times = check_windows(X, "LowPassProjection").shape[2]
        if not 0 < float(self.h_freq) < float(self.sfreq) / 2:
            fail("LowPassProjection", "h_freq", f"between 0 and Nyquist ({float(self.sfreq) / 2:g} Hz)", self.h_freq,
                 error=CyborgError)
        self.n_times_ = n_times
        self.n_components_ = max(1, min(n_times - 1, int(np.floor(2 * n_times * self.h_freq / self.sfreq))))
        self.step_ = int(self.decim) if self.decim is not None else max(1, int(self.sfreq // (10 * self.h_freq)))
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Projected, decimated windows.

        Parameters
        ----------
        X : np.ndarray, shape (n_trials, n_chans, n_times)
            Windows of the length seen in ``fit``.

        Returns
        -------
        slow : np.ndarray of float64, shape (n_trials, n_chans, ceil(n_times / step_))
            Same unit as ``X``, zero mean per window and channel.
        """
        coefficients = _cosine_coefficients(self, X)
        coefficients[..., 0] = 0.0
        coefficients[..., self.n_components_ + 1:] = 0.0
        return idct(coefficients, axis=-1, norm="ortho")[..., ::self.step_]


class BandPassProjection(TransformerMixin, BaseEstimator):
    """Band-pass each window by keeping its cosine (DCT-II) components inside a band.

    Coefficient ``k`` of an ``n_times``-sample window at ``sfreq`` is a cosine
    of ``k * sfreq / (2 * n_times)`` Hz; the components from ``l_freq`` to
    ``h_freq`` are kept and transformed back. As in
    :class:`LowPassProjection`, nothing outside the window is needed, so a
    0.5 s epoch is not spent in a filter's start-up transient.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    l_freq, h_freq : float
        Edges of the band kept, in Hz (``0 <= l_freq < h_freq <= Nyquist``).

    Attributes
    ----------
    keep_ : np.ndarray of bool, shape (n_times,)
        Cosines kept (at least one).
    """

    def __init__(self, sfreq: float, l_freq: float = 13.0, h_freq: float = 30.0):
        self.sfreq = sfreq
        self.l_freq = l_freq
        self.h_freq = h_freq

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "BandPassProjection":
        """Fix the cosines kept for windows of ``X``'s length (n_trials, n_chans, n_times)."""
        n_times = check_windows(X, "BandPassProjection").shape[2]
        nyquist = float(self.sfreq) / 2
        if not 0 <= float(self.l_freq) < float(self.h_freq) <= nyquist:
            fail("BandPassProjection", "(l_freq, h_freq)", f"0 <= l_freq < h_freq <= Nyquist ({nyquist:g} Hz)",
                 (self.l_freq, self.h_freq), error=CyborgError)
        freqs = np.arange(n_times) * float(self.sfreq) / (2 * n_times)
        keep = (freqs >= float(self.l_freq)) & (freqs <= float(self.h_freq))
        if not keep.any():
            fail("BandPassProjection", "(l_freq, h_freq)",
                 f"a band at least {float(self.sfreq) / (2 * n_times):g} Hz wide for {n_times}-sample windows",
                 (self.l_freq, self.h_freq), error=CyborgError)
        self.n_times_, self.keep_ = n_times, keep
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Band-passed windows, shape and unit of ``X`` (n_trials, n_chans, n_times)."""
        coefficients = _cosine_coefficients(self, X)
        coefficients[..., ~self.keep_] = 0.0
        return idct(coefficients, axis=-1, norm="ortho")
