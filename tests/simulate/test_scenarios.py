"""Simulator presets: ``default`` is the original generator, every preset is readable, information moves."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy.io import loadmat
from scipy.signal import butter, sosfiltfilt
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import cross_val_predict

from cyborg.challenge import EEG_CHANNELS
from cyborg.errors import CyborgError
from cyborg.evaluation.metrics import rmse_3d
from cyborg.io.challenge_trick import load_trick
from cyborg.io.challenge_velocity import load_velocity
from cyborg.simulate import ensure_synthetic, list_scenarios, simulate_trick, simulate_velocity
from cyborg.simulate.checks import envelope_features
from cyborg.simulate.folder import write_record
from cyborg.simulate.scenarios import TRICK_SCENARIOS, VELOCITY_SCENARIOS
from cyborg.simulate.trick import trick_parameters
from cyborg.simulate.velocity import velocity_parameters

TRICK_SEED, TRICK_EVENTS = 3, 20
VELOCITY_SEED, VELOCITY_TRIALS = 0, 60
#: Stance sign of the theme 2 subjects: +1 regular (lead leg left), -1 goofy.
STANCE_SIGN = {"0001": -1, "0002": 1, "0003": 1, "0004": 1, "0005": 1}
CENTRAL = [EEG_CHANNELS.index(n) for n in ("FCz", "Cz", "FC1", "FC2", "C1", "C2", "CPz")]
MOTOR = [EEG_CHANNELS.index(n) for n in ("C3", "FC3", "CP3", "C4", "FC4", "CP4")]
TEMPORAL = [EEG_CHANNELS.index(n) for n in ("T7", "FT7", "TP7", "T8", "FT8", "TP8")]
PARIETAL = [EEG_CHANNELS.index(n) for n in ("Pz", "POz", "P1", "P2")]


@pytest.fixture(scope="module")
def trick_presets(tmp_path_factory) -> dict[str, Path]:
    """Every theme 1 preset, one subject, equal seed and sizes (so the backgrounds are shared)."""
    base = tmp_path_factory.mktemp("trick_presets")
    return {name: simulate_trick(base / name, n_subjects=1, events_per_session=TRICK_EVENTS, n_test=TRICK_EVENTS,
                                 seed=TRICK_SEED, scenario=name) for name in list_scenarios("trick")}


@pytest.fixture(scope="module")
def velocity_presets(tmp_path_factory) -> dict[str, Path]:
    """Every theme 2 preset, equal seed and sizes (so the rides are shared)."""
    base = tmp_path_factory.mktemp("velocity_presets")
    return {name: simulate_velocity(base / name, n_trials=VELOCITY_TRIALS, seed=VELOCITY_SEED, scenario=name)
            for name in list_scenarios("velocity")}


def _float_arrays(value: object) -> Iterator[np.ndarray]:
    """Every floating-point array inside a ``loadmat`` value (structs and cells walked in order)."""
    if isinstance(value, np.ndarray) and value.dtype.names:
        for name in value.dtype.names:
            for item in value[name].ravel():
                yield from _float_arrays(item)
    elif isinstance(value, np.ndarray) and value.dtype == object:
        for item in value.ravel():
            yield from _float_arrays(item)
    elif isinstance(value, np.ndarray) and value.dtype.kind == "f":
        yield value


def _fingerprint(root: Path) -> tuple[float, float]:
    """Random projection and energy of all float content of a folder's ``.mat`` files, in path order.

    Any change of a random draw moves both by far more than ``rtol=1e-6``;
    last-bit differences between BLAS/FFT builds do not.
    """
    weights = np.random.default_rng(0)
    projection = energy = 0.0
    for path in sorted(root.rglob("*.mat")):
        contents = loadmat(path)
        for key in sorted(k for k in contents if not k.startswith("__")):
            for array in _float_arrays(contents[key]):
                values = array.astype(np.float64).ravel()
                projection += weights.standard_normal(values.size) @ values
                energy += values @ values
    return projection, energy


def _d(a: np.ndarray, b: np.ndarray) -> float:
    """Standardised mean difference of two samples (pooled standard deviation)."""
    return float((a.mean() - b.mean()) / np.sqrt((a.var() + b.var()) / 2.0))


# Computed with the generator before presets existed (commit be5510f), on these exact calls.
@pytest.mark.parametrize("task, expected", [
    ("trick", (-6999235.2423236165, 39393196273948.62)),
    ("velocity", (7.222084349525858, 2530.8994023385726)),
])
def test_default_scenario_reproduces_the_original_generator(tmp_path, task, expected):
    if task == "trick":
        root = simulate_trick(tmp_path, n_subjects=3, events_per_session=3, n_test=2, seed=0)
        answers = hashlib.sha256((root / "answer" / "test_labels.csv").read_bytes()).hexdigest()
        assert answers == "bb8588d2922afa3d70a93f6488906ebddd71e2685221f0b2936708d5078f0390"
    else:
        root = simulate_velocity(tmp_path, n_trials=3, seed=0)
    np.testing.assert_allclose(_fingerprint(root), expected, rtol=1e-6)
    assert json.loads((root / "simulation.json").read_text())["scenario"] == "default"


def test_list_scenarios_and_unknown_names():
    assert list_scenarios("trick") == ["default", "slow_potentials", "band_power", "clean", "hard"]
    assert list_scenarios("velocity") == ["default", "envelope", "timing", "no_swap", "swap", "hard"]
    calls = [lambda: trick_parameters(scenario="nope"), lambda: velocity_parameters(scenario="swapped"),
             lambda: ensure_synthetic("trick", "unused", scenario="nope"), lambda: list_scenarios("emg")]
    for call in calls:
        with pytest.raises(CyborgError, match=r"expected one of \[") as error:
            call()
        assert "\n" not in str(error.value)
    with pytest.raises(CyborgError, match=r"\['default', 'slow_potentials', 'band_power', 'clean', 'hard'\]"):
        simulate_trick("unused", scenario="nope")


def test_preset_sizes_follow_the_scenario():
    assert trick_parameters()["events_per_session"] == 60
    hard = trick_parameters(scenario="hard")
    assert hard["events_per_session"] == 40 and hard["test_counts"]["subject0"] == 40
    assert trick_parameters(scenario="hard", full_size=True)["events_per_session"] == 100
    assert trick_parameters(events_per_session=7, scenario="hard")["events_per_session"] == 7


@pytest.mark.parametrize("name", list(TRICK_SCENARIOS))
def test_every_trick_preset_writes_a_readable_folder(trick_presets, name):
    root = trick_presets[name]
    data = load_trick(root)
    assert [len(r.extra["events"]) for r in data["train"]] == [TRICK_EVENTS] * 3
    assert data["test"][0].raw.get_data().shape == (TRICK_EVENTS, 72, 250)
    assert all(np.isfinite(r.raw.get_data()).all() for r in data["train"])
    record = json.loads((root / "simulation.json").read_text())
    assert record == trick_parameters(n_subjects=1, events_per_session=TRICK_EVENTS, n_test=TRICK_EVENTS,
                                      seed=TRICK_SEED, scenario=name)
    # equal seeds share the schedule: only the planted signals differ
    default_events = load_trick(trick_presets["default"])["train"][0].extra["events"]
    assert data["train"][0].extra["events"].equals(default_events)


@pytest.mark.parametrize("name", list(VELOCITY_SCENARIOS))
def test_every_velocity_preset_writes_a_readable_folder(velocity_presets, name):
    root = velocity_presets[name]
    data = load_velocity(root)
    assert [(r.subject, len(r.raw)) for r in data["train"] + data["test"]] == [
        (key, VELOCITY_TRIALS) for key in ("0001", "0002", "0003", "0004")] * 2
    assert all(np.isfinite(r.raw.get_data()).all() for r in data["train"] + data["test"] + data["reference"])
    assert json.loads((root / "simulation.json").read_text()) == velocity_parameters(
        n_trials=VELOCITY_TRIALS, seed=VELOCITY_SEED, scenario=name)


def _trick_statistics(root: Path) -> dict[str, float]:
    """Pumping-minus-kickturn effect sizes of the slow potential, beta power and muscle power.

    slow: central 0-5 Hz mean 0.5-1.0 s after the event minus -0.3-0 s;
    beta: log 14-28 Hz power over the motor areas 0.2-0.7 s (the pumping
    rebound against the kickturn desynchronisation); muscle: log 70-200 Hz
    power over temporal sites 0.4-1.2 s (kickturn minus pumping).
    """
    slow_sos = butter(4, 5.0, fs=500.0, output="sos")
    beta_sos = butter(4, [14.0, 28.0], btype="band", fs=500.0, output="sos")
    muscle_sos = butter(4, [70.0, 200.0], btype="band", fs=500.0, output="sos")
    parts: dict[str, list] = {"slow": [], "beta": [], "muscle": [], "class": []}
    for session in load_trick(root)["train"]:
        data = session.raw.get_data() * 1e6
        onsets = session.extra["events"]["init_index"].to_numpy()[:, None]
        slow = sosfiltfilt(slow_sos, data[CENTRAL], axis=1).mean(axis=0)
        baseline = slow[onsets + np.arange(-150, 0)].mean(axis=1)
        parts["slow"].append(slow[onsets + np.arange(250, 500)].mean(axis=1) - baseline)
        beta = sosfiltfilt(beta_sos, data[MOTOR], axis=1) ** 2
        parts["beta"].append(np.log(beta[:, onsets + np.arange(100, 350)].mean(axis=2)).mean(axis=0))
        muscle = (sosfiltfilt(muscle_sos, data[TEMPORAL], axis=1) ** 2)[:, onsets + np.arange(200, 600)].mean(axis=2)
        parts["muscle"].append(np.log(muscle[:3].mean(axis=0) * muscle[3:].mean(axis=0)))  # dead sites: mean of powers
        parts["class"].append(session.extra["events"]["class_index"].to_numpy())
    values = {key: np.concatenate(value) for key, value in parts.items()}
    pumping, kickturn = values["class"] == 2, values["class"] < 2
    return {"slow": _d(values["slow"][pumping], values["slow"][kickturn]),
            "beta": _d(values["beta"][pumping], values["beta"][kickturn]),
            "muscle": _d(values["muscle"][kickturn], values["muscle"][pumping])}


def test_trick_class_information_moves_between_slow_potentials_and_band_power(trick_presets):
    default, slow, band = (_trick_statistics(trick_presets[name]) for name in ("default", "slow_potentials",
                                                                               "band_power"))
    assert default["slow"] > 1.0 and default["beta"] > 1.0
    assert slow["slow"] > 1.0 and abs(slow["beta"]) < 0.4
    assert band["beta"] > 1.0 and abs(band["slow"]) < 0.4


def test_trick_clean_has_class_independent_artefacts_and_less_background(trick_presets):
    default, clean = _trick_statistics(trick_presets["default"]), _trick_statistics(trick_presets["clean"])
    assert default["muscle"] > 0.4 and abs(clean["muscle"]) < 0.25
    assert clean["slow"] > 1.0 and clean["beta"] > 1.0
    alpha_sos = butter(4, [8.0, 12.0], btype="band", fs=500.0, output="sos")
    alpha = {name: np.mean([sosfiltfilt(alpha_sos, r.raw.get_data()[PARIETAL], axis=1).std()
                            for r in load_trick(trick_presets[name])["train"]]) for name in ("default", "clean")}
    assert alpha["clean"] / alpha["default"] == pytest.approx(0.6, abs=0.05)


def test_trick_hard_drifts_gains_and_has_bad_channels_in_one_session(trick_presets):
    def session_scales(root: Path) -> np.ndarray:
        data = load_trick(root)
        train = [np.diff(r.raw.get_data(), axis=1).std(axis=1) for r in data["train"]]
        return np.array([*train, np.diff(data["test"][0].raw.get_data(), axis=2).std(axis=(0, 2))])

    hard, default = session_scales(trick_presets["hard"]), session_scales(trick_presets["default"])
    alive = np.all(default > 0, axis=0)
    hard, default = hard[:, alive], default[:, alive]  # (4 sessions: train1-3, test; alive channels)
    dead = hard == 0
    log_ratio = np.log(np.where(dead, default, hard) / default)
    outlier = log_ratio > np.log(15.0)  # 20-100 times larger
    assert dead.sum() == 1 and outlier.sum() == 1
    assert np.array_equal(dead.any(axis=1), outlier.any(axis=1))  # the same single session
    normal = np.where(dead | outlier, np.nan, log_ratio)
    assert np.all((np.nanstd(normal, axis=1) > 0.18) & (np.nanstd(normal, axis=1) < 0.45))  # per-session gains

    def end_shift(root: Path) -> np.ndarray:
        data = load_trick(root)["train"][0].raw.get_data()
        return np.abs(data[:, -500:].mean(axis=1) - data[:, :500].mean(axis=1))

    drift = end_shift(trick_presets["hard"])[alive] / end_shift(trick_presets["default"])[alive]
    assert 2.5 < np.median(drift) < 3.5


def _log_right_over_left(emg: np.ndarray) -> np.ndarray:
    """log(mean |EMG| right / left) per muscle (channel pairs: even right, odd left)."""
    amplitude = np.abs(emg).mean(axis=(0, 2))
    return np.log(amplitude[0::2] / amplitude[1::2])


def _sides(root: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Subject key -> (train-side EMG, test-side EMG)."""
    data = load_velocity(root)
    pairs = {r.subject: (r.raw.get_data(), t.raw.get_data()) for r, t in zip(data["train"], data["test"])}
    reference = {r.side: r.raw.get_data() for r in data["reference"]}
    return {**pairs, "0005": (reference["train"], reference["test"])}


