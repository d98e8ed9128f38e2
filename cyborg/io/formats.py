"""Read recordings in the common EEG/EMG file formats into Recordings.

:func:`read_recording` dispatches on the file extension:

========================  =====================================================
extension                 reader
========================  =====================================================
``.edf`` ``.bdf``         EDF, EDF+ and BioSemi BDF (MNE); EDF+ annotations
                          become annotations
``.gdf``                  GDF (MNE)
``.vhdr``                 BrainVision header (+ ``.vmrk``, ``.eeg``) (MNE)
``.set``                  EEGLAB, continuous or epoched (MNE)
``.fif`` ``.fif.gz``      MNE's FIF (raw or epochs)
``.c3d``                  C3D motion capture + analog EMG (:mod:`cyborg.io.c3d`)
``.txt``                  the plain-text EMG layouts of :mod:`cyborg.io.text_emg`
========================  =====================================================

What every MNE-format reader does (documented, never silent):

- **Units**: MNE stores volts. The file's own units are kept in
  ``extra["file_units"]`` (channel -> unit as written in the file) and MNE's
  conversion to volts is applied.
- **Events**: annotations stay annotations. A file without annotations but
  with stim channels gets one annotation per stim event (description = the
  event code, duration 0), ``extra["events_from"] = "stim"``.
- **Channel names and montage**: EEG channel names that match the
  10-05 template montage (``colin27_1005``, called ``standard_1005`` before
  MNE 1.13) once dots, spaces and case are cleaned
  (PhysioNet's ``'Fc5.'`` -> ``'FC5'``) are renamed and the montage is set,
  but only when at least 80 % of the EEG channels match (numbered cap
  layouts such as BioSemi's ``A1..D32`` would otherwise get wrong
  positions). Original names are kept in ``extra["original_ch_names"]``.
- **Subject / session** come from the file name: BIDS entities
  (``sub-01_ses-02``), PhysioNet names (``S001R03`` -> ``S001``, ``R03``),
  otherwise the file stem and ``None``.
- **Truncated EDF/BDF files** keep their complete data records: MNE infers
  the record count from the file size and warns; the warning is kept in
  ``extra["issues"]``.
- **Problems** (MNE warnings, NaN or constant channels, a header that
  promises more data than the file holds) are logged on the ``cyborg.io``
  logger naming the file and appended to ``extra["issues"]``; anything the
  readers cannot read raises :class:`cyborg.errors.DataFormatError` naming
  the file and what failed.
"""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from cyborg.errors import CyborgError, DataFormatError
from cyborg.recording import Recording
from cyborg.validation import check_file

if TYPE_CHECKING:
    import mne

logger = logging.getLogger("cyborg.io")

#: Extensions read through MNE, with the MNE reader's name (for messages).
MNE_EXTENSIONS = {".edf": "EDF", ".bdf": "BDF", ".gdf": "GDF", ".vhdr": "BrainVision",
                  ".set": "EEGLAB", ".fif": "FIF", ".fif.gz": "FIF"}
#: Every extension :func:`read_recording` accepts.
SUPPORTED_EXTENSIONS = (*MNE_EXTENSIONS, ".c3d", ".txt")

#: Fraction of EEG channels that must match the standard montage before it is set.
MONTAGE_MATCH_FRACTION = 0.8
#: A header may not promise more than this many bytes of float64 data per byte on disk.
MAX_MEMORY_PER_DISK_BYTE = 16
#: ... unless the data stays below this size in bytes anyway.
MIN_MEMORY_LIMIT = 256 * 2**20

_PHYSIONET_NAME = re.compile(r"^(S\d{3})(R\d{2})$")
_BIDS_ENTITY = re.compile(r"(sub|ses|run|task)-([A-Za-z0-9]+)")


def extension_of(path: str | Path) -> str:
    """The lower-case extension of ``path``, with ``.fif.gz`` as one extension."""
    name = Path(path).name.lower()
    return ".fif.gz" if name.endswith(".fif.gz") else Path(name).suffix


def read_recording(path: str | Path, **kwargs: Any) -> Recording:
    """Read any supported recording file into a :class:`Recording`.

    Parameters
    ----------
    path : str | Path
        The file; its extension picks the reader (see the module docstring).
    **kwargs
        Passed to the reader: :func:`read_mne_file` for MNE formats,
        :func:`cyborg.io.c3d.read_c3d`, or :func:`cyborg.io.text_emg.read_text_emg`.

    Returns
    -------
    recording : Recording
        Continuous ``mne.io.Raw`` (or ``mne.Epochs`` for epoched EEGLAB/FIF files).

    Raises
    ------
    DataFormatError
        Unknown extension, missing file, or a file the reader cannot read.
    """
    path = check_file(path, "recording file")
    extension = extension_of(path)
    if extension in MNE_EXTENSIONS:
        return read_mne_file(path, **kwargs)
    if extension == ".c3d":
        from cyborg.io.c3d import read_c3d

        return read_c3d(path, **kwargs)
    if extension == ".txt":
        from cyborg.io.text_emg import read_text_emg

        return read_text_emg(path, **kwargs)
    raise DataFormatError(f"{path}: expected an extension in {list(SUPPORTED_EXTENSIONS)}, "
                          f"found '{extension or path.name}'")


