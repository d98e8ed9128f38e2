"""EEGMMIDB loader: every subject, executed/imagined runs, left/right fist and fists/feet tasks.

Expected trial counts come from the EDF+ annotations read with MNE directly, plus a few hand-checked
totals from the datasets' SOURCE.md tables.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import mne
import numpy as np
import pytest

import cyborg
from cyborg.errors import CyborgError, DataFormatError
from cyborg.io.datasets import SHARED_DATA_ENV, shared_data_root
from cyborg.io.datasets.eegmmidb import (CLASS_NAMES, eegmmidb_runs, eegmmidb_trials, find_eegmmidb_files,
                                         load_eegmmidb_recordings, load_eegmmidb_trials)

SUBJECTS = [f"S{n:03d}" for n in range(1, 9)]


@pytest.fixture(scope="module")
def eegmmidb_root(eegmmidb_dir: Path) -> Path:
    """The shared data root holding both EEGMMIDB folders (S001 and S002-S008)."""
    root = eegmmidb_dir.parent
    if not (root / "eegmmidb_more").is_dir():
        pytest.skip(f"shared dataset eegmmidb_more/ (EEGMMIDB S002-S008) not found under {root}")
    return root


@pytest.fixture(scope="module")
def recordings(eegmmidb_dir):
    return load_eegmmidb_recordings(eegmmidb_dir.parent, subject=1, runs=(3, 7))


@pytest.fixture(scope="module")
def executed(eegmmidb_root):
    """The default call: every subject, executed left/right fist runs."""
    return load_eegmmidb_trials(eegmmidb_root)


def _annotation_counts(path: Path) -> Counter:
    """T1/T2 cue counts of one EDF+ file, straight from MNE."""
    annotations = mne.io.read_raw_edf(path, preload=False, verbose="error").annotations
    return Counter(d for d in annotations.description if d in ("T1", "T2"))


def _expected(files: dict[int, dict[int, Path]], subject: int, runs: tuple[int, ...],
              class_names: tuple[str, str]) -> dict[tuple[str, str], int]:
    """(session, class name) -> count for the runs of ``subject`` that exist."""
    expected = {}
    for run in runs:
        if run in files[subject]:
            counts = _annotation_counts(files[subject][run])
            expected.update({(f"R{run:02d}", class_names[i]): counts[event]
                             for i, event in enumerate(("T1", "T2"))})
    return expected


def _counts(trials, subject: str) -> dict[tuple[str, str], int]:
    rows = trials.metadata[trials.metadata["subject"] == subject]
    names = np.asarray(trials.class_names)[trials.y[rows.index]]
    return Counter(zip(rows["session"], names))


def test_every_subject_executed_by_default(executed, eegmmidb_root):
    files = find_eegmmidb_files(eegmmidb_root)
    assert sorted(files) == list(range(1, 9))
    assert executed.X.shape == (345, 64, 320) and executed.X.dtype == np.float32  # 23 runs x 15 cues
    assert sorted(set(executed.metadata["subject"])) == SUBJECTS
    assert executed.class_names == CLASS_NAMES == ("left_fist", "right_fist")
    for number, subject in enumerate(SUBJECTS, start=1):
        assert _counts(executed, subject) == _expected(files, number, (3, 7, 11), CLASS_NAMES), subject
    # hand-checked (SOURCE.md tables): S001 R03+R07 8+8 left, 7+7 right; S002 R03 8/7, R07 7/8, R11 8/7
    per_class = executed.metadata.assign(cls=executed.y).groupby(["subject", "cls"]).size()
    assert per_class["S001"].tolist() == [16, 14] and per_class["S002"].tolist() == [23, 22]
    assert not executed.metadata["imagined"].any()
    assert set(executed.metadata["run"]) == {3, 7, 11}
    assert (executed.metadata["session"] == executed.metadata["run"].map("R{:02d}".format)).all()
    assert (executed.y == executed.metadata["event"].map({"T1": 0, "T2": 1})).all()
    assert executed.info["runs"]["S001"] == ["R03", "R07"]
    assert executed.info["runs"]["S008"] == ["R03", "R07", "R11"]
    assert executed.sfreq == 160.0 and len(executed.ch_names) == 64


def test_trial_keys_are_unique_across_subjects(executed):
    keys = executed.metadata[["subject", "session", "trial"]].astype(str).agg("/".join, axis=1)
    assert keys.is_unique


@pytest.mark.parametrize("mode, runs", [("executed", {3, 7, 11}), ("imagined", {4, 8, 12}),
                                        ("both", {3, 4, 7, 8, 11, 12})])
def test_mode_picks_the_runs(eegmmidb_root, mode, runs):
    trials = load_eegmmidb_trials(eegmmidb_root, subjects=[1, 3], mode=mode, tmin=0.0, tmax=0.5)
    files = find_eegmmidb_files(eegmmidb_root)
    meta = trials.metadata
    assert set(meta.loc[meta["subject"] == "S003", "run"]) == runs
    assert set(meta.loc[meta["subject"] == "S001", "run"]) == runs & {3, 4, 5, 7, 9}  # S001's files
    assert (meta["imagined"] == meta["run"].isin([4, 8, 12])).all()
    for number in (1, 3):
        assert _counts(trials, f"S{number:03d}") == _expected(files, number, tuple(sorted(runs)), CLASS_NAMES)
    assert eegmmidb_runs("left_right", mode) == tuple(sorted(runs))


def test_missing_runs_of_a_subject_are_skipped_and_logged(eegmmidb_root, caplog):
    with caplog.at_level(logging.INFO, logger="cyborg.io"):
        trials = load_eegmmidb_trials(eegmmidb_root, subjects=[1], mode="executed")
    assert set(trials.metadata["session"]) == {"R03", "R07"} and len(trials) == 30
    assert any("S001 has no run R11" in r.getMessage() and "eegmmidb_S001" in r.getMessage()
               for r in caplog.records)


def test_explicit_runs_override_mode(eegmmidb_root):
    trials = load_eegmmidb_trials(eegmmidb_root, subjects=[2], mode="imagined", runs=(11,))
    assert set(trials.metadata["session"]) == {"R11"} and not trials.metadata["imagined"].any()
    assert len(trials) == 15


def test_fists_feet_runs_5_and_9(eegmmidb_root):
    trials = load_eegmmidb_trials(eegmmidb_root, subjects=[1], task="fists_feet")
    files = find_eegmmidb_files(eegmmidb_root)
    assert trials.class_names == ("both_fists", "both_feet")
    assert set(trials.metadata["run"]) == {5, 9} and trials.info["task"] == "fists_feet"
    assert _counts(trials, "S001") == _expected(files, 1, (5, 9), trials.class_names)
    assert np.bincount(trials.y).tolist() == [16, 14]  # hand-checked: T1 x8 + T2 x7 in R05 and R09


def test_fists_feet_over_all_subjects_skips_those_without_the_runs(eegmmidb_root, caplog):
    with caplog.at_level(logging.WARNING, logger="cyborg.io"):
        trials = load_eegmmidb_trials(eegmmidb_root, task="fists_feet", mode="executed")
    assert set(trials.metadata["subject"]) == {"S001"}
    skipped = [r.getMessage() for r in caplog.records if "subject skipped" in r.getMessage()]
    assert len(skipped) == 7 and "S002" in skipped[0]


def test_a_named_subject_without_a_selected_run_is_an_error_naming_its_folder(eegmmidb_root):
    folder = eegmmidb_root / "eegmmidb_more" / "S002"
    with pytest.raises(DataFormatError, match=rf"^{folder}: field 'runs': expected at least one of runs "
                                              r"R05 R09 R13 of S002 \(task='fists_feet'"):
        load_eegmmidb_trials(eegmmidb_root, subjects=[2], task="fists_feet")


def test_mixing_left_right_and_fists_feet_runs_is_an_error(eegmmidb_dir, tmp_path):
    with pytest.raises(CyborgError, match=r"runs of one task .* found left/right fist runs \[3\] and "
                                          r"fists/feet runs \[5\] mixed"):
        load_eegmmidb_trials(tmp_path, runs=(3, 5))
    mixed = load_eegmmidb_recordings(eegmmidb_dir.parent, subject=1, runs=(3,)) + \
        load_eegmmidb_recordings(eegmmidb_dir.parent, subject=1, runs=(5,), task="fists_feet")
    with pytest.raises(CyborgError, match=r"^eegmmidb_trials: field 'runs': .* mixed"):
        eegmmidb_trials(mixed)


def test_runs_of_the_other_task_name_it(tmp_path):
    with pytest.raises(CyborgError, match=r"expected left/right fist runs \[3, 4, 7, 8, 11, 12\] "
                                          r"\(task='left_right'\), found fists/feet runs \[5, 9\]; "
                                          r"pass task='fists_feet'"):
        load_eegmmidb_trials(tmp_path, runs=(5, 9))
    with pytest.raises(CyborgError, match=r"runs of a cued task.*found \[1\]"):
        load_eegmmidb_trials(tmp_path, runs=(1,))
    with pytest.raises(CyborgError, match=r"mode: expected one of \['executed', 'imagined', 'both'\]"):
        load_eegmmidb_trials(tmp_path, mode="imaginary")


def test_missing_subject_names_the_command_line_key(eegmmidb_root):
    with pytest.raises(DataFormatError, match=rf"^{eegmmidb_root}: field 'subjects': expected EEGMMIDB files "
                                              r"of subject S009 .* found none; set data\.root=DIR .*"
                                              rf"{SHARED_DATA_ENV}.*root=DIR in Python"):
        load_eegmmidb_trials(eegmmidb_root, subjects=[1, 9])


def test_missing_data_names_the_command_line_key(tmp_path):
    with pytest.raises(DataFormatError, match=r"expected EEGMMIDB files \(SNNNRMM\.edf.*found none; "
                                              r"set data\.root=DIR .*root=DIR in Python"):
        load_eegmmidb_trials(tmp_path)
    with pytest.raises(DataFormatError, match=r"subject S001 .*data\.root=DIR.*download=True"):
        load_eegmmidb_recordings(tmp_path, subject=1, runs=(3,))


def test_left_right_trials_of_runs_3_and_7(recordings):
    trials = eegmmidb_trials(recordings)
    assert trials.X.shape == (30, 64, 320) and trials.X.dtype == np.float32  # 0.5-2.5 s at 160 Hz
    counts = trials.metadata.groupby(["session", "event"]).size().to_dict()
    assert counts == {("R03", "T1"): 8, ("R03", "T2"): 7, ("R07", "T1"): 8, ("R07", "T2"): 7}
    assert set(trials.metadata["subject"]) == {"S001"} and set(trials.metadata["run"]) == {3, 7}
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


def test_window_past_the_last_cue_is_an_error(recordings):
    with pytest.raises(DataFormatError, match=r"S001R03\.edf: field 'event': expected events whose window"):
        eegmmidb_trials(recordings, tmin=0.0, tmax=5.0)  # the last cue starts 4.6 s before the end


def test_load_eegmmidb_trials_uses_the_shared_root(eegmmidb_dir, monkeypatch):
    monkeypatch.setenv(SHARED_DATA_ENV, str(eegmmidb_dir.parent))
    trials = load_eegmmidb_trials(subject=1, runs=(3,), tmin=0.0, tmax=1.0)
    assert trials.X.shape == (15, 64, 160)


def test_subject_and_subjects_together_are_refused(tmp_path):
    with pytest.raises(CyborgError, match=r"either subject= \(one subject\) or subjects=, not both"):
        load_eegmmidb_trials(tmp_path, subject=1, subjects=[2])


def test_find_eegmmidb_files_layouts_and_duplicates(tmp_path, caplog):
    for relative in ("eegmmidb_S001/S001R03.edf", "S002/S002R07.edf", "deep/er/S003R04.edf",
                     "a/b/c/S001R03.edf", "S002/notes.edf", "S002/S002R07.edf.event"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="cyborg.io"):
        files = find_eegmmidb_files(tmp_path)
    assert files == {1: {3: tmp_path / "eegmmidb_S001" / "S001R03.edf"},
                     2: {7: tmp_path / "S002" / "S002R07.edf"},
                     3: {4: tmp_path / "deep" / "er" / "S003R04.edf"}}
    assert any("a/b/c/S001R03.edf" in r.getMessage() and "ignored" in r.getMessage() for r in caplog.records)
    assert find_eegmmidb_files(tmp_path / "absent") == {}


def test_shared_data_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(SHARED_DATA_ENV, str(tmp_path))
    assert shared_data_root() == tmp_path
    monkeypatch.delenv(SHARED_DATA_ENV)
    repository = Path(cyborg.__file__).resolve().parents[1]  # the folder holding the package
    assert shared_data_root() == (repository.parent / "shared" / "data").resolve()