def test_velocity_swap_presets_move_amplitude_between_left_and_right(velocity_presets):
    # gains are per channel and equal on both sides, so the side difference of log R/L is the role swap
    shift = {name: {key: STANCE_SIGN[key] * np.mean(_log_right_over_left(test) - _log_right_over_left(train))
                    for key, (train, test) in _sides(velocity_presets[name]).items()}
             for name in ("no_swap", "default", "swap")}
    for key in STANCE_SIGN:
        assert abs(shift["no_swap"][key]) < 0.08
        assert 0.08 < shift["default"][key] < 0.4
        assert shift["swap"][key] > 0.8


def _lag_asymmetry(emg: np.ndarray, lag: int = 8) -> float:
    """Mean correlation of R at t + lag with L at t minus that of L at t + lag with R at t (binned envelopes)."""
    envelope = envelope_features(emg)
    envelope -= envelope.mean(axis=2, keepdims=True)
    right, left = envelope[:, 0::2], envelope[:, 1::2]

    def follows(late: np.ndarray, early: np.ndarray) -> float:
        a, b = late[..., lag:], early[..., :-lag]
        return float(np.mean(np.sum(a * b, -1) / np.sqrt(np.sum(a ** 2, -1) * np.sum(b ** 2, -1))))

    return follows(right, left) - follows(left, right)


