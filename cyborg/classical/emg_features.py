"""Time-domain EMG features (Hudgins set, Hjorth parameters, band log-powers), per channel and time bin."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.signal import welch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from cyborg.errors import CyborgError
from cyborg.classical.inputs import check_windows
from cyborg.validation import fail

#: Names of the features computed in every channel and bin, in output order (band powers follow).
TIME_FEATURES = ("mav", "rms", "wl", "zc", "ssc", "hjorth_activity", "hjorth_mobility", "hjorth_complexity")


def default_emg_bands(sfreq: float, n_bands: int = 4) -> tuple[tuple[float, float], ...]:
    """``n_bands`` bands spaced evenly on a log scale from 10 Hz to min(450 Hz, 0.9 × Nyquist).

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz (> 22.3 Hz, so that the top edge is above 10 Hz).

    Returns
    -------
    bands : tuple of (low, high) in Hz
        E.g. at 2 kHz: 10-26, 26-67, 67-174, 174-450 Hz; at 200 Hz: 10-17, 17-30, 30-52, 52-90 Hz.
    """
    top = min(450.0, 0.45 * sfreq)
    if top <= 10.0:
        fail("default_emg_bands", "sfreq", "a rate above 22.3 Hz", sfreq, error=CyborgError)
    edges = np.geomspace(10.0, top, n_bands + 1)
    return tuple((float(low), float(high)) for low, high in zip(edges[:-1], edges[1:]))


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, 0 where the denominator is 0 (a flat, dead channel)."""
    out = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape))
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