def read_mne_file(path: str | Path, *, preload: bool = True, stim_to_annotations: bool = True,
                  set_montage: bool = True) -> Recording:
    """Read an EDF/BDF/GDF/BrainVision/EEGLAB/FIF file through MNE.

    Parameters
    ----------
    path : str | Path
        The file (for BrainVision, the ``.vhdr`` header).
    preload : bool
        Load the data into memory (needed for the NaN/flat-channel checks;
        ``False`` reads lazily and skips them).
    stim_to_annotations : bool
        Turn stim-channel events into annotations when the file has none.
    set_montage : bool
        Clean EEG channel names and set the 10-05 template montage where
        the names allow.

    Returns
    -------
    recording : Recording
        Subject and session from the file name, ``source`` = ``path``.

    Raises
    ------
    DataFormatError
        The file is missing, truncated beyond repair, or not in the format
        its extension says.
    """
    path = check_file(path, "recording file")
    extension = extension_of(path)
    if extension not in MNE_EXTENSIONS:
        raise DataFormatError(f"{path}: expected an extension in {list(MNE_EXTENSIONS)}, "
                              f"found '{extension}'")
    import mne

    issues: list[str] = []
    with reader_errors(path, f"reading the {MNE_EXTENSIONS[extension]} file"), \
            captured_warnings(path, issues):
        raw = _read_mne_object(path, extension)
        if preload:
            check_memory_need(raw, disk_bytes_of(path), path)
            with mne.utils.use_log_level("warning"):
                raw.load_data()
    subject, session = subject_session_from_name(path)
    return finish_recording(raw, path, subject=subject, session=session, issues=issues,
                            stim_to_annotations=stim_to_annotations, set_montage=set_montage)


def _read_mne_object(path: Path, extension: str) -> mne.io.BaseRaw | mne.BaseEpochs:
    """The MNE object of one file (epoched EEGLAB/FIF files give Epochs)."""
    import mne

    if extension == ".set":
        try:
            return mne.io.read_raw_eeglab(path, preload=False, verbose="warning")
        except TypeError as error:  # MNE's signal for an epoched .set file
            if "epoch" not in str(error).lower():
                raise
            return mne.read_epochs_eeglab(path, verbose="warning")
    if extension in (".fif", ".fif.gz"):
        try:
            return mne.io.read_raw_fif(path, preload=False, verbose="warning")
        except ValueError as error:  # MNE's signal for a file without raw data
            if "raw" not in str(error).lower():
                raise
            return mne.read_epochs(path, preload=False, verbose="warning")
    return mne.io.read_raw(path, preload=False, verbose="warning")


def finish_recording(raw: mne.io.BaseRaw | mne.BaseEpochs, path: Path, *, subject: str,
                     session: str | None, issues: list[str], stim_to_annotations: bool = True,
                     set_montage: bool = True, **fields: Any) -> Recording:
    """Apply the shared post-processing of MNE-read files and build the Recording.

    Parameters
    ----------
    raw : mne.io.BaseRaw | mne.BaseEpochs
        What MNE read.
    path : Path
        The source file (for messages and ``Recording.source``).
    subject, session : str, str | None
        Identity of the recording.
    issues : list of str
        Problems found so far; the checks here append to it.
    stim_to_annotations, set_montage : bool
        See :func:`read_mne_file`.
    **fields
        Further :class:`Recording` fields (``targets``, ``target_sfreq``...).

    Returns
    -------
    recording : Recording
    """
    import mne

    extra: dict[str, Any] = {"issues": issues, "file_units": _file_units(raw),
                             "original_ch_names": list(raw.ch_names)}
    with reader_errors(path, "post-processing the data"), captured_warnings(path, issues):
        if stim_to_annotations and isinstance(raw, mne.io.BaseRaw) and len(raw.annotations) == 0:
            n_events = stim_events_to_annotations(raw)
            if n_events:
                extra["events_from"] = "stim"
        extra["montage"] = standardize_montage(raw) if set_montage else None
        if not isinstance(raw, mne.io.BaseRaw) or raw.preload:
            for message in signal_issues(raw):
                report_issue(issues, path, message)
    return Recording(raw=raw, subject=subject, session=session, source=Path(path), extra=extra,
                     **fields)


