"""Sliding windows over continuous recordings: kinematic targets or class labels.

Time convention (shared with :class:`cyborg.recording.Recording`): signal
sample ``i`` is at ``i / sfreq`` seconds and target sample ``k`` at
``k / target_sfreq`` seconds, both counted from the first signal sample.
A window of ``n = round(window_s * sfreq)`` samples starting at sample ``s``
covers ``[s / sfreq, (s + n) / sfreq)``; its *time* is that of its last
sample, ``t = (s + n - 1) / sfreq``.

Targets are resampled to the requested rate with a polyphase filter
(:func:`scipy.signal.resample_poly`), which keeps them on the same clock
(no FFT wrap-around, no shift). The target at time ``t`` is interpolated
linearly between the resampled samples ``floor(t * target_sfreq)`` and the
next one, so a window's target is at its exact time even when the window
grid and the target grid do not coincide.

Invalid target samples (NaN/inf, or ``False`` in the optional boolean
``recording.extra["target_valid"]`` of shape (n_target_samples,)) are never
interpolated into a kept window: a window is dropped when any invalid
original target sample lies within one (original or new) target period of
the targets it covers, and the drops are counted in
``Trials.info["n_dropped"]``. Windows whose signal holds NaN/inf are dropped
and counted too.

Trials units follow :class:`cyborg.trials.Trials`: EEG in µV; other channels
in the unit the file wrote when ``recording.extra["file_units"]`` names it
(``mV`` -> mV), otherwise as MNE holds them (volts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from cyborg.errors import CyborgError
from cyborg.recording import Recording
from cyborg.trials import Trials
from cyborg.validation import check_option, is_number

TARGET_MODES = ("last", "mean", "sequence")
#: Scale from volts to a unit a file may write.
UNIT_FROM_VOLTS = {"v": 1.0, "mv": 1e3, "uv": 1e6, "µv": 1e6, "μv": 1e6}
#: Largest denominator accepted for the target resampling ratio.
MAX_RESAMPLE_DENOMINATOR = 1000


def sliding_windows(recording: Recording, window_s: float, step_s: float, *,
                    target_sfreq: float | None = None, target_mode: str = "last",
                    n_target_steps: int | None = None, target_lag_s: float = 0.0,
                    picks: Sequence[str] | None = None,
                    metadata: Mapping[str, Any] | None = None) -> Trials:
    """Cut a continuous recording with a continuous target into windows.

    Parameters
    ----------
    recording : Recording
        Continuous (``mne.io.Raw``) recording whose ``targets`` has shape
        (n_target_samples, n_axes) at ``target_sfreq``.
    window_s, step_s : float
        Window length and hop in seconds (rounded to whole samples).
    target_sfreq : float | None
        Rate the target is resampled to (polyphase) before windowing, in Hz;
        ``None`` keeps the recording's target rate.
    target_mode : {"last", "mean", "sequence"}
        ``"last"``: the target at the window's last sample, y of shape
        (n, 1, n_axes). ``"mean"``: the mean of the resampled target samples
        from the window's start to its last sample, (n, 1, n_axes).
        ``"sequence"``: ``n_target_steps`` targets one target period apart,
        the last one at the window's last sample, (n, n_target_steps, n_axes).
    n_target_steps : int | None
        Steps of ``"sequence"`` mode; default ``floor(window_s * target_sfreq)``
        (0.5 s at 60 Hz -> 30).
    target_lag_s : float
        Look-back lag in seconds (>= 0): the targets are taken ``target_lag_s``
        after the window's last sample (``"last"`` and ``"sequence"``; the
        ``"mean"`` of a window is not moved), so a window decodes the target
        from signal that ends that long before it. Windows whose lagged
        target lies past the recording's end are dropped (``n_dropped_target``).
    picks : sequence of str | None
        Channels to keep; default all except stim channels.
    metadata : mapping | None
        Constant columns added to every window's metadata (e.g. exercise).

    Returns
    -------
    trials : Trials
        ``X`` (n_windows, n_chans, n_times) float32, ``y`` float32 as above,
        metadata ``subject``, ``session``, ``window`` (index among all
        candidate windows), ``start_s``, ``time_s`` (time of the last
        sample) and the ``metadata`` columns; ``info``: ``n_dropped``,
        ``n_dropped_target``, ``n_dropped_signal``, ``n_candidates``,
        ``window_s``, ``step_s``, ``units``.

    Raises
    ------
    CyborgError
        Epoched recordings, a recording without targets, windows longer than
        the recording, or a target rate that is not a simple ratio of the
        original.
    """
    check_option(target_mode, TARGET_MODES, "sliding_windows: target_mode")
    if not is_number(target_lag_s) or target_lag_s < 0 or target_lag_s and target_mode == "mean":
        raise CyborgError(f"sliding_windows: target_lag_s: expected a lag in seconds >= 0 (0 with target_mode "
                          f"'mean'), found {target_lag_s!r} with target_mode {target_mode!r}")
    data, ch_names, units = _signal(recording, picks)
    if recording.targets is None or recording.target_sfreq is None:
        raise CyborgError(f"sliding_windows: {_name(recording)}: expected continuous targets and "
                          f"target_sfreq, found none (use labelled_windows for class labels)")
    sfreq = recording.sfreq
    n_times, starts = _window_starts(data.shape[1], sfreq, window_s, step_s, recording)
    targets = np.asarray(recording.targets, dtype=float)
    if targets.ndim == 1:
        targets = targets[:, None]
    valid = np.isfinite(targets).all(axis=1) & _flagged_valid(recording, len(targets))
    new_sfreq = float(target_sfreq or recording.target_sfreq)
    resampled, new_valid = resample_target(targets, valid, float(recording.target_sfreq), new_sfreq)

    last_time = (starts + n_times - 1) / sfreq
    n_steps = 1
    if target_mode == "sequence":
        n_steps = int(n_target_steps or np.floor(window_s * new_sfreq + 1e-9))
        if n_steps < 1:
            raise CyborgError(f"sliding_windows: n_target_steps: expected >= 1, found {n_steps}")
    # positions on the resampled grid of the targets each window reports
    positions = (last_time[:, None] + target_lag_s) * new_sfreq + np.arange(-n_steps + 1, 1)
    k_used_lo = np.floor(positions[:, 0] + 1e-9).astype(int)
    k_used_hi = np.ceil(positions[:, -1] - 1e-9).astype(int)
    k_first = np.ceil(starts / sfreq * new_sfreq - 1e-9).astype(int)
    span_lo = np.minimum(k_first, k_used_lo)
    inside = (span_lo >= 0) & (k_used_hi < len(resampled))
    invalid_count = np.r_[0, np.cumsum(~new_valid)]
    lo = np.clip(span_lo, 0, len(resampled))
    hi = np.clip(k_used_hi + 1, 0, len(resampled))
    target_ok = inside & (invalid_count[hi] - invalid_count[lo] == 0)
    signal_ok = _finite_windows(data, starts, n_times)
    keep = target_ok & signal_ok

    y = _interpolate(resampled, positions[keep])  # (n_kept, n_steps, n_axes)
    if target_mode == "mean":
        y = _window_mean(resampled, k_first[keep], np.floor(positions[keep, 0] + 1e-9).astype(int), y)

    X = _gather(data, starts[keep], n_times)
    table = _metadata(recording, np.flatnonzero(keep), starts[keep] / sfreq, last_time[keep], metadata)
    n_dropped_target = int((~target_ok).sum())
    n_dropped_signal = int((target_ok & ~signal_ok).sum())
    return Trials(X=X, y=y.astype(np.float32), metadata=table, sfreq=sfreq, ch_names=ch_names,
                  target_names=recording.target_names, target_sfreq=new_sfreq,
                  info={"n_dropped": n_dropped_target + n_dropped_signal,
                        "n_dropped_target": n_dropped_target, "n_dropped_signal": n_dropped_signal,
                        "n_candidates": len(starts), "window_s": n_times / sfreq,
                        "step_s": _step_samples(step_s, sfreq) / sfreq, "target_mode": target_mode,
                        "target_lag_s": float(target_lag_s), "units": units})


def labelled_windows(recording: Recording, window_s: float, step_s: float, *,
                     classes: Sequence[str], picks: Sequence[str] | None = None,
                     metadata: Mapping[str, Any] | None = None) -> Trials:
    """Cut a continuous recording into windows labelled by the annotation they lie in.

    A window is kept only when every one of its samples lies inside
    annotations of one single class of ``classes``; windows touching
    unannotated time, another description, two classes, or NaN signal are
    dropped and counted.

    Parameters
    ----------
    recording : Recording
        Continuous recording whose annotations mark class intervals
        (onset + duration).
    window_s, step_s : float
        Window length and hop in seconds.
    classes : sequence of str
        Annotation descriptions to use, in class-index order.
    picks : sequence of str | None
        Channels to keep; default all except stim channels.
    metadata : mapping | None
        Constant columns added to every window's metadata.

    Returns
    -------
    trials : Trials
        ``X`` (n_windows, n_chans, n_times) float32, ``y`` int64 class
        indices, ``class_names`` = ``tuple(classes)``, metadata ``subject``,
        ``session``, ``window``, ``start_s``, ``time_s``, ``event``;
        ``info["n_dropped"]`` (unlabelled, ambiguous or NaN windows).
    """
    classes = tuple(classes)
    data, ch_names, units = _signal(recording, picks)
    sfreq = recording.sfreq
    n_times, starts = _window_starts(data.shape[1], sfreq, window_s, step_s, recording)
    label = sample_labels(recording, classes)
    # a window is pure when min == max == a class index over its samples
    label_windows = np.lib.stride_tricks.sliding_window_view(label, n_times)[starts]
    low, high = label_windows.min(axis=1), label_windows.max(axis=1)
    keep = (low == high) & (low >= 0) & _finite_windows(data, starts, n_times)
    X = _gather(data, starts[keep], n_times)
    y = low[keep].astype(np.int64)
    table = _metadata(recording, np.flatnonzero(keep), starts[keep] / sfreq,
                      (starts[keep] + n_times - 1) / sfreq, metadata)
    table["event"] = [classes[i] for i in y]
    return Trials(X=X, y=y, metadata=table, sfreq=sfreq, ch_names=ch_names, class_names=classes,
                  info={"n_dropped": int((~keep).sum()), "n_candidates": len(starts),
                        "window_s": n_times / sfreq, "step_s": _step_samples(step_s, sfreq) / sfreq,
                        "units": units})


def sample_labels(recording: Recording, classes: Sequence[str]) -> np.ndarray:
    """Class index of every signal sample from the annotations.

    Returns
    -------
    labels : np.ndarray of int, shape (n_times,)
        The class index, ``-1`` outside every listed annotation and ``-2``
        where annotations of two classes overlap.
    """
    raw = recording.raw
    index = {name: i for i, name in enumerate(classes)}
    labels = np.full(raw.n_times, -1, dtype=np.int64)
    annotations = raw.annotations
    offset = raw.first_time if annotations.orig_time is not None else 0.0
    for onset, duration, description in zip(annotations.onset, annotations.duration,
                                             annotations.description):
        if description not in index:
            continue
        start = max(int(round((onset - offset) * recording.sfreq)), 0)
        stop = min(int(round((onset - offset + duration) * recording.sfreq)), raw.n_times)
        segment = labels[start:stop]
        clash = (segment >= 0) & (segment != index[description]) | (segment == -2)
        segment[:] = np.where(clash, -2, index[description])
    return labels


def resample_target(targets: np.ndarray, valid: np.ndarray, sfreq: float,
                    new_sfreq: float) -> tuple[np.ndarray, np.ndarray]:
    """Polyphase-resample a target and carry its validity mask to the new rate.

    Parameters
    ----------
    targets : np.ndarray, shape (n_samples, n_axes)
        The target at ``sfreq`` Hz (invalid samples may hold anything).
    valid : np.ndarray of bool, shape (n_samples,)
        Which samples are valid.
    sfreq, new_sfreq : float
        Original and new rates in Hz; their ratio must be a fraction with a
        denominator of at most 1000.

    Returns
    -------
    resampled : np.ndarray, shape (ceil(n_samples * new_sfreq / sfreq), n_axes)
        Sample ``j`` is at time ``j / new_sfreq``. Invalid samples are
        replaced by linear interpolation before filtering, so they do not
        spread NaN.
    new_valid : np.ndarray of bool
        ``False`` where an invalid original sample lies within
        ``max(1 / sfreq, 1 / new_sfreq)`` seconds, or past the original end.
    """
    from scipy.signal import resample_poly

    ratio = Fraction(new_sfreq / sfreq).limit_denominator(MAX_RESAMPLE_DENOMINATOR)
    if not np.isclose(float(ratio) * sfreq, new_sfreq, rtol=1e-9):
        raise CyborgError(f"resample_target: expected a target rate that is a simple fraction of "
                          f"{sfreq:g} Hz, found {new_sfreq:g} Hz")
    filled = _interpolate_invalid(targets, valid)
    if ratio == 1:
        return filled, valid.copy()
    resampled = resample_poly(filled, ratio.numerator, ratio.denominator, axis=0, padtype="line")
    times = np.arange(len(resampled)) / new_sfreq
    margin = max(1.0 / sfreq, 1.0 / new_sfreq)
    invalid_count = np.r_[0, np.cumsum(~valid)]
    lo = np.clip(np.floor((times - margin) * sfreq + 1e-9).astype(int) + 1, 0, len(valid))
    hi = np.clip(np.ceil((times + margin) * sfreq - 1e-9).astype(int), 0, len(valid))
    new_valid = (invalid_count[hi] - invalid_count[lo] == 0) & (times <= (len(valid) - 1) / sfreq + 1e-9)
    return resampled, new_valid


def _interpolate(resampled: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Linear interpolation of ``resampled`` (n, n_axes) at fractional ``positions`` (m, k) -> (m, k, n_axes)."""
    below = np.floor(positions + 1e-9).astype(int)
    fraction = np.clip(positions - below, 0.0, 1.0)[..., None]
    above = np.minimum(below + 1, len(resampled) - 1)
    return (1.0 - fraction) * resampled[below] + fraction * resampled[above]


