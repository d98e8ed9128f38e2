"""read_bids: BIDS datasets written with mne-bids from the shared real files."""

from __future__ import annotations

from collections import Counter

import mne
import mne_bids
import pytest

from cyborg.errors import DataFormatError
from cyborg.io.bids import read_bids


@pytest.fixture(scope="module")
def bids_root(tmp_path_factory, eegmmidb_dir, mne_testfiles_dir):
    """Two subjects: an EDF+ run with a session, a BrainVision file without one."""
    root = tmp_path_factory.mktemp("bids")
    edf = mne.io.read_raw_edf(eegmmidb_dir / "S001R03.edf", verbose="error")
    mne_bids.write_raw_bids(edf, mne_bids.BIDSPath(subject="001", session="01", task="fists", run=3,
                                                   root=root, datatype="eeg"), verbose=False)
    vhdr = mne.io.read_raw_brainvision(mne_testfiles_dir / "brainvision" / "test.vhdr", verbose="error")
    mne_bids.write_raw_bids(vhdr, mne_bids.BIDSPath(subject="02", task="test", root=root,
                                                    datatype="eeg"), verbose=False)
    return root


def test_bids_edf_run_keeps_events_and_identity(bids_root):
    recording = read_bids(bids_root, "001", session="01", task="fists", run=3)
    counts = Counter(recording.raw.annotations.description)
    assert (recording.subject, recording.session) == ("001", "01")
    assert len(recording.ch_names) == 64 and recording.sfreq == 160.0 and recording.raw.n_times == 20_000
    assert counts["T0"] == 15 and counts["T1"] == 8 and counts["T2"] == 7
    assert recording.ch_names[0] == "FC5"  # cleaned to 10-05 names, montage set
    assert recording.extra["task"] == "fists" and recording.extra["run"] == "3"
    assert recording.extra["bids_path"].endswith("sub-001_ses-01_task-fists_run-3_eeg.edf")


def test_bids_brainvision_without_session(bids_root):
    recording = read_bids(bids_root, "02")
    assert (recording.subject, recording.session) == ("02", None)
    assert len(recording.ch_names) == 32 and recording.sfreq == 1000.0
    assert Counter(recording.raw.annotations.description)["Stimulus/S255"] == 5


def test_bids_missing_recording_is_refused(bids_root):
    with pytest.raises(DataFormatError, match=r"expected one eeg recording for sub-03, found none"):
        read_bids(bids_root, "03")


def test_bids_missing_root_is_refused(tmp_path):
    with pytest.raises(DataFormatError, match=r"absent: expected a BIDS root folder, found nothing"):
        read_bids(tmp_path / "absent", "01")
