"""The synthetic challenge folders: layout, answers, determinism, planted structure, caching."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.signal import butter, sosfiltfilt

from cyborg.challenge import EEG_CHANNELS, T1_TEST_COUNTS, T2_COUNTS, TRICK_CLASSES
from cyborg.errors import CyborgError
from cyborg.io.challenge_trick import load_trick
from cyborg.io.challenge_velocity import load_velocity
from cyborg.simulate import ensure_synthetic, simulate_trick, simulate_velocity
from cyborg.simulate.checks import velocity_difficulty
from cyborg.simulate.trick import DEAD_CHANNELS, trick_parameters
from cyborg.simulate.velocity import velocity_parameters


@pytest.fixture(scope="module")
def trick_root(tmp_path_factory):
    return simulate_trick(tmp_path_factory.mktemp("trick"), n_subjects=2, events_per_session=6, n_test=5, seed=1)


@pytest.fixture(scope="module")
def velocity_root(tmp_path_factory):
    return simulate_velocity(tmp_path_factory.mktemp("velocity"), n_trials=80, seed=1)


def test_trick_folder_layout_answers_and_record(trick_root):
    data = load_trick(trick_root)
    assert [(r.subject, r.session) for r in data["train"]] == [
        (s, f"train{i}") for s in ("subject0", "subject1") for i in (1, 2, 3)]
    assert all(len(r.extra["events"]) == 6 for r in data["train"])
    assert [len(r.raw) for r in data["test"]] == [5, 5]
    answer = (trick_root / "answer" / "test_labels.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in answer] == [f"subject{s}_{i:03d}" for s in (0, 1) for i in range(5)]
    assert {row.split(",")[1] for row in answer} <= set(TRICK_CLASSES)
    sample = (trick_root / "sample_submit.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in sample] == [row.split(",")[0] for row in answer]
    assert {row.split(",")[1] for row in sample} <= set(TRICK_CLASSES)
    record = json.loads((trick_root / "simulation.json").read_text())
    assert record == trick_parameters(n_subjects=2, events_per_session=6, n_test=5, seed=1)


def test_trick_sample_submission_has_seeded_random_labels(tmp_path):
    """Like the original (267/247/232 of 746): every class, roughly uniform, same labels for equal seeds."""
    first = simulate_trick(tmp_path / "a", n_subjects=5, events_per_session=1, n_test=60, seed=2)
    again = simulate_trick(tmp_path / "b", n_subjects=5, events_per_session=1, n_test=60, seed=2)
    labels = [row.split(",")[1] for row in (first / "sample_submit.csv").read_text().splitlines()]
    assert (first / "sample_submit.csv").read_bytes() == (again / "sample_submit.csv").read_bytes()
    counts = [labels.count(name) for name in TRICK_CLASSES]
    assert len(labels) == 300 and min(counts) > 70, counts


def test_trick_events_alternate_direction_and_match_the_samples(trick_root):
    session = load_trick(trick_root)["train"][0]
    events = session.extra["events"]
    assert set(np.diff(events["type"].to_numpy() // 10)) <= {-1, 1}
    np.testing.assert_allclose(events["init_time"], events["init_index"] / 500.0)
    gaps = np.diff(events["init_time"])
    assert gaps.min() >= 3.0 and gaps.max() <= 5.0


def test_trick_dead_channels_dc_offsets_and_amplified_channel(tmp_path, trick_root):
    session = load_trick(trick_root)["train"][0]
    data = session.raw.get_data() * 1e6
    dead = [EEG_CHANNELS.index(name) for name in DEAD_CHANNELS["subject0"]]
    zero = np.flatnonzero(np.all(data == 0, axis=1))
    assert zero.tolist() == sorted(dead)
    alive = np.setdiff1d(np.arange(72), dead)
    assert np.median(np.abs(data[alive].mean(axis=1))) > 500.0
    assert np.median(data[alive].std(axis=1)) < 100.0

    root = simulate_trick(tmp_path / "three", n_subjects=3, events_per_session=1, n_test=1, seed=0)
    subject2 = [r for r in load_trick(root)["train"] if r.subject == "subject2"][0].raw.get_data() * 1e6
    stds = subject2.std(axis=1)
    assert stds[EEG_CHANNELS.index("AF7")] > 20 * np.median(stds[stds > 0])


def test_trick_slow_potential_separates_kickturns_from_pumping(tmp_path):
    root = simulate_trick(tmp_path, n_subjects=1, events_per_session=30, n_test=1, seed=2)
    central = [EEG_CHANNELS.index(n) for n in ("FCz", "Cz", "FC1", "FC2", "C1", "C2", "CPz")]
    sos = butter(4, 5.0, fs=500.0, output="sos")
    slopes, classes = [], []
    for session in load_trick(root)["train"]:
        signal = sosfiltfilt(sos, session.raw.get_data()[central] * 1e6, axis=1).mean(axis=0)
        onsets = session.extra["events"]["init_index"].to_numpy()
        slopes.append(signal[onsets + 325] - signal[onsets + 125])  # 0.65 s minus 0.25 s after the event
        classes.append(session.extra["events"]["class_index"].to_numpy())
    slopes, classes = np.concatenate(slopes), np.concatenate(classes)
    kickturn, pumping = slopes[classes < 2], slopes[classes == 2]
    pooled = np.sqrt((kickturn.var() + pumping.var()) / 2)
    assert (pumping.mean() - kickturn.mean()) / pooled > 0.8


def test_trick_is_deterministic_by_seed_and_layout_does_not_change_content(tmp_path):
    args = {"n_subjects": 1, "events_per_session": 2, "n_test": 2}
    first = simulate_trick(tmp_path / "a", seed=5, **args)
    again = simulate_trick(tmp_path / "b", seed=5, **args)
    other = simulate_trick(tmp_path / "c", seed=6, **args)
    variant = simulate_trick(tmp_path / "d", seed=5, version="7.3", event_layout="struct_array",
                             times_layout="column", **args)
    name = "train/subject0/train2.mat"
    assert (first / name).read_bytes() == (again / name).read_bytes()
    assert (first / "test/subject0.mat").read_bytes() == (again / "test/subject0.mat").read_bytes()
    assert (first / name).read_bytes() != (other / name).read_bytes()
    reference, layout_variant = load_trick(first)["train"][1], load_trick(variant)["train"][1]
    np.testing.assert_array_equal(reference.raw.get_data(), layout_variant.raw.get_data())
    assert reference.extra["events"].equals(layout_variant.extra["events"])


def test_velocity_folder_layout_answers_and_record(velocity_root):
    data = load_velocity(velocity_root)
    assert [(r.subject, r.stance, len(r.raw)) for r in data["train"]] == [
        ("0001", "goofy", 80), ("0002", "regular", 80), ("0003", "regular", 80), ("0004", "regular", 80)]
    assert [r.subject for r in data["test"]] == ["0001", "0002", "0003", "0004"]
    assert [(r.subject, r.side) for r in data["reference"]] == [("0005", "train"), ("0005", "test")]
    speeds = np.concatenate([r.targets for r in data["train"]])
    assert 2.5 < np.abs(speeds).max() < 4.5
    answer = json.loads((velocity_root / "answer" / "test_answer.json").read_text())
    assert list(answer) == ["sub1", "sub2", "sub3", "sub4"]
    assert list(answer["sub2"])[:2] == ["trial1", "trial2"] and len(answer["sub2"]) == 80
    assert np.asarray(answer["sub1"]["trial80"]).shape == (30, 3)
    sample = json.loads((velocity_root / "sample_submit.json").read_text())
    assert sample.keys() == answer.keys() and sample["sub4"]["trial1"] == [[0.0, 0.0, 0.0]] * 30
    assert json.loads((velocity_root / "simulation.json").read_text()) == velocity_parameters(n_trials=80, seed=1)


def test_velocity_heading_is_per_subject_and_in_range(velocity_root):
    for recording in load_velocity(velocity_root)["train"]:
        xy = recording.targets[..., :2].reshape(-1, 2)
        axis = np.linalg.eigh(np.cov(xy.T))[1][:, -1]
        heading = np.arctan2(axis[1], axis[0]) % np.pi
        assert 0.0 < heading < 0.7


def test_velocity_stance_flip_swaps_left_right_roles_on_the_test_side(velocity_root):
    reference = {r.side: r.raw.get_data() for r in load_velocity(velocity_root)["reference"]}
    # 0005 rides regular: the lead (left, odd index) arm works harder on the train side
    ratio = {side: np.abs(emg[:, 15]).mean() / np.abs(emg[:, 14]).mean() for side, emg in reference.items()}
    assert ratio["train"] > 1.3 * ratio["test"]


def test_velocity_envelope_ridge_beats_the_mean_only_after_side_mapping(velocity_root):
    table = velocity_difficulty(velocity_root).set_index("training set")
    row = table.loc["reference train side"]
    assert row["improvement (mapped)"] > 0.25
    assert row["ridge RMSE (mapped)"] > 0.3
    assert row["ridge RMSE (unmapped)"] > row["train-mean RMSE"]


def test_velocity_is_deterministic_by_seed(tmp_path):
    first = simulate_velocity(tmp_path / "a", n_trials=4, seed=3)
    again = simulate_velocity(tmp_path / "b", n_trials=4, seed=3)
    other = simulate_velocity(tmp_path / "c", n_trials=4, seed=4)
    for name in ("train.mat", "test.mat", "reference.mat", "answer/test_answer.json"):
        assert (first / name).read_bytes() == (again / name).read_bytes()
        assert (first / name).read_bytes() != (other / name).read_bytes()


def test_full_size_parameters_follow_the_challenge_counts():
    trick = trick_parameters(full_size=True)
    assert trick["events_per_session"] == 160 and trick["test_counts"] == T1_TEST_COUNTS
    assert velocity_parameters(full_size=True)["counts"] == {**T2_COUNTS, "0005": 320}


def test_ensure_synthetic_generates_once_and_regenerates_on_change(tmp_path):
    root = tmp_path / "velocity"
    ensure_synthetic("velocity", root, seed=0)
    stamp = (root / "train.mat").stat().st_mtime_ns
    ensure_synthetic("velocity", root, seed=0)
    assert (root / "train.mat").stat().st_mtime_ns == stamp
    record = json.loads((root / "simulation.json").read_text())
    assert record["seed"] == 0 and record["counts"]["0001"] == 120
    ensure_synthetic("velocity", root, seed=1)
    assert json.loads((root / "simulation.json").read_text())["seed"] == 1


def test_generation_refuses_to_overwrite_an_unrelated_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(CyborgError, match="refusing to overwrite it"):
        simulate_velocity(tmp_path, n_trials=2)
    assert (tmp_path / "mine.txt").read_text() == "keep me"
