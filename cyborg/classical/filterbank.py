"""Filter banks: causal per-window Butterworth band-passes, and a per-band feature wrapper."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.signal import butter, sosfilt, sosfilt_zi
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from cyborg.errors import CyborgError
from cyborg.classical.inputs import check_windows
from cyborg.validation import fail

#: A frequency band in Hz: (low, high); ``None`` for low means a low-pass, for high a high-pass.
Band = tuple[float | None, float | None]

#: Default EEG bands (Hz): slow potentials below 4 Hz, theta, alpha/mu, low beta, high beta, low gamma.
EEG_BANDS: tuple[Band, ...] = ((None, 4.0), (4.0, 8.0), (8.0, 13.0), (13.0, 20.0), (20.0, 30.0), (30.0, 40.0))


def _design(band: Sequence[float | None], sfreq: float, order: int) -> np.ndarray:
    """Second-order sections of a Butterworth filter for ``band`` (Hz) at ``sfreq`` (Hz)."""
    low, high = band
    nyquist = sfreq / 2.0
    if (low is None and high is None) or (low is not None and not 0 < low < nyquist) or (
            high is not None and not 0 < high < nyquist) or (
            low is not None and high is not None and low >= high):
        fail("FilterBank", "bands", f"(low, high) with 0 < low < high < Nyquist ({nyquist:g} Hz), "
             "one of them may be None", tuple(band), error=CyborgError)
    if low is None:
        return butter(order, high, btype="lowpass", fs=sfreq, output="sos")
    if high is None:
        return butter(order, low, btype="highpass", fs=sfreq, output="sos")
    return butter(order, (low, high), btype="bandpass", fs=sfreq, output="sos")


class FilterBank(TransformerMixin, BaseEstimator):
    """Causal Butterworth filters applied to each window on its own.

    Each window is filtered forward only, from the filter's steady state for
    the window's first sample (as if the signal had held that value before):
    a DC offset causes no step transient, and nothing outside the window is
    used, so training windows and pre-cut test epochs are treated alike.

    Parameters
    ----------
    sfreq : float
        Sampling rate of the windows in Hz.
    bands : sequence of (low, high)
        Pass bands in Hz; ``(None, high)`` is a low-pass, ``(low, None)`` a high-pass.
    order : int
        Butterworth order of each edge (a band-pass has ``2 * order`` poles).

    Attributes
    ----------
    sos_ : list of np.ndarray, each shape (n_sections, 6)
        The designed filters, one per band.
    zi_ : list of np.ndarray, each shape (n_sections, 2)
        Their step-response initial states (scaled by each window's first sample).
    """

    def __init__(self, sfreq: float, bands: Sequence[Band] = EEG_BANDS, order: int = 4):
        self.sfreq = sfreq
        self.bands = bands
        self.order = order

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "FilterBank":
        """Design the filters (``X`` is only checked)."""
        check_windows(X, "FilterBank")
        if not float(self.sfreq) > 0:
            fail("FilterBank", "sfreq", "a positive rate in Hz", self.sfreq, error=CyborgError)
        if len(self.bands) == 0:
            fail("FilterBank", "bands", "at least one band", "none", error=CyborgError)
        self.sos_ = [_design(band, float(self.sfreq), self.order) for band in self.bands]
        self.zi_ = [sosfilt_zi(sos) for sos in self.sos_]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Filter every window through every band.

        Parameters
        ----------
        X : np.ndarray, shape (n_trials, n_chans, n_times)

        Returns
        -------
        bands : np.ndarray of float64, shape (n_trials, n_bands, n_chans, n_times)
            Same unit as ``X``.
        """
        check_is_fitted(self)
        X = check_windows(X, "FilterBank")
        out = np.empty((X.shape[0], len(self.sos_), *X.shape[1:]))
        first = X[None, :, :, :1]  # (1, n_trials, n_chans, 1), broadcast against (n_sections, 1, 1, 2)
        # zi_ is absent from filter banks saved before it was kept
        zis = getattr(self, "zi_", None) or [sosfilt_zi(sos) for sos in self.sos_]
        for index, (sos, zi) in enumerate(zip(self.sos_, zis)):
            zi = zi[:, None, None, :] * first
            out[:, index], _ = sosfilt(sos, X, axis=-1, zi=zi)
        return out


class PerBand(TransformerMixin, BaseEstimator):
    """Fit a clone of ``estimator`` on each band of a filter-bank output; concatenate their features.

    Parameters
    ----------
    estimator : transformer
        Takes windows (n_trials, n_chans, n_times) (and ``y`` in ``fit``) and
        returns features (n_trials, ...), e.g. MNE's CSP or pyRiemann's
        covariances followed by a tangent space.

    Attributes
    ----------
    estimators_ : list of transformer
        One fitted clone per band.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    @staticmethod
    def _bands(X: np.ndarray, n_bands: int | None = None) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 4:
            fail("PerBand", "X", "shape (n_trials, n_bands, n_chans, n_times)", tuple(X.shape), error=CyborgError)
        if n_bands is not None and X.shape[1] != n_bands:
            fail("PerBand", "X", f"{n_bands} bands (as in fit)", f"shape {tuple(X.shape)}",
                 error=CyborgError)
        return X

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "PerBand":
        """Fit one clone per band on ``X`` (n_trials, n_bands, n_chans, n_times)."""
        X = self._bands(X)
        self.estimators_ = [clone(self.estimator).fit(np.ascontiguousarray(X[:, band]), y)
                            for band in range(X.shape[1])]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Features of every band, concatenated: (n_trials, n_features summed over bands)."""
        check_is_fitted(self)
        X = self._bands(X, len(self.estimators_))
        return np.concatenate([estimator.transform(np.ascontiguousarray(X[:, band])).reshape(len(X), -1)
                               for band, estimator in enumerate(self.estimators_)], axis=1)
