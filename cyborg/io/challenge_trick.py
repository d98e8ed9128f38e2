"""Theme 1 (trick classification) challenge files: read into Recordings, write back.

Layout (CHALLENGE.md 1.2)::

    ROOT/train/subject{k}/train{1,2,3}.mat   times (ms), data (72, T) µV, ch_labels, event
    ROOT/test/subject{k}.mat                 data (N, 72, 250) µV, ch_labels

``event`` is a struct with fields ``init_index``, ``type`` and ``init_time``
(seconds); it may be stored as one struct of arrays or as a struct array, and
``times`` as a row or a column: the reader accepts all of them and the writer
produces each on request.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import mne
import numpy as np
import pandas as pd

from cyborg.challenge import (DIRECTIONS, EEG_CHANNELS, EEG_SFREQ, EPOCH_N_TIMES, EPOCH_TMIN, EVENT_TYPES,
                              T1_STANCE)
from cyborg.io.matfile import load_mat, save_mat
from cyborg.recording import Recording
from cyborg.validation import check_finite, check_keys, check_option, check_sfreq, fail

SESSION_KEYS = ("times", "data", "ch_labels", "event")
TEST_KEYS = ("data", "ch_labels")
EVENT_FIELDS = ("init_index", "type", "init_time")
EVENT_LAYOUTS = ("struct_of_arrays", "struct_array")
TIMES_LAYOUTS = ("row", "column")
#: MNE's standard 10-20 montage; renamed ``colin27_1020`` in MNE 1.13 (same positions).
MONTAGE = "colin27_1020" if "colin27_1020" in mne.channels.get_builtin_montages() else "standard_1020"
#: Width of the space-padded ``ch_labels`` char matrix in the original files.
LABEL_WIDTH = 4
_UV = 1e-6  # volts per µV


# --------------------------------------------------------------------------- reading

def read_trick_session(path: str | Path, subject: str | None = None,
                       session: str | None = None) -> Recording:
    """Read one continuous theme 1 training session.

    Parameters
    ----------
    path : str | Path
        A ``train{n}.mat`` file (MATLAB v5 or v7.3).
    subject : str | None
        Subject name; inferred from the path (``subject{k}``) when ``None``.
    session : str | None
        Session name; the file stem (``"train1"``) when ``None``.

    Returns
    -------
    Recording
        ``raw`` is an ``mne.io.RawArray`` of EEG channels in volts (file µV ×
        1e-6) with the standard 10-20 montage (:data:`MONTAGE`) and one annotation per event
        (onset ``init_time - times[0]`` in s, description ``str(type)``).
        ``extra["events"]`` is a DataFrame with ``init_index``, ``type``,
        ``init_time``, ``class_index`` (``type % 10 - 1``) and ``direction``
        (``"LED"``/``"Laser"``); ``extra["times_start_s"]`` is ``times[0]`` in s.

    Raises
    ------
    DataFormatError
        Missing key, data not (n_chans, T) with one label per channel, times
        not one value per sample at a 2 ms step, non-finite data, unknown event
        types or events outside the recording.
    """
    path = Path(path)
    content = load_mat(path)
    check_keys(content, SESSION_KEYS, path)
    ch_names = _channel_names(content["ch_labels"], path)
    data = _numeric_array(content["data"], path, "data")
    if data.ndim != 2:
        fail(path, "data", "a 2-D array (n_chans, T)", f"shape {data.shape}")
    if data.shape[0] != len(ch_names):
        fail(path, "data", f"{len(ch_names)} channels (one per ch_labels)", f"{data.shape[0]} rows")
    times_ms = _vector(content["times"], path, "times")
    if times_ms.size != data.shape[1]:
        fail(path, "times", f"{data.shape[1]} values (one per data column)", f"{times_ms.size}")
    _check_time_step(times_ms, path)
    check_finite(data, path, "data")
    events = _events_table(content["event"], path)
    start_s, stop_s = times_ms[0] / 1000.0, times_ms[-1] / 1000.0
    outside = (events["init_time"] < start_s) | (events["init_time"] > stop_s)
    if outside.any():
        first = float(events.loc[outside, "init_time"].iloc[0])
        fail(path, "event.init_time", f"event times within the recording [{start_s:.3f}, {stop_s:.3f}] s",
             f"{int(outside.sum())} outside (first at {first:.3f} s)")

    subject = subject or _subject_from_path(path)
    raw = mne.io.RawArray(data * _UV, mne.create_info(ch_names, EEG_SFREQ, "eeg"), verbose=False)
    raw.set_montage(MONTAGE, on_missing="warn", verbose=False)
    raw.set_annotations(mne.Annotations(onset=events["init_time"].to_numpy() - start_s,
                                        duration=np.zeros(len(events)),
                                        description=[str(t) for t in events["type"]]))
    return Recording(raw=raw, subject=subject, session=session or path.stem,
                     stance=T1_STANCE.get(subject), source=path,
                     extra={"events": events, "times_start_s": float(start_s)})


def read_trick_test(path: str | Path, subject: str | None = None) -> Recording:
    """Read one theme 1 test file of pre-cut epochs (0.2-0.7 s after the event).

    Parameters
    ----------
    path : str | Path
        A ``test/subject{k}.mat`` file.
    subject : str | None
        Subject name; inferred from the path when ``None``.

    Returns
    -------
    Recording
        ``raw`` is an ``mne.EpochsArray`` of shape (N, 72, 250), volts,
        ``tmin`` 0.2 s, montage set, metadata column ``sample_id``
        (``subject{k}_{i:03d}``, the submission's id). ``session`` is ``"test"``.
    """
    path = Path(path)
    content = load_mat(path)
    check_keys(content, TEST_KEYS, path)
    ch_names = _channel_names(content["ch_labels"], path)
    data = _numeric_array(content["data"], path, "data")
    expected = (len(EEG_CHANNELS), EPOCH_N_TIMES)
    if data.ndim != 3 or data.shape[1:] != expected:
        fail(path, "data", f"shape (N, {expected[0]}, {expected[1]})", tuple(data.shape))
    if len(ch_names) != data.shape[1]:
        fail(path, "ch_labels", f"{data.shape[1]} names (one per data channel)", len(ch_names))
    check_finite(data, path, "data")
    subject = subject or _subject_from_path(path)
    metadata = pd.DataFrame({"sample_id": [f"{subject}_{i:03d}" for i in range(len(data))]})
    epochs = mne.EpochsArray(data * _UV, mne.create_info(ch_names, EEG_SFREQ, "eeg"),
                             tmin=EPOCH_TMIN, metadata=metadata, verbose=False)
    epochs.set_montage(MONTAGE, on_missing="warn", verbose=False)
    return Recording(raw=epochs, subject=subject, session="test", stance=T1_STANCE.get(subject),
                     source=path)


def load_trick(root: str | Path) -> dict[str, list[Recording]]:
    """Read a whole theme 1 folder.

    Parameters
    ----------
    root : str | Path
        Folder holding ``train/subject{k}/train{n}.mat`` and, optionally,
        ``test/subject{k}.mat``.

    Returns
    -------
    dict
        ``"train"``: every session, sorted by subject number then session;
        ``"test"``: every test file sorted by subject number (empty without a
        ``test`` folder).
    """
    root = Path(root)
    train_dir = root / "train"
    if not train_dir.is_dir():
        found = sorted(p.name for p in root.iterdir()) if root.is_dir() else "no such folder"
        fail(root, None, "a folder 'train' holding subject{k}/train{n}.mat (theme 1 layout)", found)
    train_files = sorted(train_dir.glob("subject*/train*.mat"), key=_natural_key)
    if not train_files:
        fail(train_dir, None, "files subject{k}/train{n}.mat", "none")
    test_files = sorted((root / "test").glob("subject*.mat"), key=_natural_key)
    return {"train": [read_trick_session(p) for p in train_files],
            "test": [read_trick_test(p) for p in test_files]}


def _natural_key(path: Path) -> tuple:
    return tuple(int(part) if part.isdigit() else part
                 for part in re.split(r"(\d+)", path.as_posix()))


def _subject_from_path(path: Path) -> str:
    for part in (path.stem, *(p.name for p in path.parents)):
        if re.fullmatch(r"subject\d+", part):
            return part
    return path.parent.name


def _channel_names(labels: object, path: Path) -> list[str]:
    if isinstance(labels, str):
        labels = [labels]
    if isinstance(labels, np.ndarray) and labels.dtype.kind == "U":
        labels = labels.ravel().tolist()
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        fail(path, "ch_labels", "a char matrix of channel names", type(labels).__name__)
    names = [label.strip() for label in labels]
    if len(set(names)) != len(names) or "" in names:
        fail(path, "ch_labels", "unique, non-empty channel names", names)
    return names


def _numeric_array(value: object, path: Path, field: str) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "fiu":
        fail(path, field, "a numeric array", type(value).__name__ if not isinstance(value, np.ndarray)
             else f"dtype {value.dtype}")
    return value


def _vector(value: object, path: Path, field: str) -> np.ndarray:
    array = _numeric_array(value, path, field)
    if sum(n > 1 for n in array.shape) > 1:
        fail(path, field, "a row or column vector", f"shape {array.shape}")
    return array.astype(np.float64).ravel()


def _check_time_step(times_ms: np.ndarray, path: Path) -> None:
    if times_ms.size < 2:
        fail(path, "times", "at least 2 samples", times_ms.size)
    check_finite(times_ms, path, "times")
    steps = np.diff(times_ms)
    step = float(np.median(steps))
    check_sfreq(1000.0 / step if step > 0 else 0.0, EEG_SFREQ, path, "times")
    if not np.allclose(steps, 1000.0 / EEG_SFREQ, rtol=1e-3, atol=0.0):
        fail(path, "times", f"a constant {1000.0 / EEG_SFREQ:g} ms step",
             f"steps from {steps.min():g} to {steps.max():g} ms")


def _events_table(event: object, path: Path) -> pd.DataFrame:
    if isinstance(event, dict):
        fields = event
    elif isinstance(event, list) and all(isinstance(e, dict) for e in event):
        names = list(event[0]) if event else list(EVENT_FIELDS)
        fields = {name: np.concatenate([_vector(e[name], path, f"event({i + 1}).{name}")
                                        for i, e in enumerate(event)]) if event else np.zeros(0)
                  for name in names}
    else:
        fail(path, "event", f"a struct with fields {list(EVENT_FIELDS)}", type(event).__name__)
    missing = [name for name in EVENT_FIELDS if name not in fields]
    if missing:
        fail(path, "event", f"fields {list(EVENT_FIELDS)}", f"fields {list(fields)}")
    columns = {name: _vector(fields[name], path, f"event.{name}") for name in EVENT_FIELDS}
    lengths = {name: column.size for name, column in columns.items()}
    if len(set(lengths.values())) != 1:
        fail(path, "event", "fields of one length", lengths)
    for name, column in columns.items():
        check_finite(column, path, f"event.{name}")
    types = columns["type"]
    unknown = sorted({int(t) if float(t).is_integer() else float(t) for t in types} - set(EVENT_TYPES))
    if unknown:
        fail(path, "event.type", f"event types among {list(EVENT_TYPES)}", unknown)
    types = types.astype(np.int64)
    return pd.DataFrame({
        "init_index": columns["init_index"].astype(np.int64),
        "type": types,
        "init_time": columns["init_time"],
        "class_index": types % 10 - 1,
        "direction": [DIRECTIONS[t // 10] for t in types],
    })


# --------------------------------------------------------------------------- writing

def write_trick_session(path: str | Path, times_ms: np.ndarray, data_uv: np.ndarray,
                        ch_labels: Sequence[str], events: pd.DataFrame, version: str = "5",
                        event_layout: str = "struct_of_arrays", times_layout: str = "row") -> Path:
    """Write one theme 1 training session file.

    Parameters
    ----------
    path : str | Path
        Destination ``.mat`` file.
    times_ms : np.ndarray, shape (T,)
        Sample times in ms.
    data_uv : np.ndarray, shape (n_chans, T)
        EEG in µV (written in its own dtype).
    ch_labels : sequence of str
        Channel names, written as a space-padded char matrix (at least 4 wide).
    events : pandas.DataFrame
        Columns ``init_index``, ``type`` and ``init_time`` (s).
    version : {"5", "7.3"}
        MATLAB file version.
    event_layout : {"struct_of_arrays", "struct_array"}
        One 1x1 struct of 1xN arrays, or a 1xN struct array of scalars.
    times_layout : {"row", "column"}
        ``times`` as 1xT or Tx1.

    Returns
    -------
    path : Path
    """
    check_option(event_layout, EVENT_LAYOUTS, "event_layout")
    check_option(times_layout, TIMES_LAYOUTS, "times_layout")
    times = np.asarray(times_ms, dtype=np.float64).reshape((1, -1) if times_layout == "row" else (-1, 1))
    columns = {name: np.asarray(events[name], dtype=np.float64) for name in EVENT_FIELDS}
    if event_layout == "struct_of_arrays":
        event: dict | list = {name: column.reshape(1, -1) for name, column in columns.items()}
    else:
        event = [{name: columns[name][i] for name in EVENT_FIELDS} for i in range(len(events))]
    return save_mat(path, {"times": times, "data": np.asarray(data_uv), "ch_labels": _padded(ch_labels),
                           "event": event}, version=version)


def write_trick_test(path: str | Path, epochs_uv: np.ndarray, ch_labels: Sequence[str],
                     version: str = "5") -> Path:
    """Write one theme 1 test file.

    Parameters
    ----------
    path : str | Path
        Destination ``.mat`` file.
    epochs_uv : np.ndarray, shape (N, n_chans, 250)
        Pre-cut epochs in µV.
    ch_labels : sequence of str
        Channel names.
    version : {"5", "7.3"}
        MATLAB file version.
    """
    return save_mat(path, {"data": np.asarray(epochs_uv), "ch_labels": _padded(ch_labels)}, version=version)


def _padded(labels: Sequence[str]) -> list[str]:
    width = max(LABEL_WIDTH, *(len(label) for label in labels))
    return [label.ljust(width) for label in labels]
