"""EEGMMIDB S001 left/right fist loader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import cyborg
from cyborg.errors import CyborgError, DataFormatError
from cyborg.io.datasets import SHARED_DATA_ENV, shared_data_root
from cyborg.io.datasets.eegmmidb import (CLASS_NAMES, eegmmidb_file, eegmmidb_trials,
                                         load_eegmmidb_recordings, load_eegmmidb_trials)


@pytest.fixture(scope="module")
def recordings(eegmmidb_dir):
    return load_eegmmidb_recordings(eegmmidb_dir.parent, subject=1, runs=(3, 7))


def test_left_right_trials_of_runs_3_and_7(recordings):
    trials = eegmmidb_trials(recordings)
    assert trials.X.shape == (30, 64, 320) and trials.X.dtype == np.float32  # 0.5-2.5 s at 160 Hz
    assert trials.class_names == CLASS_NAMES == ("left_fist", "right_fist")
    assert np.bincount(trials.y).tolist() == [16, 14]  # T1 x8 + T2 x7 in each run
    counts = trials.metadata.groupby(["session", "event"]).size().to_dict()
    assert counts == {("R03", "T1"): 8, ("R03", "T2"): 7, ("R07", "T1"): 8, ("R07", "T2"): 7}
    assert set(trials.metadata["subject"]) == {"S001"} and set(trials.metadata["run"]) == {3, 7}
    assert not trials.metadata["imagined"].any()
    assert (trials.y == trials.metadata["event"].map({"T1": 0, "T2": 1})).all()
    assert trials.ch_names[:3] == ["FC5", "FC3", "FC1"] and trials.sfreq == 160.0


def test_trial_is_the_filtered_signal_after_the_onset(recordings):
    trials = eegmmidb_trials(recordings, l_freq=1.0, h_freq=40.0)
    first = trials.metadata.iloc[0]
    assert (first["session"], first["event"], first["onset"]) == ("R03", "T2", pytest.approx(4.2))
    filtered = recordings[0].raw.copy().filter(1.0, 40.0, verbose="error").get_data()
    start = round((4.2 + 0.5) * 160)
    np.testing.assert_allclose(trials.X[0], filtered[:, start:start + 320] * 1e6, rtol=1e-5, atol=1e-3)
    unfiltered = eegmmidb_trials(recordings, l_freq=None, h_freq=None)
    raw_uv = recordings[0].raw.get_data()[:, start:start + 320] * 1e6
    np.testing.assert_allclose(unfiltered.X[0], raw_uv, rtol=1e-5, atol=1e-3)


def test_load_eegmmidb_trials_uses_the_shared_root(eegmmidb_dir, monkeypatch):
    monkeypatch.setenv(SHARED_DATA_ENV, str(eegmmidb_dir.parent))
    trials = load_eegmmidb_trials(runs=(3,), tmin=0.0, tmax=1.0)
    assert trials.X.shape == (15, 64, 160)


def test_imagined_run_is_flagged(eegmmidb_dir):
    trials = load_eegmmidb_trials(eegmmidb_dir.parent, runs=(4,))
    assert trials.metadata["imagined"].all() and len(trials) == 15


def test_runs_without_left_right_meaning_are_refused(tmp_path):
    with pytest.raises(CyborgError, match=r"runs: expected left/right fist runs \[3, 4, 7, 8, 11, 12\], "
                                          r"found \[5\]"):
        load_eegmmidb_trials(tmp_path, runs=(3, 5))


def test_missing_files_are_reported_without_download(tmp_path):
    with pytest.raises(DataFormatError, match=r"expected S001R03\.edf \(EEGMMIDB\) below this folder, "
                                              r"found nothing; .*download=True"):
        load_eegmmidb_recordings(tmp_path, runs=(3,))


def test_eegmmidb_file_layouts(tmp_path):
    for relative in ("eegmmidb_S001/S001R03.edf", "S002/S002R07.edf", "deep/er/S003R04.edf"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"")
    assert eegmmidb_file(tmp_path, 1, 3) == tmp_path / "eegmmidb_S001" / "S001R03.edf"
    assert eegmmidb_file(tmp_path, 2, 7) == tmp_path / "S002" / "S002R07.edf"
    assert eegmmidb_file(tmp_path, 3, 4) == tmp_path / "deep" / "er" / "S003R04.edf"
    assert eegmmidb_file(tmp_path, 1, 4) is None


def test_shared_data_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(SHARED_DATA_ENV, str(tmp_path))
    assert shared_data_root() == tmp_path
    monkeypatch.delenv(SHARED_DATA_ENV)
    repository = Path(cyborg.__file__).resolve().parents[1]  # the folder holding the package
    assert shared_data_root() == (repository.parent / "shared" / "data").resolve()