def subject_session_from_name(path: str | Path) -> tuple[str, str | None]:
    """Subject and session identifiers written in a file name.

    Parameters
    ----------
    path : str | Path
        ``sub-01_ses-02_task-x_eeg.vhdr`` gives ``("01", "02")`` (``run-``
        is the session when there is no ``ses-``); ``S001R03.edf`` gives
        ``("S001", "R03")``; any other name gives ``(stem, None)``.

    Returns
    -------
    subject, session : str, str | None
    """
    name = Path(path).name
    stem = name[: -len(extension_of(name))] if extension_of(name) else name
    physionet = _PHYSIONET_NAME.match(stem)
    if physionet:
        return physionet.group(1), physionet.group(2)
    entities = dict(_BIDS_ENTITY.findall(stem))
    if "sub" in entities:
        return entities["sub"], entities.get("ses", entities.get("run"))
    return stem, None


def clean_channel_name(name: str) -> str:
    """A channel name without dots, spaces, ``EEG`` prefixes or ``-REF`` suffixes."""
    cleaned = re.sub(r"^(EEG)[\s_-]+", "", name.strip(), flags=re.IGNORECASE)
    cleaned = re.sub(r"[-_ ]?(REF|LE|AR)$", "", cleaned, flags=re.IGNORECASE)
    return cleaned.replace(".", "").replace(" ", "")


def standard_names(names: list[str]) -> dict[str, str]:
    """Map channel names to their 10-05 template spelling where they match one.

    Parameters
    ----------
    names : list of str
        Channel names as the file writes them (``'Fc5.'``, ``'FP1'``, ``'Cz'``).

    Returns
    -------
    mapping : dict
        ``{original: standard}`` for every name that matches a montage
        position once cleaned (case-insensitive); unmatched names are absent.
    """
    import mne

    montage = mne.channels.make_standard_montage(standard_montage_name())
    standard = {n.lower(): n for n in montage.ch_names}
    mapping = {}
    for name in names:
        match = standard.get(clean_channel_name(name).lower())
        if match is not None:
            mapping[name] = match
    return mapping


def standard_montage_name() -> str:
    """MNE's template 10-05 montage: ``colin27_1005`` (MNE >= 1.13), else ``standard_1005``."""
    import mne

    builtin = mne.channels.get_builtin_montages()
    return "colin27_1005" if "colin27_1005" in builtin else "standard_1005"


def standardize_montage(raw: mne.io.BaseRaw | mne.BaseEpochs) -> str | None:
    """Rename EEG channels to template 10-05 names and set that montage, in place.

    Nothing changes when the file already carries electrode positions, when
    fewer than :data:`MONTAGE_MATCH_FRACTION` of the EEG channels match, or
    when renaming would create duplicate names.

    Returns
    -------
    montage : str | None
        The template's name (:func:`standard_montage_name`) when set,
        ``"file"`` when the file had positions,
        ``None`` otherwise.
    """
    import mne

    eeg_names = [raw.ch_names[i] for i in mne.pick_types(raw.info, eeg=True, exclude=[])]
    if not eeg_names:
        return None
    if _has_positions(raw, eeg_names):
        return "file"
    mapping = standard_names(eeg_names)
    if len(mapping) < max(3, MONTAGE_MATCH_FRACTION * len(eeg_names)):
        return None
    renamed = {old: new for old, new in mapping.items() if old != new}
    final_names = [renamed.get(n, n) for n in raw.ch_names]
    if len(set(final_names)) != len(final_names):
        return None
    if renamed:
        raw.rename_channels(renamed, verbose="error")
    name = standard_montage_name()
    raw.set_montage(mne.channels.make_standard_montage(name), on_missing="ignore",
                    match_case=True, verbose="error")
    return name


def _has_positions(raw: mne.io.BaseRaw | mne.BaseEpochs, names: list[str]) -> bool:
    locations = np.array([raw.info["chs"][raw.ch_names.index(n)]["loc"][:3] for n in names])
    return bool(np.isfinite(locations).all() and np.abs(locations).sum() > 0)


def stim_events_to_annotations(raw: mne.io.BaseRaw) -> int:
    """Add one annotation per stim-channel event (description = code), in place.

    Returns
    -------
    n_events : int
        Number of annotations added (0 when there is no stim channel).
    """
    import mne

    stim = [raw.ch_names[i] for i in mne.pick_types(raw.info, stim=True, exclude=[])]
    if not stim or not raw.preload:
        return 0
    events = mne.find_events(raw, stim_channel=stim, shortest_event=1, initial_event=True,
                             consecutive=True, verbose="error")
    if len(events) == 0:
        return 0
    onsets = (events[:, 0] - raw.first_samp) / raw.info["sfreq"]
    annotations = mne.Annotations(onset=onsets, duration=np.zeros(len(events)),
                                  description=[str(code) for code in events[:, 2]],
                                  orig_time=raw.annotations.orig_time)
    raw.set_annotations(annotations, verbose="error")
    return len(events)


