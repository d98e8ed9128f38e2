"""Preprocessing steps that act on Trials, window by window.

The challenge's theme-1 test set is pre-cut into 0.5 s epochs, so every
filter here runs per window and causally (``phase="forward"``): a training
window and a test window go through exactly the same operation, and nothing
is fitted on test data. Only :class:`DeadChannels` is fitted, on training
trials. Filters are MNE's designs (:func:`mne.filter.create_filter`, the
band-stops of :func:`mne.filter.notch_filter`), made once per sampling rate
and run as MNE runs ``phase="forward"`` (:func:`scipy.signal.sosfilt` from
zero state); resampling is :func:`mne.filter.resample`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import numpy as np

from cyborg.errors import StreamError
from cyborg.trials import Trials
from cyborg.validation import check_option


class Step:
    """A preprocessing step: ``fit`` on training trials, ``transform`` any trials.

    A step is *causal* when its output for a window depends on that window's
    samples (and on statistics fitted on training trials) only, never on other
    windows: then a stream can run it on its latest window and get exactly
    what the offline path gets (:mod:`cyborg.online`).
    """

    #: The output for one window depends on that window and fitted statistics only.
    causal: ClassVar[bool] = True

    def fit(self, trials: Trials) -> "Step":
        return self

    def check_stream(self, subject: str) -> None:
        """Raise :class:`~cyborg.errors.StreamError` unless ``subject``'s windows can stream one at a time."""
        if not self.causal:
            raise StreamError(f"{type(self).__name__}: expected a causal step (one window at a time), found a step "
                              "that uses the statistics of a whole session of windows; it cannot stream")

    def transform(self, trials: Trials) -> Trials:
        raise NotImplementedError

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"

    def __getstate__(self) -> dict:
        # designed filters are a cache, rebuilt on first use: saved decoders hold parameters only
        return {k: v for k, v in vars(self).items() if k != "_sos_"}


def _iir_params(order: int) -> dict:
    return {"order": order, "ftype": "butter", "output": "sos"}


def _design(sfreq: float, l_freq: float | None, h_freq: float | None, order: int) -> np.ndarray | None:
    """Second-order sections of MNE's causal Butterworth (a band-stop when ``l_freq > h_freq``).

    Returns
    -------
    sos : np.ndarray, shape (n_sections, 6) | None
        ``None`` when nothing is left to filter (no edge below Nyquist), as MNE then returns the data.
    """
    import mne

    if h_freq is not None and h_freq >= sfreq / 2:
        h_freq = None
    if l_freq is None and h_freq is None:
        return None
    params = mne.filter.create_filter(None, sfreq, l_freq, h_freq, method="iir", iir_params=_iir_params(order),
                                      phase="forward", verbose="error")
    return params["sos"]


class FilterStep(Step):
    """A step that runs causal IIR filters designed once per sampling rate (MNE's design, scipy's ``sosfilt``).

    ``phase="forward"`` in MNE is :func:`scipy.signal.sosfilt` from zero state,
    so applying the cached sections gives MNE's output without designing the
    filter on every call.
    """

    def bands(self, sfreq: float) -> list[tuple[float | None, float | None, int]]:
        """``(l_freq, h_freq, order)`` of each filter, applied in order, at ``sfreq`` Hz."""
        raise NotImplementedError

    def sos(self, sfreq: float) -> list[np.ndarray]:
        """The filters' second-order sections at ``sfreq`` Hz, each (n_sections, 6), designed on first use."""
        cache = self.__dict__.setdefault("_sos_", {})
        if sfreq not in cache:
            designed = (_design(sfreq, *band) for band in self.bands(sfreq))
            cache[sfreq] = [sos for sos in designed if sos is not None]
        return cache[sfreq]

    def filter(self, X: np.ndarray, sfreq: float) -> np.ndarray:
        """Filter ``X`` (..., n_times) along time from zero state; float64 in, float64 out."""
        from scipy.signal import sosfilt

        for sos in self.sos(sfreq):
            X = sosfilt(sos, X, axis=-1)
        return X


def subject_rows(trials: Trials) -> list[tuple[str, np.ndarray]]:
    """``(subject, row positions)`` for each subject in ``trials`` (one cheap pass, no pandas group-by).

    Per-window calls (a stream, one test epoch) pay for every microsecond here.
    """
    subjects = trials.metadata["subject"].to_numpy()
    if len(subjects) and (subjects == subjects[0]).all():
        return [(str(subjects[0]), np.arange(len(subjects)))]
    names, inverse = np.unique(subjects.astype(str), return_inverse=True)
    return [(str(name), np.flatnonzero(inverse == i)) for i, name in enumerate(names)]


