"""Read one recording of a BIDS dataset (EEG/EMG/iEEG/MEG) through mne-bids.

mne-bids reads the data file and the BIDS side files: ``channels.tsv``
(types, bad channels), ``events.tsv`` (annotations), ``electrodes.tsv``
(montage) and the sidecar JSON. The result gets the same treatment as
:func:`cyborg.io.formats.read_mne_file` (file units kept, issues reported,
10-05 montage from channel names when the dataset has no electrode
positions).
"""

from __future__ import annotations

from pathlib import Path

from cyborg.errors import DataFormatError
from cyborg.io.formats import (captured_warnings, check_memory_need, disk_bytes_of,
                               finish_recording, reader_errors)
from cyborg.recording import Recording


def read_bids(root: str | Path, subject: str, session: str | None = None, task: str | None = None,
              run: str | int | None = None, datatype: str = "eeg") -> Recording:
    """Read one BIDS recording into a :class:`Recording`.

    Parameters
    ----------
    root : str | Path
        The BIDS root folder (holding ``dataset_description.json``).
    subject : str
        Subject label without ``sub-`` (``"01"``).
    session : str | None
        Session label without ``ses-``, when the dataset has sessions.
    task : str | None
        Task label; may be omitted when the subject has only one recording.
    run : str | int | None
        Run label or number.
    datatype : str
        BIDS data type folder: ``"eeg"``, ``"emg"``, ``"ieeg"``, ``"meg"``.

    Returns
    -------
    recording : Recording
        ``subject`` / ``session`` from the BIDS entities (the run when there
        is no session), annotations from ``events.tsv``, ``extra``:
        ``bids_path``, ``task``, ``run``, ``file_units``, ``issues``.

    Raises
    ------
    DataFormatError
        No such recording, several matching recordings, or a file mne-bids
        cannot read.
    """
    import mne_bids

    root = Path(root)
    if not root.is_dir():
        raise DataFormatError(f"{root}: expected a BIDS root folder, found "
                              f"{'a file' if root.exists() else 'nothing at that path'}")
    issues: list[str] = []
    with reader_errors(root, f"finding sub-{subject} in the BIDS dataset"):
        bids_path = mne_bids.BIDSPath(root=root, subject=subject, session=session, task=task,
                                      run=run, datatype=datatype)
        matches = [m for m in bids_path.match() if m.suffix == datatype and m.extension != ".json"
                   and m.extension not in (".tsv", ".vmrk", ".eeg", ".fdt")]
    if len(matches) != 1:
        found = [m.basename for m in matches] or "none"
        raise DataFormatError(f"{root}: expected one {datatype} recording for {bids_path.basename}, "
                              f"found {found}")
    path = matches[0]
    with reader_errors(path.fpath, "reading the BIDS recording"), captured_warnings(path.fpath, issues):
        raw = mne_bids.read_raw_bids(path, verbose="error")
        check_memory_need(raw, disk_bytes_of(Path(path.fpath)), Path(path.fpath))
        raw.load_data(verbose="warning")
    recording = finish_recording(raw, Path(path.fpath), subject=path.subject,
                                 session=path.session or (str(path.run) if path.run else None),
                                 issues=issues, stim_to_annotations=False)
    recording.extra.update(bids_path=str(path.fpath), task=path.task, run=path.run)
    return recording