def signal_issues(raw: mne.io.BaseRaw | mne.BaseEpochs) -> list[str]:
    """Channels holding NaN/inf or a constant value (stim channels excluded).

    Returns
    -------
    messages : list of str
        One message per kind of problem found, naming the channels.
    """
    import mne

    picks = mne.pick_types(raw.info, meg=True, eeg=True, emg=True, eog=True, ecg=True, misc=True,
                           seeg=True, ecog=True, bio=True, exclude=[])
    if len(picks) == 0:
        return []
    data = raw.get_data(picks=picks)
    if data.ndim == 3:  # epochs: (n_epochs, n_chans, n_times) -> (n_chans, all samples)
        data = data.transpose(1, 0, 2).reshape(len(picks), -1)
    names = [raw.ch_names[i] for i in picks]
    finite = np.isfinite(data)
    messages = []
    bad = [n for n, ok in zip(names, finite.all(axis=1)) if not ok]
    if bad:
        messages.append(f"channels with NaN/inf samples: {bad}")
    with np.errstate(invalid="ignore"):
        flat = [n for n, row, ok in zip(names, data, finite) if ok.any() and np.ptp(row[ok]) == 0]
    if flat:
        messages.append(f"constant (flat) channels: {flat}")
    return messages


def report_issue(issues: list[str], where: str | Path, message: str,
                 level: int = logging.WARNING) -> None:
    """Append ``message`` to ``issues`` and log it naming ``where``.

    Parameters
    ----------
    issues : list of str
        The recording's ``extra["issues"]`` list.
    where : str | Path
        The file the problem is in.
    message : str
        What was found and what the reader did about it.
    level : int
        Logging level: WARNING for problems, INFO for a documented quirk of
        a known dataset that the reader handled as documented.
    """
    issues.append(message)
    logger.log(level, "%s: %s", where, message)


def disk_bytes_of(path: Path) -> int:
    """Bytes on disk of a recording, counting a BrainVision header's data file."""
    size = path.stat().st_size
    if extension_of(path) == ".vhdr":
        size += sum(p.stat().st_size for p in path.parent.glob(path.stem + ".*") if p != path)
    return size


def check_memory_need(raw: mne.io.BaseRaw | mne.BaseEpochs, disk_bytes: int, path: Path) -> None:
    """Refuse to load data a corrupted header promises but the file cannot hold.

    Raises
    ------
    DataFormatError
        When ``n_chans * n_times * 8`` bytes exceed both
        ``MAX_MEMORY_PER_DISK_BYTE * disk_bytes`` and ``MIN_MEMORY_LIMIT``.
    """
    n_times = raw.n_times if hasattr(raw, "n_times") else len(raw.events) * len(raw.times)
    need = 8 * len(raw.ch_names) * int(n_times)
    if need > max(MAX_MEMORY_PER_DISK_BYTE * disk_bytes, MIN_MEMORY_LIMIT):
        raise DataFormatError(
            f"{path}: field 'header': expected a data size the file can hold ({disk_bytes} bytes), "
            f"found {len(raw.ch_names)} channels x {n_times} samples ({need / 2**20:.0f} MiB)")


@contextlib.contextmanager
def reader_errors(path: str | Path, what: str) -> Iterator[None]:
    """Turn any exception of a third-party reader into a DataFormatError with context.

    A reader fed a damaged file may raise almost anything (``ValueError``,
    ``struct.error``, ``UnicodeDecodeError``, ``IndexError``, ``OSError``,
    ``MemoryError`` ...); callers see one type naming the file and the step.
    """
    try:
        yield
    except CyborgError:
        raise
    except Exception as error:  # noqa: BLE001 - boundary around third-party parsers
        raise DataFormatError(f"{path}: {what} failed: {type(error).__name__}: {error}") from error


@contextlib.contextmanager
def captured_warnings(path: str | Path, issues: list[str]) -> Iterator[None]:
    """Record the warnings raised inside the block as issues of ``path``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for item in caught:
        if issubclass(item.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        report_issue(issues, path, f"{item.category.__name__}: {item.message}")


def _file_units(raw: mne.io.BaseRaw | mne.BaseEpochs) -> dict[str, str]:
    """Units the file wrote per channel (MNE's ``_orig_units``), when MNE kept them."""
    units = getattr(raw, "_orig_units", None) or {}
    return {str(k): str(v) for k, v in units.items()}
