"""read_recording / read_mne_file: real files against their SOURCE.md facts, synthetic edge cases."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import mne
import numpy as np
import pytest
import scipy.io

from cyborg.errors import DataFormatError
from cyborg.io import formats
from cyborg.io.formats import (check_memory_need, read_mne_file, read_recording, standard_names,
                               subject_session_from_name)
from cyborg.recording import Recording

# ---------------------------------------------------------------- real files (SOURCE.md facts)

EEGMMIDB_RUNS = ("S001R03", "S001R04", "S001R05", "S001R07", "S001R09")


@pytest.mark.parametrize("run", EEGMMIDB_RUNS)
def test_eegmmidb_edf_matches_source(eegmmidb_dir, run):
    recording = read_recording(eegmmidb_dir / f"{run}.edf")
    counts = Counter(recording.raw.annotations.description)
    assert len(recording.ch_names) == 64
    assert set(recording.raw.get_channel_types()) == {"eeg"}
    assert recording.sfreq == 160.0
    assert recording.raw.n_times == 20_000  # 125 s
    assert counts["T0"] == 15 and counts["T1"] + counts["T2"] == 15
    assert {counts["T1"], counts["T2"]} <= {7, 8}
    assert (recording.subject, recording.session) == ("S001", run[4:])
    # 'Fc5.' -> 'FC5', positions from the 10-05 template, original names kept
    assert recording.ch_names[:3] == ["FC5", "FC3", "FC1"] and "Iz" in recording.ch_names
    assert recording.extra["original_ch_names"][0] == "Fc5."
    assert recording.extra["montage"] in ("colin27_1005", "standard_1005")
    assert np.isfinite(recording.raw.get_montage().get_positions()["ch_pos"]["Cz"]).all()
    # the file writes µV; MNE holds volts (scalp EEG: tens of µV)
    assert recording.extra["file_units"]["Fc5."] == "µV"
    assert 1e-6 < recording.raw.get_data().std() < 1e-3
    assert recording.extra["issues"] == []


def test_brainvision_matches_source(mne_testfiles_dir):
    recording = read_recording(mne_testfiles_dir / "brainvision" / "test.vhdr")
    types = Counter(recording.raw.get_channel_types())
    counts = Counter(recording.raw.annotations.description)
    assert len(recording.ch_names) == 32 and types == {"eeg": 26, "misc": 6}
    assert recording.sfreq == 1000.0 and recording.raw.n_times / recording.sfreq == pytest.approx(7.9)
    assert (counts["Stimulus/S253"], counts["Stimulus/S255"], counts["Response/R255"],
            counts["Event/254"]) == (2, 5, 1, 3)
    assert recording.ch_names[0] == "Fp1"  # 'FP1' spelled as the montage spells it


def test_fif_stim_events_become_annotations(mne_testfiles_dir):
    recording = read_recording(mne_testfiles_dir / "brainvision" / "test_bin_raw.fif")
    types = Counter(recording.raw.get_channel_types())
    assert len(recording.ch_names) == 33 and types == {"eeg": 32, "stim": 1}
    assert len(recording.raw.annotations) == 10
    assert Counter(recording.raw.annotations.description) == {"255": 5, "254": 3, "253": 2}
    assert recording.extra["events_from"] == "stim"


def test_edf_plus_annotations_match_source(mne_testfiles_dir):
    recording = read_recording(mne_testfiles_dir / "edf" / "test.edf")
    types = Counter(recording.raw.get_channel_types())
    assert len(recording.ch_names) == 139 and types == {"eeg": 138, "stim": 1}
    assert recording.sfreq == 512.0 and recording.raw.n_times == 6 * 512
    assert Counter(recording.raw.annotations.description) == {"start": 1, "type A": 3, "type B": 1}
    assert "events_from" not in recording.extra  # annotations present: the stim channel is left alone
    assert recording.extra["montage"] is None  # BioSemi A1..I8 names: too few 10-05 matches


@pytest.mark.parametrize("name, n_channels, sfreq, seconds", [
    ("test.bdf", 73, 2048.0, 1.0), ("test_bdf_stim_channel.bdf", 4, 500.0, 10.0)])
def test_bdf_matches_source(mne_testfiles_dir, name, n_channels, sfreq, seconds):
    recording = read_recording(mne_testfiles_dir / "edf" / name)
    assert len(recording.ch_names) == n_channels
    assert recording.sfreq == sfreq
    assert recording.raw.n_times == int(seconds * sfreq)
    assert recording.raw.get_channel_types().count("stim") == 1


def test_bdf_stim_channel_gives_nine_triggers(mne_testfiles_dir):
    recording = read_recording(mne_testfiles_dir / "edf" / "test_bdf_stim_channel.bdf")
    assert Counter(recording.raw.annotations.description) == {"1": 7, "2": 1, "4": 1}


def test_truncated_edf_keeps_complete_records_and_says_so(eegmmidb_dir, tmp_path):
    data = (eegmmidb_dir / "S001R03.edf").read_bytes()
    header_bytes, record_bytes = 16_896, 20_640  # 65 signals; 64 x 160 + 1 x 60 int16 per record
    path = tmp_path / "S001R03.edf"
    path.write_bytes(data[: header_bytes + 48 * record_bytes + 1000])  # 48 records and a piece
    recording = read_recording(path)
    assert recording.raw.n_times == 48 * 160
    assert any("Number of records from the header does not match the file size" in issue
               for issue in recording.extra["issues"])


def test_every_shared_file_loads(shared_data):
    """Every recording file of the shared folder goes through the public reader."""
    skipped_suffixes = {".md", ".txt.md", ".event", ".vmrk", ".eeg"}
    files = [p for p in sorted(shared_data.rglob("*")) if p.is_file()
             and p.suffix not in skipped_suffixes and not p.name.startswith(("README", "LICENSE"))
             and p.name not in ("BDSEMG_eng.txt",)]
    assert len(files) >= 50
    for path in files:
        recording = read_recording(path)
        assert isinstance(recording, Recording), path
        assert recording.raw.n_times > 0 and recording.sfreq > 0, path


# ---------------------------------------------------------------- dispatch and names


def test_unknown_extension_is_refused(tmp_path):
    path = tmp_path / "data.xyz"
    path.write_bytes(b"123")
    with pytest.raises(DataFormatError, match=r"data\.xyz: expected an extension in .*found '\.xyz'"):
        read_recording(path)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(DataFormatError, match="nothing at that path"):
        read_recording(tmp_path / "absent.edf")


@pytest.mark.parametrize("extension", [".edf", ".bdf", ".gdf", ".vhdr", ".set", ".fif"])
def test_garbage_file_raises_data_format_error_naming_file(tmp_path, extension):
    path = tmp_path / f"garbage{extension}"
    path.write_bytes(bytes(range(256)) * 3)
    with pytest.raises(DataFormatError, match=rf"garbage\{extension}: .*failed"):
        read_recording(path)


@pytest.mark.parametrize("name, expected", [
    ("S001R03.edf", ("S001", "R03")),
    ("sub-07_ses-2_task-fists_eeg.vhdr", ("07", "2")),
    ("sub-07_task-fists_run-3_eeg.edf", ("07", "3")),
    ("recording.fif.gz", ("recording", None)),
])
def test_subject_session_from_name(name, expected):
    assert subject_session_from_name(name) == expected


def test_standard_names_cleans_dots_and_case():
    mapping = standard_names(["Fc5.", "Cz..", "FP1", "T10.", "Iz..", "EEG Fz-REF", "A99", "Status"])
    assert mapping == {"Fc5.": "FC5", "Cz..": "Cz", "FP1": "Fp1", "T10.": "T10", "Iz..": "Iz",
                       "EEG Fz-REF": "Fz"}


# ---------------------------------------------------------------- synthetic files


def _raw(names, types, sfreq=250.0, n_times=1000, seed=0):
    data = np.random.default_rng(seed).standard_normal((len(names), n_times)) * 1e-5
    return mne.io.RawArray(data, mne.create_info(names, sfreq, types), verbose="error")


def test_fif_round_trip_reports_nan_and_flat_channels(tmp_path, caplog):
    raw = _raw(["Cz", "C3", "C4", "EMG1"], ["eeg", "eeg", "eeg", "emg"])
    data = raw.get_data()
    data[1, 100:110] = np.nan
    data[3] = 2e-6
    raw._data[:] = data
    path = tmp_path / "sub-03_ses-1_raw.fif"
    raw.save(path, verbose="error")
    with caplog.at_level(logging.WARNING, logger="cyborg.io"):
        recording = read_recording(path)
    assert (recording.subject, recording.session) == ("03", "1")
    assert "channels with NaN/inf samples: ['C3']" in recording.extra["issues"]
    assert "constant (flat) channels: ['EMG1']" in recording.extra["issues"]
    assert any("sub-03_ses-1_raw.fif" in r.getMessage() and "EMG1" in r.getMessage() for r in caplog.records)
    np.testing.assert_allclose(recording.raw.get_data()[0], data[0], rtol=1e-6)


def test_fif_epochs_are_read_as_epochs(tmp_path):
    raw = _raw(["Cz", "C3", "C4"], "eeg")
    events = np.array([[100, 0, 1], [400, 0, 2], [700, 0, 1]])
    epochs = mne.Epochs(raw, events, {"a": 1, "b": 2}, tmin=0, tmax=0.5, baseline=None,
                        preload=True, verbose="error")
    path = tmp_path / "x-epo.fif"
    epochs.save(path, verbose="error")
    recording = read_recording(path)
    assert recording.is_epoched and len(recording.raw) == 3


def _write_eeglab(path: Path, data_uv: np.ndarray, sfreq: float, names, events) -> None:
    """A minimal continuous EEGLAB .set file (data inside the .set, µV)."""
    chanlocs = np.zeros(len(names), dtype=[("labels", "O"), ("X", "O"), ("Y", "O"), ("Z", "O"),
                                           ("type", "O")])
    for i, name in enumerate(names):
        chanlocs[i] = (name, np.array([]), np.array([]), np.array([]), "EEG")
    event = np.zeros(len(events), dtype=[("type", "O"), ("latency", "O"), ("duration", "O")])
    for i, (kind, latency) in enumerate(events):
        event[i] = (kind, float(latency), 0.0)
    n_times = data_uv.shape[1]
    eeg = {"setname": "x", "filename": path.name, "filepath": "", "nbchan": len(names), "trials": 1,
           "pnts": n_times, "srate": sfreq, "xmin": 0.0, "xmax": (n_times - 1) / sfreq,
           "times": np.arange(n_times) / sfreq * 1000, "data": data_uv.astype(np.float32),
           "chanlocs": chanlocs, "event": event, "icawinv": np.array([]), "icasphere": np.array([]),
           "icaweights": np.array([]), "icachansind": np.array([]), "ref": "common",
           "urevent": np.array([]), "epoch": np.array([])}
    scipy.io.savemat(path, {"EEG": eeg}, appendmat=False)


def test_eeglab_set_round_trip(tmp_path):
    data_uv = np.random.default_rng(1).standard_normal((3, 1000)) * 10
    path = tmp_path / "S002R01.set"
    _write_eeglab(path, data_uv, 250.0, ["Cz", "c3", "C4"], [("left", 101), ("right", 501)])
    recording = read_recording(path)
    assert recording.ch_names == ["Cz", "C3", "C4"]
    assert recording.sfreq == 250.0 and (recording.subject, recording.session) == ("S002", "R01")
    np.testing.assert_allclose(recording.raw.get_data() * 1e6, data_uv, rtol=1e-5)
    np.testing.assert_allclose(recording.raw.annotations.onset, [0.4, 2.0])  # 1-based latencies


def test_epoched_eeglab_set_is_read_as_epochs(tmp_path):
    n_chans, n_times, n_epochs = 3, 100, 4
    data_uv = np.random.default_rng(2).standard_normal((n_chans, n_times, n_epochs)).astype(np.float32)
    chanlocs = np.zeros(n_chans, dtype=[("labels", "O"), ("X", "O"), ("Y", "O"), ("Z", "O"), ("type", "O")])
    for i, name in enumerate(["Cz", "C3", "C4"]):
        chanlocs[i] = (name, np.array([]), np.array([]), np.array([]), "EEG")
    event = np.zeros(n_epochs, dtype=[("type", "O"), ("latency", "O"), ("duration", "O"), ("epoch", "O")])
    epoch = np.zeros(n_epochs, dtype=[("event", "O"), ("eventtype", "O"), ("eventlatency", "O")])
    for i in range(n_epochs):
        event[i] = ("go", float(i * n_times + 11), 0.0, float(i + 1))
        epoch[i] = (float(i + 1), "go", 0.0)
    eeg = {"setname": "x", "filename": "ep.set", "filepath": "", "nbchan": n_chans, "trials": n_epochs,
           "pnts": n_times, "srate": 100.0, "xmin": -0.1, "xmax": 0.89, "times": np.arange(n_times) * 10.0 - 100,
           "data": data_uv, "chanlocs": chanlocs, "event": event, "epoch": epoch, "icawinv": np.array([]),
           "icasphere": np.array([]), "icaweights": np.array([]), "icachansind": np.array([]),
           "ref": "common", "urevent": np.array([])}
    path = tmp_path / "ep.set"
    scipy.io.savemat(path, {"EEG": eeg}, appendmat=False)
    recording = read_recording(path)
    assert recording.is_epoched and len(recording.raw) == 4 and recording.raw.event_id == {"go": 1}
    np.testing.assert_allclose(recording.raw.get_data()[1] * 1e6, data_uv[:, :, 1], rtol=1e-5)


def test_memory_guard_refuses_impossible_header(tmp_path, monkeypatch):
    raw = _raw(["Cz"], "eeg", n_times=1000)
    monkeypatch.setattr(formats, "MIN_MEMORY_LIMIT", 0)
    with pytest.raises(DataFormatError, match=r"x\.edf: field 'header': expected a data size the file "
                                              r"can hold \(100 bytes\), found 1 channels x 1000 samples"):
        check_memory_need(raw, 100, Path("x.edf"))
    check_memory_need(raw, 1000, Path("x.edf"))  # 8000 bytes <= 16 x 1000: accepted


def test_read_mne_file_refuses_non_mne_extension(tmp_path):
    path = tmp_path / "x.c3d"
    path.write_bytes(b"\x02\x50")
    with pytest.raises(DataFormatError, match=r"x\.c3d: expected an extension in"):
        read_mne_file(path)