class TimeDomainFeatures(TransformerMixin, BaseEstimator):
    """Classical EMG features in ``n_bins`` equal time bins of every channel.

    Per channel and bin, in this order (see :data:`TIME_FEATURES`):

    - ``mav``: mean absolute value (unit of X);
    - ``rms``: root mean square (unit of X);
    - ``wl``: waveform length, sum of absolute sample-to-sample differences (unit of X);
    - ``zc``: zero crossings, count of sign changes whose step is at least the threshold;
    - ``ssc``: slope sign changes, count of samples whose slopes on both sides differ in sign
      with a product above the threshold squared;
    - Hjorth ``activity`` (variance, unit²), ``mobility`` (sqrt(var(dx/dt) / var(x)), rad/s: 2πf
      for a sine of f Hz) and ``complexity`` (mobility of dx/dt over mobility of x, 1 for a sine);
    - the natural log of the power in each of ``bands`` (Welch periodogram, log of unit²).

    The threshold of ``zc`` and ``ssc`` is ``threshold`` times the channel's
    standard deviation over the whole window. A dead (flat) channel gives zeros
    (its band log-powers sit at a floor of 1e-8 times the trial's largest
    band power), never NaN. Bins ignore the ``n_times % n_bins`` last samples.

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    n_bins : int
        Number of equal time bins (1: whole-window features; more to regress trajectories).
    threshold : float
        ZC/SSC threshold relative to the channel's standard deviation (unitless): it
        rejects sign flips of low-level noise; 0 counts every flip.
    bands : sequence of (low, high) | None
        Bands in Hz for the log-powers; ``None`` uses :func:`default_emg_bands`.
    nperseg : int
        Welch segment length in samples (capped at the bin length).

    Attributes
    ----------
    n_chans_ : int
        Channel count seen in ``fit``.
    bands_ : tuple of (low, high)
        The bands used.
    """

    def __init__(self, sfreq: float, n_bins: int = 1, threshold: float = 0.01,
                 bands: Sequence[tuple[float, float]] | None = None, nperseg: int = 256):
        self.sfreq = sfreq
        self.n_bins = n_bins
        self.threshold = threshold
        self.bands = bands
        self.nperseg = nperseg

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> "TimeDomainFeatures":
        """Check ``X`` (n_trials, n_chans, n_times) and the bands against the Nyquist rate."""
        X = check_windows(X, "TimeDomainFeatures")
        if not 1 <= self.n_bins <= X.shape[-1] // 3:
            fail("TimeDomainFeatures", "n_bins", f"1 to {X.shape[-1] // 3} (3 samples a bin at least)",
                 self.n_bins, error=CyborgError)
        bands = default_emg_bands(self.sfreq) if self.bands is None else tuple(tuple(b) for b in self.bands)
        nyquist = self.sfreq / 2.0
        for low, high in bands:
            if not 0 <= low < high <= nyquist:
                fail("TimeDomainFeatures", "bands", f"(low, high) with 0 <= low < high <= Nyquist ({nyquist:g} Hz)",
                     (low, high), error=CyborgError)
        self.bands_ = bands
        self.n_chans_ = X.shape[1]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Features of every channel and bin.

        Parameters
        ----------
        X : np.ndarray, shape (n_trials, n_chans, n_times)

        Returns
        -------
        features : np.ndarray of float64, shape (n_trials, n_chans * n_bins * n_features)
            Ordered channel-major, then bin, then feature (see :meth:`get_feature_names_out`);
            ``n_features = len(TIME_FEATURES) + len(bands)``.
        """
        check_is_fitted(self)
        X = check_windows(X, "TimeDomainFeatures", self.n_chans_)
        n_trials, n_chans, n_times = X.shape
        bin_length = n_times // self.n_bins
        binned = X[..., :bin_length * self.n_bins].reshape(n_trials, n_chans, self.n_bins, bin_length)
        threshold = self.threshold * X.std(axis=-1)[..., None, None]  # (n_trials, n_chans, 1, 1)

        step = np.diff(binned, axis=-1)
        mav = np.abs(binned).mean(axis=-1)
        rms = np.sqrt(np.square(binned).mean(axis=-1))
        wl = np.abs(step).sum(axis=-1)
        zc = ((binned[..., :-1] * binned[..., 1:] < 0) & (np.abs(step) >= threshold)).sum(axis=-1)
        ssc = (-step[..., :-1] * step[..., 1:] > np.square(threshold)).sum(axis=-1)

        slope = step * self.sfreq
        curvature = np.diff(slope, axis=-1) * self.sfreq
        activity = binned.var(axis=-1)
        mobility = np.sqrt(_ratio(slope.var(axis=-1), activity))
        complexity = _ratio(np.sqrt(_ratio(curvature.var(axis=-1), slope.var(axis=-1))), mobility)

        features = np.concatenate([np.stack([mav, rms, wl, zc, ssc, activity, mobility, complexity], axis=-1),
                                   self._log_powers(binned)], axis=-1)
        return features.reshape(n_trials, -1)

    def _log_powers(self, binned: np.ndarray) -> np.ndarray:
        """Log band powers (n_trials, n_chans, n_bins, n_bands) of windows (n_trials, n_chans, n_bins, bin_length)."""
        bin_length = binned.shape[-1]
        freqs, psd = welch(binned, fs=self.sfreq, nperseg=min(self.nperseg, bin_length), axis=-1)
        resolution = freqs[1] - freqs[0]
        powers = []
        for low, high in self.bands_:
            inside = (freqs >= low) & (freqs < high)
            if not inside.any():
                fail("TimeDomainFeatures", "bands", f"a frequency bin of the {resolution:g} Hz grid "
                     f"({bin_length} samples a bin) in every band", (low, high), error=CyborgError)
            powers.append(psd[..., inside].sum(axis=-1) * resolution)
        powers = np.stack(powers, axis=-1)
        floor = 1e-8 * powers.reshape(len(powers), -1).max(axis=1) + np.finfo(np.float64).tiny
        return np.log(np.maximum(powers, floor[:, None, None, None]))

    def get_feature_names_out(self, input_features: Sequence[str] | None = None) -> np.ndarray:
        """Names ``ch{c}_bin{b}_{feature}`` in output order (band powers: ``logpow_{low}_{high}hz``)."""
        check_is_fitted(self)
        names = list(TIME_FEATURES) + [f"logpow_{low:g}_{high:g}hz" for low, high in self.bands_]
        return np.array([f"ch{c}_bin{b}_{name}" for c in range(self.n_chans_) for b in range(self.n_bins)
                         for name in names], dtype=object)
