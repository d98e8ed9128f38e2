"""UCI "EMG Data for Gestures": 8-channel Myo armband EMG, static hand gestures.

Folders ``<subject>/`` (``01``, ``05`` ...) with two series each,
``<series>_raw_data_<hh-mm>_<dd.mm.yy>.txt``. Each series: 6 gestures
(rest, fist, wrist flexion, wrist extension, radial and ulnar deviation;
extended palm only for some subjects) x 2 repetitions, 3 s each with 3 s
pauses. The reader (:func:`cyborg.io.text_emg.read_uci_gestures`) puts the
time-stamped rows on a 1 kHz grid and marks each gesture as an annotation;
this loader resamples the signal to ``sfreq`` (polyphase; the Myo itself
updates at <= 200 Hz) and cuts sliding windows labelled by the gesture they
lie in. Windows that touch unmarked time (class 0, transitions) or two
gestures are dropped and counted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from cyborg.errors import CyborgError, DataFormatError
from cyborg.io.datasets import DATA_ROOT_HINT, shared_data_root
from cyborg.io.formats import reader_errors
from cyborg.io.text_emg import GESTURES, read_uci_gestures
from cyborg.recording import Recording
from cyborg.trials import Trials
from cyborg.windows.sliding import labelled_windows

#: The gestures every subject performed, in class-index order.
CLASS_NAMES = tuple(GESTURES[code] for code in range(1, 7))
DATASET_FOLDER = "uci_emg_gestures"
_FILE_NAME = re.compile(r"^(\d+)_raw_data_.*\.txt$")


def gesture_files(root: str | Path | None = None, *, subjects: Sequence[str] | None = None,
                  series: Sequence[int] | None = None) -> list[Path]:
    """The dataset's text files under ``root``, sorted by subject and series.

    Parameters
    ----------
    root : str | Path | None
        Folder holding ``uci_emg_gestures/`` (or the dataset folder itself);
        default :func:`shared_data_root`.
    subjects : sequence of str | None
        Subject folder names to keep (``"01"``); ``None`` keeps all.
    series : sequence of int | None
        Series numbers to keep (1, 2); ``None`` keeps all.

    Returns
    -------
    paths : list of Path
    """
    root = Path(root) if root is not None else shared_data_root()
    folder = root / DATASET_FOLDER if (root / DATASET_FOLDER).is_dir() else root
    found = []
    for path in folder.glob("*/*.txt") if folder.is_dir() else []:
        match = _FILE_NAME.match(path.name)
        if not match or not path.parent.name.isdigit():
            continue
        if subjects is not None and path.parent.name not in subjects:
            continue
        if series is not None and int(match.group(1)) not in series:
            continue
        found.append((path.parent.name, int(match.group(1)), path))
    return [path for *_, path in sorted(found)]


def load_gesture_recordings(root: str | Path | None = None, *, subjects: Sequence[str] | None = None,
                            series: Sequence[int] | None = None,
                            sfreq: float | None = 200.0) -> list[Recording]:
    """Read the gesture files, resampled to ``sfreq``.

    Parameters
    ----------
    root, subjects, series
        See :func:`gesture_files`.
    sfreq : float | None
        Rate to resample to (Hz, polyphase); ``None`` keeps the 1 kHz grid.

    Returns
    -------
    recordings : list of Recording
        8 EMG channels (Myo units, not volts), gesture annotations,
        ``subject`` the folder name, ``session`` the series number.

    Raises
    ------
    DataFormatError
        No file found, or a file the reader refuses.
    """
    paths = gesture_files(root, subjects=subjects, series=series)
    if not paths:
        raise DataFormatError(
            f"{Path(root) if root is not None else shared_data_root()}: expected UCI gestures files "
            f"({DATASET_FOLDER}/<subject>/<series>_raw_data_*.txt) for subjects {subjects or 'all'}, "
            f"series {series or 'all'}, found none; {DATA_ROOT_HINT}")
    recordings = []
    for path in paths:
        recording = read_uci_gestures(path)
        if sfreq is not None and sfreq != recording.sfreq:
            with reader_errors(path, f"resampling to {sfreq:g} Hz"):
                raw = recording.raw.copy().resample(sfreq, method="polyphase", verbose="error")
            recording = dataclasses.replace(recording, raw=raw)
        recordings.append(recording)
    return recordings


def gesture_trials(recordings: Sequence[Recording], *, window_s: float = 0.2, step_s: float = 0.1,
                   classes: Sequence[str] = CLASS_NAMES) -> Trials:
    """Sliding windows labelled by the gesture they lie in.

    Parameters
    ----------
    recordings : sequence of Recording
        From :func:`load_gesture_recordings`.
    window_s, step_s : float
        Window length and hop in seconds.
    classes : sequence of str
        Gestures to keep, in class-index order (windows of other gestures
        are dropped and counted).

    Returns
    -------
    trials : Trials
        ``X`` (n, 8, round(window_s * sfreq)) float32 in Myo units, ``y``
        class indices, ``class_names`` = ``tuple(classes)``; metadata
        ``subject``, ``session`` and ``series`` (the series number),
        ``event``, ``window``, ``start_s``, ``time_s``; ``info["n_dropped"]``.
    """
    if not recordings:
        raise CyborgError("gesture_trials: expected at least one recording, found none")
    parts = [labelled_windows(r, window_s, step_s, classes=classes, metadata={"series": r.session})
             for r in recordings]
    trials = Trials.concat(parts)
    trials.info.update(n_dropped=sum(p.info["n_dropped"] for p in parts),
                       n_candidates=sum(p.info["n_candidates"] for p in parts),
                       units={"X": "Myo units (8-bit x 1e-5)"})
    return trials


def load_gesture_trials(root: str | Path | None = None, *, subjects: Sequence[str] | None = None,
                        series: Sequence[int] | None = None, sfreq: float | None = 200.0,
                        window_s: float = 0.2, step_s: float = 0.1,
                        classes: Sequence[str] = CLASS_NAMES) -> Trials:
    """Read the gesture files and cut labelled windows.

    See :func:`load_gesture_recordings` and :func:`gesture_trials`.

    Returns
    -------
    trials : Trials
    """
    recordings = load_gesture_recordings(root, subjects=subjects, series=series, sfreq=sfreq)
    return gesture_trials(recordings, window_s=window_s, step_s=step_s, classes=classes)
