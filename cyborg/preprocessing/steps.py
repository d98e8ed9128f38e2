"""Preprocessing steps that act on Trials, window by window.

The challenge's theme-1 test set is pre-cut into 0.5 s epochs, so every
filter here runs per window and causally (``phase="forward"``): a training
window and a test window go through exactly the same operation, and nothing
is fitted on test data. Only :class:`DeadChannels` is fitted, on training
trials. Filtering is MNE's (:func:`mne.filter.filter_data`,
:func:`mne.filter.notch_filter`, :func:`mne.filter.resample`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cyborg.trials import Trials
from cyborg.validation import check_option


class Step:
    """A preprocessing step: ``fit`` on training trials, ``transform`` any trials."""

    def fit(self, trials: Trials) -> "Step":
        return self

    def transform(self, trials: Trials) -> Trials:
        raise NotImplementedError

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.endswith("_"))
        return f"{type(self).__name__}({params})"


def _iir_params(order: int) -> dict:
    return {"order": order, "ftype": "butter", "output": "sos"}


def _filter(trials: Trials, l_freq: float | None, h_freq: float | None, order: int) -> Trials:
    import mne

    nyquist = trials.sfreq / 2
    if h_freq is not None and h_freq >= nyquist:
        h_freq = None
    X = mne.filter.filter_data(trials.X.astype(np.float64), trials.sfreq, l_freq, h_freq,
                               method="iir", iir_params=_iir_params(order), phase="forward",
                               verbose="error")
    return replace(trials, X=X.astype(np.float32))


class RemoveDC(Step):
    """Subtract each window's per-channel mean (the challenge files carry offsets of mV)."""

    def transform(self, trials: Trials) -> Trials:
        X = trials.X - trials.X.mean(axis=-1, keepdims=True, dtype=np.float64)
        return replace(trials, X=X.astype(np.float32))


class BandPass(Step):
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

    def transform(self, trials: Trials) -> Trials:
        return _filter(trials, self.l_freq, self.h_freq, self.order)


class Notch(Step):
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

    def transform(self, trials: Trials) -> Trials:
        import mne

        X = trials.X.astype(np.float64)
        for freq in np.arange(self.freq, trials.sfreq / 2 - self.width, self.freq):
            # MNE's IIR notch takes one stop band per call
            X = mne.filter.notch_filter(X, trials.sfreq, freq, notch_widths=self.width, method="iir",
                                        iir_params=_iir_params(self.order), phase="forward",
                                        verbose="error")
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

    def bad_channels(self, subject: str, ch_names: list[str]) -> list[str]:
        """Names of the channels found bad for ``subject`` in ``fit``."""
        return [ch_names[i] for i in self.bad_.get(str(subject), [])]

    def transform(self, trials: Trials) -> Trials:
        X = trials.X.copy()
        for subject, rows in trials.metadata.groupby("subject").indices.items():
            bad = self.bad_.get(str(subject))
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

    def fit(self, trials: Trials) -> "SubjectScale":
        self.scale_ = {str(subject): self._scale(trials.X[rows])
                       for subject, rows in trials.metadata.groupby("subject").indices.items()}
        return self

    def transform(self, trials: Trials) -> Trials:
        X = np.empty_like(trials.X, dtype=np.float32)
        for subject, rows in trials.metadata.groupby("subject").indices.items():
            scale = self.scale_.get(str(subject))
            if scale is None:
                scale = self._scale(trials.X[rows])
            X[rows] = trials.X[rows] / scale[:, None]
        return replace(trials, X=X)


class Envelope(Step):
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

    def transform(self, trials: Trials) -> Trials:
        return _filter(replace(trials, X=np.abs(trials.X)), None, self.h_freq, self.order)


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
