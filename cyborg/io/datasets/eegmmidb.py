"""PhysioNet EEG Motor Movement/Imagery (EEGMMIDB): left vs right fist epochs.

Runs 3, 7, 11 (executed) and 4, 8, 12 (imagined) of every subject hold
opening/closing of the LEFT fist (annotation ``T1``) or the RIGHT fist
(``T2``), with rest (``T0``) between. EDF+ files, 64 EEG channels at 160 Hz,
125 s per run. The loader reads the EDF+ files (annotations carry the
events; the ``.edf.event`` side files are not needed), band-pass filters
each continuous run (zero-phase FIR, MNE) and cuts one window per ``T1``/
``T2`` event from ``tmin`` to ``tmax`` seconds after its onset.

Files are looked up under ``root`` (default
:func:`cyborg.io.datasets.shared_data_root`) as ``eegmmidb_S001/S001R03.edf``,
``S001/S001R03.edf`` or anywhere below ``root``; with ``download=True``
missing runs are fetched with :func:`mne.datasets.eegbci.load_data` (needs
network access).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from cyborg.errors import CyborgError, DataFormatError
from cyborg.io.datasets import shared_data_root
from cyborg.io.formats import read_mne_file, reader_errors
from cyborg.recording import Recording
from cyborg.trials import Trials
from cyborg.validation import check_sfreq
from cyborg.windows.epochs import VOLTS_TO_MICROVOLTS, event_windows

CLASS_NAMES = ("left_fist", "right_fist")
EVENT_CLASSES = {"T1": 0, "T2": 1}
#: Runs whose T1/T2 mean left/right fist, and whether the movement is imagined.
LEFT_RIGHT_RUNS = {3: False, 7: False, 11: False, 4: True, 8: True, 12: True}
SFREQ = 160.0


def eegmmidb_file(root: str | Path, subject: int, run: int) -> Path | None:
    """The EDF file of one subject and run under ``root``, or ``None`` when absent."""
    root = Path(root)
    name = f"S{subject:03d}R{run:02d}.edf"
    for candidate in (root / f"eegmmidb_S{subject:03d}" / name, root / f"S{subject:03d}" / name,
                      root / name):
        if candidate.is_file():
            return candidate
    if root.is_dir():
        return next(iter(sorted(root.rglob(name))), None)
    return None


def load_eegmmidb_recordings(root: str | Path | None = None, *, subject: int = 1,
                             runs: Sequence[int] = (3, 7), download: bool = False) -> list[Recording]:
    """Read the EDF+ runs of one EEGMMIDB subject.

    Parameters
    ----------
    root : str | Path | None
        Folder holding the files; default :func:`shared_data_root`.
    subject : int
        Subject number (1 -> ``S001``).
    runs : sequence of int
        Run numbers (3 -> ``R03``).
    download : bool
        Fetch missing runs with :func:`mne.datasets.eegbci.load_data` into
        ``root`` (network needed). When ``False`` a missing run raises.

    Returns
    -------
    recordings : list of Recording
        One per run: 64 EEG channels (10-10 names, montage set) at 160 Hz,
        annotations T0/T1/T2, ``subject`` ``"S001"``, ``session`` ``"R03"``.

    Raises
    ------
    DataFormatError
        A run missing (and not downloaded) or a file that is not a 160 Hz
        EEGMMIDB recording.
    """
    root = Path(root) if root is not None else shared_data_root()
    recordings = []
    for run in runs:
        path = eegmmidb_file(root, subject, run)
        if path is None and download:
            path = _download(root, subject, run)
        if path is None:
            raise DataFormatError(
                f"{root}: expected S{subject:03d}R{run:02d}.edf (EEGMMIDB) below this folder, found "
                f"nothing; set CYBORG_SHARED_DATA, pass root=..., or download=True")
        recording = read_mne_file(path)
        check_sfreq(recording.sfreq, SFREQ, path)
        recordings.append(recording)
    return recordings


def eegmmidb_trials(recordings: Sequence[Recording], *, tmin: float = 0.5, tmax: float = 2.5,
                    l_freq: float | None = 1.0, h_freq: float | None = 40.0) -> Trials:
    """Left/right fist epochs of EEGMMIDB runs as Trials.

    Parameters
    ----------
    recordings : sequence of Recording
        Runs from :func:`load_eegmmidb_recordings` (sessions ``R03`` ...).
    tmin, tmax : float
        Window from ``tmin`` to ``tmax`` seconds after each T1/T2 onset;
        ``round((tmax - tmin) * 160)`` samples (320 for 0.5-2.5 s).
    l_freq, h_freq : float | None
        Band-pass edges in Hz applied to each continuous run before cutting
        (zero-phase FIR); ``None`` skips that edge.

    Returns
    -------
    trials : Trials
        ``X`` (n_events, 64, n_times) float32 in µV, ``y`` 0 = left fist,
        1 = right fist, ``class_names`` :data:`CLASS_NAMES`; metadata
        ``subject``, ``session`` (``"R03"``), ``run`` (int), ``imagined``,
        ``event`` (``"T1"``/``"T2"``), ``onset`` (s), ``trial``.

    Raises
    ------
    CyborgError
        A run whose T1/T2 are not left/right fist (runs 5, 6, 9, 10, 13, 14).
    """
    if not recordings:
        raise CyborgError("eegmmidb_trials: expected at least one recording, found none")
    n_times = int(round((tmax - tmin) * SFREQ))
    parts = []
    for recording in recordings:
        run = _run_number(recording)
        filtered = recording
        if l_freq is not None or h_freq is not None:
            with reader_errors(recording.source or recording.session, "band-pass filtering"):
                raw = recording.raw.copy().filter(l_freq, h_freq, verbose="error")
            filtered = dataclasses.replace(recording, raw=raw)
        trials = event_windows(filtered, tmin, n_times, label_of=EVENT_CLASSES.get,
                               class_names=CLASS_NAMES, scale=VOLTS_TO_MICROVOLTS)
        trials.metadata["run"] = run
        trials.metadata["imagined"] = LEFT_RIGHT_RUNS[run]
        parts.append(trials)
    trials = Trials.concat(parts)
    trials.info.update(tmin=tmin, tmax=tmax, l_freq=l_freq, h_freq=h_freq, units="µV")
    return trials


def load_eegmmidb_trials(root: str | Path | None = None, runs: Sequence[int] = (3, 7),
                         subject: int = 1, tmin: float = 0.5, tmax: float = 2.5,
                         l_freq: float | None = 1.0, h_freq: float | None = 40.0,
                         download: bool = False) -> Trials:
    """Read EEGMMIDB runs and return left/right fist Trials (see :func:`eegmmidb_trials`).

    Parameters
    ----------
    root, runs, subject, download
        See :func:`load_eegmmidb_recordings`.
    tmin, tmax, l_freq, h_freq
        See :func:`eegmmidb_trials`.

    Returns
    -------
    trials : Trials
        For S001 runs 3 and 7: 30 trials (16 left, 14 right), X of shape (30, 64, 320).
    """
    unknown = [run for run in runs if run not in LEFT_RIGHT_RUNS]
    if unknown:
        raise CyborgError(f"load_eegmmidb_trials: runs: expected left/right fist runs "
                          f"{sorted(LEFT_RIGHT_RUNS)}, found {unknown}")
    recordings = load_eegmmidb_recordings(root, subject=subject, runs=runs, download=download)
    return eegmmidb_trials(recordings, tmin=tmin, tmax=tmax, l_freq=l_freq, h_freq=h_freq)


def _run_number(recording: Recording) -> int:
    session = str(recording.session or "")
    run = int(session[1:]) if session[:1] == "R" and session[1:].isdigit() else None
    if run not in LEFT_RIGHT_RUNS:
        raise CyborgError(f"eegmmidb_trials: {recording.source}: expected a left/right fist run "
                          f"{sorted(LEFT_RIGHT_RUNS)}, found session {recording.session!r}")
    return run


def _download(root: Path, subject: int, run: int) -> Path | None:
    """Fetch one run with MNE into ``root``; a failure (e.g. no network) raises DataFormatError."""
    import mne

    with reader_errors(root, f"downloading EEGMMIDB S{subject:03d}R{run:02d}"):
        root.mkdir(parents=True, exist_ok=True)
        paths = mne.datasets.eegbci.load_data(subject, [run], path=root, update_path=False,
                                              verbose="error")
    return Path(paths[0]) if paths else None


__all__ = ["CLASS_NAMES", "eegmmidb_file", "eegmmidb_trials", "load_eegmmidb_recordings",
           "load_eegmmidb_trials"]