def test_velocity_timing_preset_swaps_roles_in_timing_not_amplitude(velocity_presets):
    for key, (train, test) in _sides(velocity_presets["timing"]).items():
        assert abs(np.mean(_log_right_over_left(test) - _log_right_over_left(train))) < 0.1
        # the trail leg (right for a regular rider on the train side) bursts later
        assert STANCE_SIGN[key] * _lag_asymmetry(train) > 0.07
        assert STANCE_SIGN[key] * _lag_asymmetry(test) < -0.07
    for train, test in _sides(velocity_presets["default"]).values():
        assert abs(_lag_asymmetry(train)) < 0.07 and abs(_lag_asymmetry(test)) < 0.07


def _ridge_improvement(features: np.ndarray, targets: np.ndarray) -> float:
    """1 - 3-D RMSE of 5-fold ridge predictions / that of the mean trajectory; ``targets`` (N, 30, 3)."""
    flat = targets.reshape(len(targets), -1)
    predicted = cross_val_predict(RidgeCV(alphas=np.logspace(-2, 4, 13)), features, flat, cv=5)
    mean = np.broadcast_to(targets.mean(axis=0), targets.shape)
    return 1.0 - rmse_3d(targets, predicted.reshape(targets.shape)) / rmse_3d(targets, mean)