def _window_mean(resampled: np.ndarray, first: np.ndarray, last: np.ndarray,
                 fallback: np.ndarray) -> np.ndarray:
    """Mean of samples ``first..last`` per window (n, 1, n_axes); ``fallback`` where none lie inside."""
    cumulative = np.concatenate([np.zeros((1, resampled.shape[1])), np.cumsum(resampled, axis=0)])
    count = (last - first + 1)[:, None]
    stop = np.maximum(last + 1, first)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (cumulative[stop] - cumulative[first]) / count
    return np.where(count[:, None] > 0, mean[:, None, :], fallback)


def _interpolate_invalid(targets: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Invalid samples replaced by linear interpolation between valid ones (0 when none is valid)."""
    filled = np.array(targets, dtype=float)
    if valid.all():
        return filled
    if not valid.any():
        return np.zeros_like(filled)
    positions = np.arange(len(filled))
    for axis in range(filled.shape[1]):
        filled[~valid, axis] = np.interp(positions[~valid], positions[valid], filled[valid, axis])
    return filled


def _signal(recording: Recording, picks: Sequence[str] | None) -> tuple[np.ndarray, list[str], dict]:
    """Signal in Trials units (n_chans, n_times), its channel names and units."""
    import mne

    if recording.is_epoched:
        raise CyborgError(f"sliding windows: {_name(recording)}: expected a continuous recording, "
                          f"found epochs")
    raw = recording.raw
    if picks is None:
        picks = [raw.ch_names[i] for i in mne.pick_types(raw.info, stim=False, meg=True, eeg=True,
                                                         emg=True, eog=True, ecg=True, misc=True,
                                                         seeg=True, ecog=True, bio=True, exclude=[])]
    picks = list(picks)
    if not picks:
        raise CyborgError(f"sliding windows: {_name(recording)}: expected signal channels, found none")
    data = raw.get_data(picks=picks)
    types = raw.get_channel_types(picks=picks)
    file_units = recording.extra.get("file_units", {})
    scales, units = np.ones(len(picks)), {}
    for i, (name, kind) in enumerate(zip(picks, types)):
        unit = "µV" if kind == "eeg" else str(file_units.get(name, "V"))
        scale = UNIT_FROM_VOLTS.get(unit.strip().lower())
        if scale is None:  # a unit MNE did not convert (e.g. arbitrary units): kept as read
            scale = 1.0
        scales[i], units[name] = scale, unit
    return data * scales[:, None], picks, units


def _finite_windows(data: np.ndarray, starts: np.ndarray, n_times: int) -> np.ndarray:
    """Which windows hold only finite samples (a running count of bad samples)."""
    bad_count = np.r_[0, np.cumsum(~np.isfinite(data).all(axis=0))]
    return bad_count[starts + n_times] - bad_count[starts] == 0


def _gather(data: np.ndarray, starts: np.ndarray, n_times: int) -> np.ndarray:
    """Windows (n_windows, n_chans, n_times) float32 copied into one preallocated array."""
    X = np.empty((len(starts), data.shape[0], n_times), dtype=np.float32)
    for i, start in enumerate(starts):
        X[i] = data[:, start:start + n_times]
    return X


def _step_samples(step_s: float, sfreq: float) -> int:
    return int(round(step_s * sfreq))


def _window_starts(n_samples: int, sfreq: float, window_s: float, step_s: float,
                   recording: Recording) -> tuple[int, np.ndarray]:
    n_times, step = int(round(window_s * sfreq)), _step_samples(step_s, sfreq)
    if n_times < 1 or step < 1:
        raise CyborgError(f"sliding windows: window_s and step_s: expected at least one sample at "
                          f"{sfreq:g} Hz, found {window_s:g} s and {step_s:g} s")
    if n_times > n_samples:
        raise CyborgError(f"sliding windows: {_name(recording)}: expected a recording at least "
                          f"{window_s:g} s long, found {n_samples / sfreq:g} s")
    return n_times, np.arange(0, n_samples - n_times + 1, step)


def _flagged_valid(recording: Recording, n_samples: int) -> np.ndarray:
    flags = recording.extra.get("target_valid")
    if flags is None:
        return np.ones(n_samples, dtype=bool)
    flags = np.asarray(flags, dtype=bool)
    if flags.shape != (n_samples,):
        raise CyborgError(f"sliding_windows: {_name(recording)}: extra['target_valid']: expected "
                          f"shape ({n_samples},), found {flags.shape}")
    return flags


def _metadata(recording: Recording, window_index: np.ndarray, start_s: np.ndarray,
              time_s: np.ndarray, constants: Mapping[str, Any] | None) -> pd.DataFrame:
    table = pd.DataFrame({"subject": recording.subject, "session": recording.session,
                          "window": window_index, "start_s": start_s, "time_s": time_s})
    for column, value in (constants or {}).items():
        table[column] = value
    return table


def _name(recording: Recording) -> str:
    return str(recording.source or f"{recording.subject}/{recording.session}")