class RemoveDC(Step):
    """Subtract each window's per-channel mean (the challenge files carry offsets of mV)."""

    def transform(self, trials: Trials) -> Trials:
        X = trials.X - trials.X.mean(axis=-1, keepdims=True, dtype=np.float64)
        return replace(trials, X=X.astype(np.float32))


class BandPass(FilterStep):
    """Causal Butterworth band-pass per window.

    Parameters
    ----------
    l_freq, h_freq : float | None
        Pass band edges in Hz (``None`` for a low- or high-pass only). An
        ``h_freq`` at or above Nyquist is dropped.
    order : int
        Butterworth order.
    """

    def __init__(self, l_freq: float | None = 2.0, h_freq: float | None = 125.0, order: int = 2):
        self.l_freq, self.h_freq, self.order = l_freq, h_freq, order

    def bands(self, sfreq: float) -> list[tuple[float | None, float | None, int]]:
        return [(self.l_freq, self.h_freq, self.order)]

    def transform(self, trials: Trials) -> Trials:
        X = self.filter(trials.X.astype(np.float64), trials.sfreq)
        return replace(trials, X=X.astype(np.float32))


class Notch(FilterStep):
    """Causal IIR notch at the line frequency and its harmonics below Nyquist.

    Parameters
    ----------
    freq : float
        Line frequency in Hz (60 in western Japan, 50 in the east and Europe).
    width : float
        Stop-band width in Hz.
    """

    def __init__(self, freq: float = 60.0, width: float = 4.0, order: int = 2):
        self.freq, self.width, self.order = freq, width, order

    def bands(self, sfreq: float) -> list[tuple[float | None, float | None, int]]:
        # one band-stop per harmonic (l_freq above h_freq), edges as mne.filter.notch_filter sets them
        # (its default 1 Hz transition band adds half a hertz each side)
        return [(freq + self.width / 2 + 0.5, freq - self.width / 2 - 0.5, self.order)
                for freq in np.arange(self.freq, sfreq / 2 - self.width, self.freq)]

    def transform(self, trials: Trials) -> Trials:
        X = self.filter(trials.X.astype(np.float64), trials.sfreq)
        return replace(trials, X=X.astype(np.float32))


class DeadChannels(Step):
    """Find dead (zero-filled / flat) or wildly scaled channels per subject on training trials.

    A channel is dead for a subject when its median window standard deviation
    is below ``flat_uv``; it is wild when that median exceeds ``wild_ratio``
    times the median over the subject's channels. At ``transform`` such
    channels are set to zero (``mode="zero"``) or interpolated from their
    neighbours by MNE's spherical splines (``mode="interpolate"``, needs
    10-10 channel names). Subjects not seen in ``fit`` are checked on the
    window itself (flat channels only).

    Parameters
    ----------
    mode : {"zero", "interpolate"}
        What to do with a bad channel.
    flat_uv : float
        Standard deviation (µV) under which a channel counts as dead.
    wild_ratio : float
        Ratio to the subject's median channel std above which a channel is bad.
    """

    def __init__(self, mode: str = "zero", flat_uv: float = 1e-3, wild_ratio: float = 20.0):
        self.mode = check_option(mode, ("zero", "interpolate"), "DeadChannels.mode")
        self.flat_uv, self.wild_ratio = flat_uv, wild_ratio
        self.bad_: dict[str, list[int]] = {}

    def _find(self, X: np.ndarray) -> list[int]:
        std = np.median(X.std(axis=-1), axis=0)
        alive = std[std > self.flat_uv]
        reference = np.median(alive) if alive.size else 0.0
        bad = (std <= self.flat_uv) | (std > self.wild_ratio * reference)
        return [int(i) for i in np.flatnonzero(bad)]

    def fit(self, trials: Trials) -> "DeadChannels":
        self.bad_ = {}
        for subject, rows in trials.metadata.groupby("subject").indices.items():
            self.bad_[str(subject)] = self._find(trials.X[rows])
        return self

    def check_stream(self, subject: str) -> None:
        if str(subject) not in self.bad_:
            raise StreamError(f"DeadChannels: expected a subject seen in fit {sorted(self.bad_)}, found "
                              f"{str(subject)!r}; an unseen subject's bad channels come from many windows at once, "
                              "which a stream does not have")

    def bad_channels(self, subject: str, ch_names: list[str]) -> list[str]:
        """Names of the channels found bad for ``subject`` in ``fit``."""
        return [ch_names[i] for i in self.bad_.get(str(subject), [])]

    def transform(self, trials: Trials) -> Trials:
        X = trials.X.copy()
        for subject, rows in subject_rows(trials):
            bad = self.bad_.get(subject)
            if bad is None:
                bad = self._find(X[rows])
            if not bad:
                continue
            if self.mode == "zero":
                X[np.ix_(rows, bad)] = 0.0
            else:
                X[rows] = _interpolate(X[rows], trials.sfreq, trials.ch_names, bad)
        return replace(trials, X=X)


