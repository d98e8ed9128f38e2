"""UCI "EMG dataset in Lower Limb": 4-channel sEMG -> knee flexion angle.

Files ``<k>N<exercise>.txt`` (normal subjects, folder ``N_TXT``) and
``<k>A<exercise>.txt`` (knee pathology, ``A_TXT``): the group is the letter
in the file name and the folder (``groups="normal"``, ``"pathology"`` or
``"both"``; metadata column ``group``), exercises ``mar``
(gait), ``sen`` (leg extension from sitting), ``pie`` (knee flexion while
standing). Each file: RF, BF, VM, ST sEMG (mV) and the knee angle FX
(degrees), 1000 rows per second. The reader
(:func:`cyborg.io.text_emg.read_uci_lower_limb`) handles the per-file
quirks; this loader adds what needs the whole set:

- **Duplicated recordings**: files whose numbers are identical
  (``2Npie``/``2Nsen`` repeat ``1Npie``/``1Nsen``; only the header
  differs) are detected by fingerprint; the first in (group, subject,
  exercise) order is kept, the others dropped, and the drop is logged and
  listed in ``extra["duplicate_files"]`` of the kept recording and in
  ``Trials.info["duplicate_files"]``. Duplicates are found among the files
  loaded together.
- **Sign conventions** differ by subject (and by file for subject 7): with
  ``angle_sign="auto"`` each negative-going file is flipped so that flexion
  is positive; the flipped files are logged once and listed in
  ``Trials.info["angle_flipped"]``.
- **Bad files**: ``on_error="raise"`` (default) stops at the first file the
  reader refuses; ``on_error="skip"`` logs one warning line naming the file
  and the error, leaves the file out and lists it in
  ``Trials.info["skipped_files"]`` (``{file name: error}``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence
from pathlib import Path

from cyborg.errors import CyborgError, DataFormatError
from cyborg.io.datasets import DATA_ROOT_HINT, shared_data_root
from cyborg.io.formats import reader_errors
from cyborg.io.text_emg import read_uci_lower_limb
from cyborg.recording import Recording
from cyborg.trials import Trials
from cyborg.validation import check_option
from cyborg.windows.sliding import sliding_windows

logger = logging.getLogger("cyborg.io")

EXERCISES = ("mar", "sen", "pie")
#: Subject group -> folder; the file name carries the same letter (``1Nmar``, ``1Amar``).
GROUP_FOLDERS = {"normal": "N_TXT", "pathology": "A_TXT"}
#: Accepted values of ``groups`` besides a sequence of group names.
GROUP_CHOICES = (*GROUP_FOLDERS, "both")
GROUP_LETTERS = {"normal": "N", "pathology": "A"}
ON_ERROR = ("raise", "skip")
DATASET_FOLDER = "uci_lower_limb_emg"
_FILE_NAME = re.compile(r"^(\d+)([NA])(mar|sen|pie)\.txt$", re.IGNORECASE)


def lower_limb_groups(groups: str | Sequence[str]) -> tuple[str, ...]:
    """``"normal"``, ``"pathology"``, ``"both"`` or a sequence of group names -> group names.

    Raises
    ------
    CyborgError
        An unknown group name (the message lists the accepted ones).
    """
    if isinstance(groups, str):
        check_option(groups, GROUP_CHOICES, "lower limb: groups")
        return tuple(GROUP_FOLDERS) if groups == "both" else (groups,)
    for group in groups:
        check_option(group, GROUP_FOLDERS, "lower limb: groups")
    return tuple(groups)


def lower_limb_files(root: str | Path | None = None, *, groups: str | Sequence[str] = ("normal",),
                     subjects: Sequence[int] | None = None,
                     exercises: Sequence[str] = EXERCISES) -> list[Path]:
    """The dataset's text files under ``root``, sorted by group, subject, exercise.

    Parameters
    ----------
    root : str | Path | None
        Folder holding ``uci_lower_limb_emg/`` (or the dataset folder itself,
        or ``N_TXT`` itself); default :func:`shared_data_root`.
    groups : {"normal", "pathology", "both"} | sequence of {"normal", "pathology"}
        Subject groups: folders ``N_TXT`` / ``A_TXT``, files ``<k>N...`` /
        ``<k>A...`` (a file whose letter disagrees with its folder is left out).
    subjects : sequence of int | None
        Subject numbers to keep (the ``k`` of ``<k>N...``); ``None`` keeps all.
    exercises : sequence of str
        Exercise codes to keep.

    Returns
    -------
    paths : list of Path
    """
    root = Path(root) if root is not None else shared_data_root()
    found = []
    for group in lower_limb_groups(groups):
        folder = _group_folder(root, GROUP_FOLDERS[group])
        for path in folder.glob("*.txt") if folder is not None else []:
            match = _FILE_NAME.match(path.name)
            if (not match or match.group(2).upper() != GROUP_LETTERS[group]
                    or match.group(3).lower() not in exercises):
                continue
            number = int(match.group(1))
            if subjects is None or number in subjects:
                found.append((list(GROUP_FOLDERS).index(group), number,
                              EXERCISES.index(match.group(3).lower()), path))
    return [path for *_, path in sorted(found)]


def load_lower_limb_recordings(root: str | Path | None = None, *, subjects: Sequence[int] | None = None,
                               exercises: Sequence[str] = EXERCISES,
                               groups: str | Sequence[str] = ("normal",), angle_sign: str = "auto",
                               zero_angle: bool = False, drop_duplicates: bool = True,
                               on_error: str = "raise") -> list[Recording]:
    """Read the lower-limb files and drop duplicated recordings.

    Parameters
    ----------
    root, subjects, exercises, groups
        See :func:`lower_limb_files`.
    angle_sign, zero_angle
        See :func:`cyborg.io.text_emg.read_uci_lower_limb`.
    drop_duplicates : bool
        Drop files whose numbers repeat an earlier file's.
    on_error : {"raise", "skip"}
        A file the reader refuses: stop with its error (``"raise"``), or log
        one warning line naming the file and the error and go on without it
        (``"skip"``; listed in ``extra["skipped_files"]`` of the first
        recording kept).

    Returns
    -------
    recordings : list of Recording
        4 EMG channels (RF, BF, VM, ST) at 1000 Hz (plus the ``stim``
        channel ``DIGITAL`` for files that have it), knee angle targets in
        degrees; ``subject`` ``"N01"`` / ``"A01"``, ``session`` the exercise
        code, ``extra["group"]`` ``"normal"`` or ``"pathology"``.

    Raises
    ------
    DataFormatError
        No file found, every file refused, or (``on_error="raise"``) a file
        the reader refuses.
    """
    check_option(on_error, ON_ERROR, "load_lower_limb_recordings: on_error")
    paths = lower_limb_files(root, groups=groups, subjects=subjects, exercises=exercises)
    where = Path(root) if root is not None else shared_data_root()
    if not paths:
        raise DataFormatError(
            f"{where}: expected UCI lower-limb files ({DATASET_FOLDER}/N_TXT/<k>N<exercise>.txt, "
            f"A_TXT/<k>A<exercise>.txt) for groups {list(lower_limb_groups(groups))}, subjects "
            f"{subjects or 'all'}, exercises {list(exercises)}, found none; {DATA_ROOT_HINT}")
    recordings: list[Recording] = []
    first_of: dict[str, Recording] = {}
    skipped: dict[str, str] = {}
    for path in paths:
        try:
            recording = read_uci_lower_limb(path, angle_sign=angle_sign, zero_angle=zero_angle)
        except CyborgError as error:
            if on_error == "raise":
                raise
            logger.warning("%s: skipped (on_error='skip'): %s", path, error)
            skipped[path.name] = str(error)
            continue
        original = first_of.setdefault(recording.extra["data_sha1"], recording)
        if original is not recording and drop_duplicates:
            logger.warning("%s: same data rows as %s (duplicated recording): dropped",
                           path, original.source.name)
            original.extra.setdefault("duplicate_files", []).append(path.name)
            continue
        recordings.append(recording)
    if not recordings:
        raise DataFormatError(f"{where}: expected at least one readable lower-limb file, found "
                              f"{len(skipped)} refused: {sorted(skipped)}")
    if skipped:
        recordings[0].extra["skipped_files"] = skipped
    flipped = [r.source.name for r in recordings if r.extra.get("angle_flipped")]
    if flipped:
        logger.info("UCI lower limb: knee angle sign flipped (negative-going goniometer) in %d "
                    "files: %s", len(flipped), flipped)
    return recordings


def lower_limb_trials(recordings: Sequence[Recording], *, window_s: float = 0.25,
                      step_s: float = 0.05, target_sfreq: float = 50.0, target_mode: str = "last",
                      n_target_steps: int | None = None, causal_lag_s: float = 0.0,
                      l_freq: float | None = None, h_freq: float | None = None) -> Trials:
    """Sliding windows of sEMG with a knee-angle target.

    Parameters
    ----------
    recordings : sequence of Recording
        From :func:`load_lower_limb_recordings`.
    window_s, step_s : float
        Window length and hop in seconds.
    target_sfreq : float
        Rate of the angle target in Hz (50 = the goniometer's own rate).
    target_mode, n_target_steps
        See :func:`cyborg.windows.sliding.sliding_windows`.
    causal_lag_s : float
        Look-back lag in seconds (>= 0): the angle is taken this long after
        the window's last EMG sample (``target_lag_s`` of
        :func:`~cyborg.windows.sliding.sliding_windows`); 0 decodes the angle
        at the window's end from EMG up to that time.
    l_freq, h_freq : float | None
        Optional band-pass of the EMG (Hz, zero-phase FIR) before windowing.

    Returns
    -------
    trials : Trials
        ``X`` (n, 4, round(window_s * 1000)) float32 in mV, ``y`` (n,
        n_steps, 1) knee angle in degrees, metadata ``subject``, ``session``,
        ``exercise``, ``group``, ``window``, ``start_s``, ``time_s``;
        ``info``: ``n_dropped`` (windows touching NaN targets),
        ``duplicate_files``, ``angle_flipped``, ``skipped_files``.
    """
    if not recordings:
        raise CyborgError("lower_limb_trials: expected at least one recording, found none")
    parts = []
    for recording in recordings:
        if l_freq is not None or h_freq is not None:
            with reader_errors(recording.source, "band-pass filtering"):
                raw = recording.raw.copy().filter(l_freq, h_freq, verbose="error")
            recording = dataclasses.replace(recording, raw=raw)
        parts.append(sliding_windows(
            recording, window_s, step_s, target_sfreq=target_sfreq, target_mode=target_mode,
            n_target_steps=n_target_steps, target_lag_s=causal_lag_s,
            metadata={"exercise": recording.extra.get("exercise"), "group": recording.extra.get("group")}))
    trials = Trials.concat(parts)
    trials.info.update(
        {key: sum(p.info[key] for p in parts)
         for key in ("n_dropped", "n_dropped_target", "n_dropped_signal", "n_candidates")},
        duplicate_files=[f for r in recordings for f in r.extra.get("duplicate_files", [])],
        angle_flipped=[r.source.name for r in recordings if r.extra.get("angle_flipped")],
        skipped_files={k: v for r in recordings for k, v in r.extra.get("skipped_files", {}).items()},
        units={"X": "mV", "y": "deg"})
    return trials


def load_lower_limb_trials(root: str | Path | None = None, *, subjects: Sequence[int] | None = None,
                           exercises: Sequence[str] = EXERCISES,
                           groups: str | Sequence[str] = ("normal",), on_error: str = "raise",
                           window_s: float = 0.25,
                           step_s: float = 0.05, target_sfreq: float = 50.0,
                           target_mode: str = "last", n_target_steps: int | None = None,
                           causal_lag_s: float = 0.0, angle_sign: str = "auto", zero_angle: bool = False,
                           l_freq: float | None = None, h_freq: float | None = None) -> Trials:
    """Read the lower-limb files and cut them into knee-angle windows.

    See :func:`load_lower_limb_recordings` (``groups``: ``"normal"``,
    ``"pathology"`` or ``"both"``; ``on_error``: ``"raise"`` or ``"skip"``)
    and :func:`lower_limb_trials`; the metadata column ``group`` names each
    window's group.

    Returns
    -------
    trials : Trials
    """
    recordings = load_lower_limb_recordings(root, subjects=subjects, exercises=exercises, groups=groups,
                                            angle_sign=angle_sign, zero_angle=zero_angle, on_error=on_error)
    return lower_limb_trials(recordings, window_s=window_s, step_s=step_s, target_sfreq=target_sfreq,
                             target_mode=target_mode, n_target_steps=n_target_steps,
                             causal_lag_s=causal_lag_s, l_freq=l_freq, h_freq=h_freq)


def _group_folder(root: Path, name: str) -> Path | None:
    for candidate in (root / DATASET_FOLDER / name, root / name, root):
        if candidate.is_dir() and candidate.name == name:
            return candidate
    return None