def test_velocity_envelope_preset_carries_levels_not_time_course(velocity_presets):
    scores = {}
    for name in ("default", "envelope"):
        recording = {r.side: r for r in load_velocity(velocity_presets[name])["reference"]}["train"]
        envelope = envelope_features(recording.raw.get_data())
        log_envelope = np.log(np.maximum(envelope / np.median(envelope, axis=(0, 2), keepdims=True), 0.0) + 0.01)
        levels = log_envelope.mean(axis=2)
        course = (log_envelope - levels[..., None]).reshape(len(levels), -1)
        scores[name] = (_ridge_improvement(levels, recording.targets), _ridge_improvement(course, recording.targets))
    assert scores["envelope"][0] > 0.4 and abs(scores["envelope"][1]) < 0.08
    assert scores["default"][0] > 0.4 and scores["default"][1] > 0.15


def test_velocity_hard_has_a_loose_electrode_and_gain_drift_over_trials(velocity_presets):
    hard, default = load_velocity(velocity_presets["hard"]), load_velocity(velocity_presets["default"])
    for noisy, plain in zip(hard["train"] + hard["test"], default["train"] + default["test"]):
        emg = noisy.raw.get_data()
        power = np.abs(np.fft.rfft(emg, axis=2)) ** 2  # 2 Hz bins
        line_share = power[..., 30].mean(axis=0) / power[..., 10:225].mean(axis=(0, 2))
        assert np.sum(line_share > 50.0) == 1
        good = line_share <= 50.0
        # same seed: the ratio to the default removes the shared per-trial jitter, leaving the drift
        log_ratio = np.log(np.sqrt((emg ** 2).mean(axis=2)) / np.sqrt((plain.raw.get_data() ** 2).mean(axis=2)))
        quarter = len(log_ratio) // 4
        shift = log_ratio[-quarter:, good].mean(axis=0) - log_ratio[:quarter, good].mean(axis=0)
        assert 0.15 < shift.std() < 0.6


def test_ensure_synthetic_regenerates_when_the_scenario_changes(tmp_path, monkeypatch):
    calls = []

    def fake_simulate(root: Path, seed: int, full_size: bool, scenario: str) -> Path:
        calls.append(scenario)
        root.mkdir(exist_ok=True)
        write_record(root, velocity_parameters(seed=seed, full_size=full_size, scenario=scenario))
        return root

    monkeypatch.setattr("cyborg.simulate.cache.simulate_velocity", fake_simulate)
    for scenario in ("swap", "swap", "default"):
        ensure_synthetic("velocity", tmp_path / "velocity", seed=2, scenario=scenario)
    assert calls == ["swap", "default"]