def _interpolate(X: np.ndarray, sfreq: float, ch_names: list[str], bad: list[int]) -> np.ndarray:
    import mne

    info = mne.create_info(ch_names, sfreq, ch_types="eeg")
    epochs = mne.EpochsArray(X * 1e-6, info, verbose="error")
    epochs.set_montage("standard_1020", on_missing="ignore", verbose="error")
    epochs.info["bads"] = [ch_names[i] for i in bad]
    epochs.interpolate_bads(reset_bads=True, verbose="error")
    return (epochs.get_data(copy=False) * 1e6).astype(np.float32)


class SubjectScale(Step):
    """Divide each channel by its typical amplitude for that subject, learnt on training trials.

    Electrode gains differ between subjects and channels (surface EMG
    especially); dividing by the subject's median per-window channel std puts
    every subject on one scale. The statistics come from ``fit`` (training
    trials, e.g. a subject's train side of the ramp) and are reused for the
    same subject's other trials. A subject never seen in ``fit`` is scaled by
    its own trials' statistics at ``transform`` (inputs only, no targets).
    """

    def __init__(self) -> None:
        self.scale_: dict[str, np.ndarray] = {}

    @staticmethod
    def _scale(X: np.ndarray) -> np.ndarray:
        scale = np.median(X.std(axis=-1), axis=0)
        return np.where(scale > 0, scale, 1.0).astype(np.float32)

    def check_stream(self, subject: str) -> None:
        if str(subject) not in self.scale_:
            raise StreamError(f"SubjectScale: expected a subject seen in fit {sorted(self.scale_)}, found "
                              f"{str(subject)!r}; an unseen subject's scale comes from many windows at once, "
                              "which a stream does not have")

    def fit(self, trials: Trials) -> "SubjectScale":
        self.scale_ = {str(subject): self._scale(trials.X[rows])
                       for subject, rows in trials.metadata.groupby("subject").indices.items()}
        return self

    def transform(self, trials: Trials) -> Trials:
        X = np.empty_like(trials.X, dtype=np.float32)
        for subject, rows in subject_rows(trials):
            scale = self.scale_.get(subject)
            if scale is None:
                scale = self._scale(trials.X[rows])
            X[rows] = trials.X[rows] / scale[:, None]
        return replace(trials, X=X)


class Envelope(FilterStep):
    """EMG envelope: full-wave rectification then a causal low-pass.

    Parameters
    ----------
    h_freq : float
        Low-pass corner in Hz.
    order : int
        Butterworth order.
    """

    def __init__(self, h_freq: float = 10.0, order: int = 2):
        self.h_freq, self.order = h_freq, order

    def bands(self, sfreq: float) -> list[tuple[float | None, float | None, int]]:
        return [(None, self.h_freq, self.order)]

    def transform(self, trials: Trials) -> Trials:
        X = self.filter(np.abs(trials.X).astype(np.float64), trials.sfreq)
        return replace(trials, X=X.astype(np.float32))


class Resample(Step):
    """Polyphase resampling of each window to ``sfreq`` Hz (MNE, ``method="polyphase"``).

    Parameters
    ----------
    sfreq : float
        New sampling rate in Hz; must divide into a rational ratio with the old one.
    """

    def __init__(self, sfreq: float = 200.0):
        self.sfreq = sfreq

    def transform(self, trials: Trials) -> Trials:
        import mne
        from fractions import Fraction

        ratio = Fraction(self.sfreq / trials.sfreq).limit_denominator(1000)
        X = mne.filter.resample(trials.X.astype(np.float64), up=ratio.numerator, down=ratio.denominator,
                                method="polyphase", verbose="error")
        return replace(trials, X=X.astype(np.float32), sfreq=float(self.sfreq))
