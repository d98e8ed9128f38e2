"""PhysioNet EEG Motor Movement/Imagery (EEGMMIDB): cued fist and feet movements, every subject.

Each subject ``SNNN`` has 14 runs ``SNNNR01.edf`` ... ``SNNNR14.edf`` (EDF+,
64 EEG channels at 160 Hz, 123 or 125 s per run; ``T0`` = rest between
cues). Two cued tasks are read here, each executed and imagined:

- ``task="left_right"``: runs 3, 7, 11 (executed) and 4, 8, 12 (imagined),
  open/close the LEFT fist (``T1``) or the RIGHT fist (``T2``);
- ``task="fists_feet"``: runs 5, 9, 13 (executed) and 6, 10, 14 (imagined),
  open/close both fists (``T1``) or both feet (``T2``).

Files are found by name anywhere below ``root`` (default
:func:`cyborg.io.datasets.shared_data_root`), so the shared layout
(``eegmmidb_S001/S001R03.edf``, ``eegmmidb_more/S002/S002R03.edf``) and the
tree :func:`mne.datasets.eegbci.load_data` writes both work; a file name
found twice is read from the shallower path and the other is logged and
ignored. With ``subjects="all"`` every subject with files below ``root`` is
used. A selected run that a subject lacks is skipped and logged (the shared
S001 has R03 R04 R05 R07 R09 only, so no R11); a subject named in
``subjects`` with none of the selected runs is an error, one found by
``"all"`` is skipped with a warning. The annotations of the EDF+ files carry
the events (the ``.edf.event`` side files are not needed). Each continuous
run is band-pass filtered (zero-phase FIR, MNE) before one window per
``T1``/``T2`` cue is cut from ``tmin`` to ``tmax`` seconds after its onset.
The last cue of a run starts 4.1 s (123-s runs) or 4.6 s (125-s runs) before
the end, so ``tmax`` above 4.1 s raises rather than dropping that trial.
With ``download=True`` missing runs of the chosen subjects are fetched with
:func:`mne.datasets.eegbci.load_data` (needs network access).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from pathlib import Path

from cyborg.errors import CyborgError
from cyborg.io.datasets import DATA_ROOT_HINT, shared_data_root
from cyborg.io.formats import read_mne_file, reader_errors
from cyborg.recording import Recording
from cyborg.trials import Trials
from cyborg.validation import check_option, check_sfreq, fail
from cyborg.windows.epochs import VOLTS_TO_MICROVOLTS, event_windows

logger = logging.getLogger("cyborg.io")

#: Class names of each task, indexed by the label (T1 -> 0, T2 -> 1).
TASK_CLASSES = {"left_right": ("left_fist", "right_fist"), "fists_feet": ("both_fists", "both_feet")}
#: Runs of each task, and whether the movement is imagined.
TASK_RUNS = {"left_right": {3: False, 4: True, 7: False, 8: True, 11: False, 12: True},
             "fists_feet": {5: False, 6: True, 9: False, 10: True, 13: False, 14: True}}
#: Which runs of a task ``mode`` selects.
MODES = ("executed", "imagined", "both")
CLASS_NAMES = TASK_CLASSES["left_right"]
_TASK_WORDS = {"left_right": "left/right fist", "fists_feet": "fists/feet"}
EVENT_CLASSES = {"T1": 0, "T2": 1}
SFREQ = 160.0
N_CHANS = 64
_FILE_NAME = re.compile(r"^S(\d{3})R(\d{2})\.edf$")
_DATA_HINT = f"{DATA_ROOT_HINT}, or download=True"


def find_eegmmidb_files(root: str | Path) -> dict[int, dict[int, Path]]:
    """Every EEGMMIDB EDF file below ``root``, by subject and run.

    Parameters
    ----------
    root : str | Path
        Folder searched recursively for ``SNNNRMM.edf`` files.

    Returns
    -------
    files : dict of int to dict of int to Path
        ``files[subject][run]`` (``files[1][3]`` is ``.../S001R03.edf``),
        sorted by subject and run; empty when ``root`` is not a folder. A
        name found twice keeps the shallower path (then the first in sorted
        order) and logs the other.
    """
    root = Path(root)
    if not root.is_dir():
        return {}
    paths = sorted(root.rglob("S*R*.edf"), key=lambda p: (len(p.relative_to(root).parts), str(p)))
    files: dict[int, dict[int, Path]] = {}
    for path in paths:
        match = _FILE_NAME.match(path.name)
        if not match:
            continue
        runs = files.setdefault(int(match.group(1)), {})
        run = int(match.group(2))
        if run in runs:
            logger.warning("%s: same EEGMMIDB file name as %s: ignored", path, runs[run])
            continue
        runs[run] = path
    return {subject: dict(sorted(runs.items())) for subject, runs in sorted(files.items())}


def eegmmidb_runs(task: str = "left_right", mode: str = "executed",
                  runs: Sequence[int] | None = None) -> tuple[int, ...]:
    """The run numbers one call reads.

    Parameters
    ----------
    task : {"left_right", "fists_feet"}
        Which cued task (see the module docstring).
    mode : {"executed", "imagined", "both"}
        Which runs of ``task`` when ``runs`` is ``None``.
    runs : sequence of int | None
        Explicit run numbers (3 -> ``R03``); override ``mode``, must all be
        runs of ``task``.

    Returns
    -------
    runs : tuple of int
        Sorted for ``mode`` (executed left/right: ``(3, 7, 11)``), as given
        for explicit ``runs``.

    Raises
    ------
    CyborgError
        An unknown task or mode, runs outside the cued tasks, runs of both
        tasks mixed, or runs of the other task.
    """
    check_option(task, TASK_RUNS, "eegmmidb: task")
    check_option(mode, MODES, "eegmmidb: mode")
    table = TASK_RUNS[task]
    if runs is None:
        return tuple(run for run, imagined in sorted(table.items())
                     if mode == "both" or imagined == (mode == "imagined"))
    runs = tuple(int(run) for run in runs)
    if not runs:
        fail("eegmmidb", "runs", f"at least one run of task {task!r} {sorted(table)}", "none", CyborgError)
    found = _task_of_runs(runs, "eegmmidb")
    if found != task:
        fail("eegmmidb", "runs", f"{_TASK_WORDS[task]} runs {sorted(table)} (task={task!r})",
             f"{_TASK_WORDS[found]} runs {list(runs)}; pass task={found!r} for them", CyborgError)
    return runs


def load_eegmmidb_recordings(root: str | Path | None = None, *, subjects: str | int | Sequence[int] = "all",
                             mode: str = "executed", runs: Sequence[int] | None = None,
                             task: str = "left_right", download: bool = False,
                             subject: int | None = None) -> list[Recording]:
    """Read the EDF+ runs of one task for the chosen EEGMMIDB subjects.

    Parameters
    ----------
    root : str | Path | None
        Folder holding the files (searched recursively); default
        :func:`shared_data_root`.
    subjects : "all" | int | sequence of int
        Subject numbers (1 -> ``S001``); ``"all"`` uses every subject with
        files below ``root``.
    mode, runs, task
        Which runs, see :func:`eegmmidb_runs`. Runs a subject lacks are
        skipped and logged.
    download : bool
        Fetch the chosen subjects' missing runs with
        :func:`mne.datasets.eegbci.load_data` into ``root`` (network needed).
    subject : int | None
        One subject number; the older spelling of ``subjects=[subject]``.

    Returns
    -------
    recordings : list of Recording
        One per run, by subject then run: 64 EEG channels (10-10 names,
        montage set) at 160 Hz, annotations T0/T1/T2, ``subject`` ``"S001"``,
        ``session`` ``"R03"``.

    Raises
    ------
    DataFormatError
        No EEGMMIDB file below ``root`` (or none of a named subject), a named
        subject without any selected run, or a file that is not a 160 Hz
        EEGMMIDB recording.
    CyborgError
        Invalid ``task``, ``mode``, ``runs`` or ``subjects``.
    """
    root = Path(root) if root is not None else shared_data_root()
    wanted = eegmmidb_runs(task, mode, runs)
    files = find_eegmmidb_files(root)
    named = _subject_numbers(subjects, subject, files, root)
    recordings = []
    for number in named:
        name = f"S{number:03d}"
        available = files.get(number, {})
        if download:
            available = {**available, **{run: _download(root, number, run) for run in wanted
                                         if run not in available}}
        if not available:
            fail(root, "subjects", f"EEGMMIDB files of subject {name} ({name}R<run>.edf, e.g. in a "
                 f"folder {name}/) below this folder", f"none; {_DATA_HINT}")
        folder = next(iter(available.values())).parent
        present = [run for run in wanted if run in available]
        if not present:
            expected = (f"at least one of runs {_run_names(wanted)} of {name} (task={task!r}, "
                        f"mode={mode!r}{'' if runs is None else ', runs given'})")
            if subjects == "all" and subject is None:
                logger.warning("%s: expected %s, found only %s: subject skipped", folder, expected,
                               _run_names(available))
                continue
            fail(folder, "runs", expected, f"only {_run_names(available)}")
        missing = [run for run in wanted if run not in available]
        if missing:
            logger.info("%s: %s has no run %s: skipped, using %s", folder, name, _run_names(missing),
                        _run_names(present))
        for run in present:
            recording = read_mne_file(available[run])
            check_sfreq(recording.sfreq, SFREQ, available[run])
            recordings.append(recording)
    if not recordings:
        fail(root, "subjects", f"EEGMMIDB subjects with runs {_run_names(wanted)} below this folder",
             f"none among {[f'S{n:03d}' for n in named]}")
    return recordings


def eegmmidb_trials(recordings: Sequence[Recording], *, tmin: float = 0.5, tmax: float = 2.5,
                    l_freq: float | None = 1.0, h_freq: float | None = 40.0) -> Trials:
    """T1/T2 epochs of EEGMMIDB runs of one task as Trials.

    Parameters
    ----------
    recordings : sequence of Recording
        Runs from :func:`load_eegmmidb_recordings` (sessions ``R03`` ...),
        all of one task (left/right fist or fists/feet).
    tmin, tmax : float
        Window from ``tmin`` to ``tmax`` seconds after each T1/T2 onset;
        ``round((tmax - tmin) * 160)`` samples (320 for 0.5-2.5 s).
    l_freq, h_freq : float | None
        Band-pass edges in Hz applied to each continuous run before cutting
        (zero-phase FIR); ``None`` skips that edge.

    Returns
    -------
    trials : Trials
        ``X`` (n_events, 64, n_times) float32 in µV; ``y`` 0 = T1 (left
        fist, or both fists), 1 = T2 (right fist, or both feet);
        ``class_names`` from :data:`TASK_CLASSES`; metadata ``subject``
        (``"S001"``), ``session`` (``"R03"``), ``run`` (int), ``imagined``,
        ``event`` (``"T1"``/``"T2"``), ``onset`` (s), ``trial`` (annotation
        order in the run); ``info`` ``task``, ``runs`` (the sessions used
        per subject), ``tmin``, ``tmax``, ``l_freq``, ``h_freq``, ``units``.

    Raises
    ------
    CyborgError
        No recording, a run that is not one of the cued tasks, runs of both
        tasks mixed, or ``tmax <= tmin``.
    DataFormatError
        Recordings whose channels differ, or a window past a run's end.
    """
    if not recordings:
        fail("eegmmidb_trials", "recordings", "at least one recording", "none", CyborgError)
    n_times = int(round((tmax - tmin) * SFREQ))
    if n_times < 1:
        fail("eegmmidb_trials", "tmax", f"a window of at least one sample after tmin={tmin} s",
             f"tmax={tmax} s", CyborgError)
    run_numbers = [_run_number(recording) for recording in recordings]
    task = _task_of_runs(run_numbers, "eegmmidb_trials")
    first = recordings[0]
    parts = []
    for recording, run in zip(recordings, run_numbers):
        if recording.ch_names != first.ch_names or len(recording.ch_names) != N_CHANS:
            fail(recording.source, "ch_names", f"the {N_CHANS} channels of {first.source}",
                 f"{len(recording.ch_names)} channels {recording.ch_names[:4]}...")
        filtered = recording
        if l_freq is not None or h_freq is not None:
            with reader_errors(recording.source or recording.session, "band-pass filtering"):
                raw = recording.raw.copy().filter(l_freq, h_freq, verbose="error")
            filtered = dataclasses.replace(recording, raw=raw)
        trials = event_windows(filtered, tmin, n_times, label_of=EVENT_CLASSES.get,
                               class_names=TASK_CLASSES[task], scale=VOLTS_TO_MICROVOLTS)
        trials.metadata["run"] = run
        trials.metadata["imagined"] = TASK_RUNS[task][run]
        parts.append(trials)
    trials = Trials.concat(parts)
    used: dict[str, list[str]] = {}
    for recording in recordings:
        used.setdefault(recording.subject, []).append(recording.session)
    trials.info.update(task=task, runs=used, tmin=tmin, tmax=tmax, l_freq=l_freq, h_freq=h_freq,
                       units="µV")
    return trials


def load_eegmmidb_trials(root: str | Path | None = None, *, subjects: str | int | Sequence[int] = "all",
                         mode: str = "executed", runs: Sequence[int] | None = None,
                         task: str = "left_right", tmin: float = 0.5, tmax: float = 2.5,
                         l_freq: float | None = 1.0, h_freq: float | None = 40.0,
                         download: bool = False, subject: int | None = None) -> Trials:
    """Read EEGMMIDB runs and return their T1/T2 epochs as Trials.

    Parameters
    ----------
    root, subjects, mode, runs, task, download, subject
        See :func:`load_eegmmidb_recordings` (``subject=1, runs=(3, 7)``
        reads S001's executed R03 and R07).
    tmin, tmax, l_freq, h_freq
        See :func:`eegmmidb_trials`.

    Returns
    -------
    trials : Trials
        See :func:`eegmmidb_trials`. On the shared data with the defaults
        (every subject, executed left/right fist): 345 trials of
        (64, 320), 15 per run; S001 contributes R03 and R07 only.
    """
    recordings = load_eegmmidb_recordings(root, subjects=subjects, mode=mode, runs=runs, task=task,
                                          download=download, subject=subject)
    return eegmmidb_trials(recordings, tmin=tmin, tmax=tmax, l_freq=l_freq, h_freq=h_freq)



def _task_of_runs(runs: Sequence[int], where: str) -> str:
    """The one task (``TASK_RUNS`` key) all ``runs`` belong to."""
    tasks = {task: [run for run in runs if run in table] for task, table in TASK_RUNS.items()}
    unknown = [run for run in runs if not any(run in table for table in TASK_RUNS.values())]
    if unknown:
        known = "; ".join(f"{_TASK_WORDS[task]} {sorted(table)}" for task, table in TASK_RUNS.items())
        fail(where, "runs", f"runs of a cued task: {known}", unknown, CyborgError)
    present = [task for task, found in tasks.items() if found]
    if len(present) > 1:
        fail(where, "runs", "runs of one task (left/right fist and fists/feet have different classes)",
             " and ".join(f"{_TASK_WORDS[task]} runs {tasks[task]}" for task in present) + " mixed",
             CyborgError)
    return present[0]


def _subject_numbers(subjects: str | int | Sequence[int], subject: int | None,
                     files: dict[int, dict[int, Path]], root: Path) -> list[int]:
    """The subject numbers a call reads (``"all"``: those with files below ``root``)."""
    if subject is not None:
        if subjects != "all":
            fail("eegmmidb", "subject", "either subject= (one subject) or subjects=, not both",
                 f"subject={subject!r} and subjects={subjects!r}", CyborgError)
        return [int(subject)]
    if isinstance(subjects, str):
        check_option(subjects, ["all"], "eegmmidb: subjects")
        if not files:
            fail(root, "subjects", "EEGMMIDB files (SNNNRMM.edf, e.g. S001/S001R03.edf) below this folder",
                 f"none; {_DATA_HINT} (with subjects=[...] to name the subjects to fetch)")
        return list(files)
    numbers = [int(subjects)] if isinstance(subjects, int) else [int(number) for number in subjects]
    if not numbers:
        fail("eegmmidb", "subjects", "'all' or at least one subject number", "an empty list", CyborgError)
    return numbers


def _run_names(runs: Sequence[int] | dict[int, Path]) -> str:
    return " ".join(f"R{run:02d}" for run in runs)


def _run_number(recording: Recording) -> int:
    session = str(recording.session or "")
    if not (session[:1] == "R" and session[1:].isdigit()):
        fail(recording.source, "session", "an EEGMMIDB run such as 'R03' (file SNNNRMM.edf)",
             repr(recording.session), CyborgError)
    return int(session[1:])


def _download(root: Path, subject: int, run: int) -> Path:
    """Fetch one run with MNE into ``root``; a failure (e.g. no network) raises DataFormatError."""
    import mne

    with reader_errors(root, f"downloading EEGMMIDB S{subject:03d}R{run:02d}"):
        root.mkdir(parents=True, exist_ok=True)
        paths = mne.datasets.eegbci.load_data(subject, [run], path=root, update_path=False,
                                              verbose="error")
    if not paths:
        fail(root, None, f"S{subject:03d}R{run:02d}.edf downloaded by MNE", "no file")
    return Path(paths[0])


__all__ = ["CLASS_NAMES", "MODES", "TASK_CLASSES", "TASK_RUNS", "eegmmidb_runs", "eegmmidb_trials",
           "find_eegmmidb_files", "load_eegmmidb_recordings", "load_eegmmidb_trials"]
