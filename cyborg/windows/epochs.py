"""Cut fixed windows after events, or take pre-cut epochs, as Trials.

The challenge's theme-1 test epochs are 0.2-0.7 s after the event (250
samples at 500 Hz). :func:`event_windows` cuts training windows with exactly
the same rule, optionally with a margin on both sides for random-crop
augmentation (the model sees the centre crop at evaluation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from cyborg.errors import DataFormatError
from cyborg.recording import Recording
from cyborg.trials import Trials

#: MNE keeps EEG/EMG in volts; Trials hold µV for EEG.
VOLTS_TO_MICROVOLTS = 1e6


def event_sample(onset_s: float, sfreq: float) -> int:
    """Index of the sample at ``onset_s`` seconds from the first sample.

    Parameters
    ----------
    onset_s : float
        Event time in seconds, relative to the first sample of the recording.
    sfreq : float
        Sampling rate in Hz.

    Returns
    -------
    index : int
        ``round(onset_s * sfreq)``, the rule the challenge test epochs follow.
    """
    return int(round(onset_s * sfreq))


def event_windows(recording: Recording, tmin: float, n_times: int, *, margin: int = 0,
                  label_of: Callable[[str], int | None], class_names: tuple[str, ...],
                  scale: float = VOLTS_TO_MICROVOLTS) -> Trials:
    """Windows of ``n_times`` samples starting ``tmin`` seconds after each event.

    Parameters
    ----------
    recording : Recording
        Continuous recording (``mne.io.Raw``) with events as annotations.
    tmin : float
        Window start after the event, in seconds (0.2 for the challenge).
    n_times : int
        Window length in samples (250 for the challenge).
    margin : int
        Extra samples kept on both sides (for random-crop augmentation):
        windows are ``n_times + 2 * margin`` long.
    label_of : callable
        Maps an annotation description to a class index, or ``None`` to skip
        that annotation.
    class_names : tuple of str
        Class names, indexed by the labels.
    scale : float
        Factor from MNE's unit (volts) to the Trials unit (µV).

    Returns
    -------
    trials : Trials
        ``X`` of shape (n_events, n_chans, n_times + 2 * margin) float32,
        ``y`` class indices, metadata with subject, session, stance,
        ``event`` (description), ``onset`` (s) and ``trial`` (event order).
    """
    raw = recording.raw
    sfreq = recording.sfreq
    data = raw.get_data()
    n_samples = data.shape[1]
    offset = event_sample(tmin, sfreq)
    starts, labels, rows = [], [], []
    for order, annotation in enumerate(raw.annotations):
        label = label_of(annotation["description"])
        if label is None:
            continue
        onset = annotation["onset"] - raw.first_time
        start = event_sample(onset, sfreq) + offset - margin
        stop = start + n_times + 2 * margin
        if start < 0 or stop > n_samples:
            raise DataFormatError(
                f"{recording.source or recording.subject}: field 'event': expected events whose window "
                f"[{start}, {stop}) lies inside the {n_samples} samples, found event {order} at {onset:.3f} s")
        starts.append(start)
        labels.append(label)
        rows.append({"subject": recording.subject, "session": recording.session,
                     "stance": recording.stance, "event": annotation["description"],
                     "onset": float(onset), "trial": order, **_event_extra(recording, order)})
    length = n_times + 2 * margin
    X = np.empty((len(starts), data.shape[0], length), dtype=np.float32)
    for i, start in enumerate(starts):
        X[i] = data[:, start:start + length] * scale
    return Trials(X=X, y=np.asarray(labels, dtype=np.int64), metadata=pd.DataFrame(rows),
                  sfreq=sfreq, ch_names=list(raw.ch_names), class_names=tuple(class_names),
                  info={"margin": margin})


def _event_extra(recording: Recording, order: int) -> Mapping[str, object]:
    """Per-event columns a reader kept in ``recording.extra['events']`` (e.g. direction)."""
    events = recording.extra.get("events")
    if events is None or order >= len(events):
        return {}
    row = events.iloc[order]
    return {k: row[k] for k in ("direction", "type") if k in row}


def trials_from_epochs(recording: Recording, *, class_names: tuple[str, ...] | None = None,
                       target_shape: tuple[int, int] | None = None, scale: float = 1.0) -> Trials:
    """Pre-cut epochs (challenge test files, theme-2 trials) as Trials.

    Parameters
    ----------
    recording : Recording
        Epoched recording (``mne.Epochs``). Its ``targets`` (n_epochs,
        n_steps, n_axes), when present, become ``y``; otherwise ``y`` holds
        NaN kinematics of ``target_shape`` or -1 labels.
    class_names : tuple of str | None
        Class names when the task is classification.
    target_shape : tuple of int | None
        (n_steps, n_axes) of unknown kinematic targets (test side).
    scale : float
        Factor from MNE's unit to the Trials unit (1e6 for EEG in µV; 1 for
        EMG kept in the file's unit).

    Returns
    -------
    trials : Trials
        ``X`` of shape (n_epochs, n_chans, n_times) float32.
    """
    epochs = recording.raw
    X = (epochs.get_data(copy=True) * scale).astype(np.float32)
    n = len(X)
    metadata = epochs.metadata.copy() if epochs.metadata is not None else pd.DataFrame(index=range(n))
    metadata = metadata.reset_index(drop=True)
    for column, value in (("subject", recording.subject), ("session", recording.session),
                          ("side", recording.side), ("stance", recording.stance)):
        metadata[column] = value
    metadata["trial"] = np.arange(n)
    if recording.targets is not None:
        y = np.asarray(recording.targets, dtype=np.float32)
    elif target_shape is not None:
        y = np.full((n, *target_shape), np.nan, dtype=np.float32)
    else:
        y = np.full(n, -1, dtype=np.int64)
    return Trials(X=X, y=y, metadata=metadata, sfreq=recording.sfreq, ch_names=recording.ch_names,
                  class_names=tuple(class_names) if class_names else None,
                  target_names=recording.target_names, target_sfreq=recording.target_sfreq)
