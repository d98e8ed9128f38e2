"""UCI lower-limb loader: duplicates, sign conventions, knee-angle windows."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from cyborg.errors import DataFormatError
from cyborg.io.datasets.lower_limb import (load_lower_limb_recordings, load_lower_limb_trials,
                                           lower_limb_files, lower_limb_trials)


@pytest.fixture(scope="module")
def recordings(lower_limb_dir):
    return load_lower_limb_recordings(lower_limb_dir.parent)


def test_duplicates_are_dropped_and_reported(recordings):
    names = [r.source.name for r in recordings]
    assert len(recordings) == 31  # 33 files, 2Npie and 2Nsen repeat 1Npie and 1Nsen
    assert "2Npie.txt" not in names and "2Nsen.txt" not in names and "2Nmar.txt" in names
    by_name = {r.source.name: r for r in recordings}
    assert by_name["1Npie.txt"].extra["duplicate_files"] == ["2Npie.txt"]
    assert by_name["1Nsen.txt"].extra["duplicate_files"] == ["2Nsen.txt"]
    assert len({r.subject for r in recordings}) == 11
    assert {r.extra["group"] for r in recordings} == {"normal"}


def test_duplicate_drop_is_logged(lower_limb_dir, caplog):
    with caplog.at_level(logging.WARNING, logger="cyborg.io"):
        kept = load_lower_limb_recordings(lower_limb_dir.parent, subjects=[1, 2], exercises=("pie",))
    assert [r.source.name for r in kept] == ["1Npie.txt"]
    assert any("2Npie.txt" in r.getMessage() and "duplicated recording" in r.getMessage()
               for r in caplog.records)
    both = load_lower_limb_recordings(lower_limb_dir.parent, subjects=[1, 2], exercises=("pie",),
                                      drop_duplicates=False)
    assert len(both) == 2


def test_knee_angle_windows(recordings):
    trials = lower_limb_trials(recordings, window_s=0.25, step_s=0.05, target_sfreq=50.0)
    assert trials.X.shape == (8745, 4, 250) and trials.y.shape == (8745, 1, 1)
    # 11 files lose their last window: it ends after the last 50 Hz target sample
    assert trials.info["n_candidates"] == 8756 and trials.info["n_dropped_target"] == 11
    assert trials.metadata.groupby("exercise").size().to_dict() == {"mar": 1465, "pie": 3418, "sen": 3862}
    assert sorted(trials.info["duplicate_files"]) == ["2Npie.txt", "2Nsen.txt"]
    assert len(trials.info["angle_flipped"]) == 11
    assert set(trials.metadata.columns) >= {"subject", "session", "exercise", "group", "start_s", "time_s"}
    # X in mV, y the knee angle (deg) at the window's last sample
    first = recordings[0]
    rows = trials.metadata.index[(trials.metadata["subject"] == first.subject)
                                 & (trials.metadata["session"] == first.session)]
    start = round(trials.metadata.loc[rows[3], "start_s"] * 1000)
    np.testing.assert_allclose(trials.X[rows[3]], first.raw.get_data()[:, start:start + 250] * 1e3, rtol=1e-5)
    at = np.round(trials.metadata.loc[rows, "time_s"].to_numpy() * 1000).astype(int)
    assert np.abs(trials.y[rows, 0, 0] - first.targets[at, 0]).max() < 1.0  # 50 Hz low-pass only


def test_sequence_targets(recordings):
    trials = lower_limb_trials(recordings[:2], window_s=0.5, step_s=0.25, target_sfreq=60.0,
                               target_mode="sequence")
    assert trials.y.shape[1:] == (30, 1) and trials.target_sfreq == 60.0


def test_load_lower_limb_trials_selects_subjects(lower_limb_dir):
    trials = load_lower_limb_trials(lower_limb_dir.parent, subjects=[5], exercises=("mar",))
    assert set(trials.metadata["subject"]) == {"N05"} and set(trials.metadata["exercise"]) == {"mar"}
    assert len(trials) == (6563 - 250) // 50 + 1  # every window of the 6.563 s file
    assert trials.info["n_dropped"] == 0


def test_files_are_found_in_several_layouts(lower_limb_dir):
    from_root = lower_limb_files(lower_limb_dir.parent)
    assert len(from_root) == 33 and from_root[0].name == "1Nmar.txt" and from_root[-1].name == "11Npie.txt"
    assert lower_limb_files(lower_limb_dir) == from_root
    assert lower_limb_files(lower_limb_dir / "N_TXT") == from_root


def test_no_files_is_refused(tmp_path):
    with pytest.raises(DataFormatError, match=r"expected UCI lower-limb files .* found none"):
        load_lower_limb_recordings(tmp_path)
