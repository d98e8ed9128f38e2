"""Synthetic theme 2 data: a rider pumping in a half-pipe, 16-channel EMG and CoM velocity.

Each trial is a 0.5 s window of a pumping ride (random phase of a 3-4 s
oscillation). In the rider frame: along-ramp speed ``V cos(theta)``, vertical
speed from the ramp shape ``Z sin(2 theta)``, a small lateral speed, plus
smooth perturbations the EMG does not explain. The world velocity is the rider
frame rotated by the subject's ramp heading (0.1-0.55 rad).

EMG: band-limited noise (20-450 Hz) times muscle envelopes driven by the rider
state 20-80 ms *ahead* (electromechanical delay): knee extensors (RF, VL) and
hip (GMAX) push while rising, hamstrings (ST) while dropping, plantarflexors
(LG) on one ramp and tibialis (TA) on the other, trunk (EMI) braces with the
along-ramp acceleration and rotates, arms (DEL) swing with the direction of
travel. Both legs work in phase with different strengths for the lead and the
trail leg; the roles map to L/R channels by stance (even index = right;
regular: lead = left), so a stance flip changes amplitudes, not phases.
Per-subject channel gains, per-trial and slowly varying gain jitter, tonic
activity, baseline noise, 60 Hz line noise and occasional motion artefacts.

The test (prediction) side has the same kind of motion, but the rider's stance
is flipped (L/R roles swap) and the stored velocity is the world velocity
rotated by pi about z (x, y negated), as in the challenge (CHALLENGE.md 2.4).
EMG sample ``n`` is at ``n / 2000`` s and velocity step ``k`` at ``k / 60`` s of
the same window.

The above is the ``default`` scenario. Presets (:mod:`cyborg.simulate.scenarios`)
move the velocity information: ``envelope`` (envelope levels constant within
the window, set by the state at its centre: levels only), ``timing``
(fixed-height bursts at muscle-specific ride phases, longer for stronger
trials: timing only), ``no_swap`` (the test side keeps the L/R roles), ``swap``
(it swaps them and the legs differ strongly) and ``hard`` (more noise and
unexplained kinematics, channel-gain drift over trials, a bad channel). A
preset's own draws come from separate random streams, so the ride of equal
seeds is shared across presets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from cyborg.challenge import (EMG_CHANNELS, EMG_N_TIMES, EMG_SFREQ, SIDE_SIGN, T2_COUNTS,
                              T2_REFERENCE_COUNT, T2_REFERENCE_SUBJECT, VELOCITY_SFREQ, VELOCITY_STEPS,
                              submission_subject)
from cyborg.errors import CyborgError
from cyborg.io.challenge_velocity import REFERENCE_FIELDS, TEST_FIELDS, TRAIN_FIELDS, write_velocity_file
from cyborg.simulate.folder import GENERATOR_VERSION, prepare_root, write_record
from cyborg.simulate.scenarios import VelocityScenario, get_scenario
from cyborg.simulate.signals import band_noise
from cyborg.validation import check_option

DEFAULT_TRIALS = 120
#: Stance per subject key (0001 differs from the others, CHALLENGE.md 2.4).
STANCE = {"0001": "goofy", "0002": "regular", "0003": "regular", "0004": "regular", "0005": "regular"}
MUSCLES = ("TA", "LG", "RF", "VL", "ST", "GMAX", "EMI", "DEL")
_N_MUSCLES = len(MUSCLES)
_EMG_TIMES = np.arange(EMG_N_TIMES) / EMG_SFREQ
_STEP_TIMES = np.arange(VELOCITY_STEPS) / VELOCITY_SFREQ
_EMG_SCALE = 0.006  # typical full activation amplitude, in the file's unit
_KINEMATIC_NOISE = 0.35  # m/s, smooth velocity perturbation the EMG does not explain
_TONIC = 0.5  # activity present in every muscle, relative to a full phasic burst
_BURST_WIDTH_RAD = 0.35  # "timing" scenario: burst width in ride phase at intensity 1
_TRAIL_DELAY_RAD = 0.4  # "timing" scenario: the trail leg's bursts follow the lead leg's by this phase
_LOOSE_EMG = 0.1  # a bad channel keeps this fraction of its EMG ...
_LOOSE_NOISE = 0.5  # ... under white and 60 Hz noise of this size, relative to the channel's gain


def velocity_parameters(n_trials: int | None = None, seed: int = 0, full_size: bool = False,
                        version: str = "5", scenario: str = "default") -> dict[str, Any]:
    """The complete parameter record of :func:`simulate_velocity` (what ``simulation.json`` holds).

    ``full_size=True`` uses the original counts (:data:`cyborg.challenge.T2_COUNTS`,
    320 reference trials per side) and ignores ``n_trials``.
    """
    get_scenario("velocity", scenario)
    if n_trials is not None and n_trials < 2:
        raise CyborgError(f"simulate_velocity: expected n_trials >= 2, found {n_trials}")
    keys = [*T2_COUNTS, T2_REFERENCE_SUBJECT]
    if full_size:
        counts = {**T2_COUNTS, T2_REFERENCE_SUBJECT: T2_REFERENCE_COUNT}
    else:
        counts = {key: DEFAULT_TRIALS if n_trials is None else n_trials for key in keys}
    return {"task": "velocity", "generator": GENERATOR_VERSION, "seed": int(seed), "counts": counts,
            "full_size": bool(full_size), "version": version, "scenario": scenario}


def simulate_velocity(root: str | Path, n_trials: int | None = None, seed: int = 0, full_size: bool = False,
                      version: str = "5", scenario: str = "default") -> Path:
    """Generate a synthetic theme 2 folder.

    Parameters
    ----------
    root : str | Path
        Destination folder (emptied first if it is a synthetic folder; an
        unrelated non-empty folder is refused).
    n_trials : int | None
        Trials per subject and side; 120 when ``None``.
    seed : int
        Everything is a deterministic function of the parameters.
    full_size : bool
        Original counts (319/300/320/320 and 320 reference trials per side).
    version : {"5", "7.3"}
        MATLAB file version.
    scenario : str
        Preset of :data:`cyborg.simulate.scenarios.VELOCITY_SCENARIOS`: how the
        EMG carries the velocity, whether the test side swaps L/R roles, which
        nuisances are added.

    Returns
    -------
    root : Path
        With ``train.mat``, ``test.mat``, ``reference.mat`` (subjects
        0001-0004 and reference 0005; float64 arrays, the stance in test.mat's
        fields [1] and [2]), ``answer/test_answer.json`` (test-side
        velocities of 0001-0004 in the submission format and the test frame),
        ``sample_submit.json`` (zeros) and ``simulation.json``.
    """
    params = velocity_parameters(n_trials, seed, full_size, version, scenario)
    preset = get_scenario("velocity", scenario)
    check_option(version, ("5", "7.3"), "version")
    root = prepare_root(root)
    train, test, answer, sample = {}, {}, {}, {}
    reference: dict[str, list] = {}
    for index, (key, count) in enumerate(params["counts"].items(), start=1):
        model = _RiderModel(key, index, params["seed"], preset)
        train_emg, train_velocity = model.trials(count, side="train")
        test_emg, test_velocity = model.trials(count, side="test")
        # The originals hold float64 arrays (CHALLENGE.md 2.2); the values are generated in float32.
        train_emg, train_velocity, test_emg = (a.astype(np.float64) for a in (train_emg, train_velocity, test_emg))
        if key == T2_REFERENCE_SUBJECT:
            reference[key] = [train_emg, train_velocity, test_emg, test_velocity.astype(np.float64), model.stance]
            continue
        train[key] = [train_emg, train_velocity, model.stance]
        # Field [1] is not empty in the original test.mat: code reads the stance as the struct's
        # second-to-last field, others as field [2] (module docstring of cyborg.io.challenge_velocity).
        test[key] = [test_emg, model.stance, model.stance]
        name = submission_subject(key)
        answer[name] = {f"trial{i + 1}": np.round(v.T.astype(np.float64), 6).tolist()
                        for i, v in enumerate(test_velocity)}
        sample[name] = {f"trial{i + 1}": [[0.0, 0.0, 0.0]] * VELOCITY_STEPS for i in range(count)}
    write_velocity_file(root / "train.mat", train, version, TRAIN_FIELDS)
    write_velocity_file(root / "test.mat", test, version, TEST_FIELDS)
    write_velocity_file(root / "reference.mat", reference, version, REFERENCE_FIELDS)
    (root / "answer").mkdir()
    (root / "answer" / "test_answer.json").write_text(json.dumps(answer))
    (root / "sample_submit.json").write_text(json.dumps(sample))
    write_record(root, params)
    return root


def _roles(stance: str) -> tuple[np.ndarray, np.ndarray]:
    """Channel indices of each muscle on the lead and the trail leg (even = right)."""
    right, left = np.arange(0, 2 * _N_MUSCLES, 2), np.arange(1, 2 * _N_MUSCLES, 2)
    return (left, right) if stance == "regular" else (right, left)


def _muscle_drive(muscle: str, sin: np.ndarray, cos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Activation of one muscle on the (lead, trail) leg from the ride phase's sine and cosine.

    The rider is at along-ramp position ``sin`` (up the lead-side ramp when
    positive), moving at ``cos`` (forward, toward the lead foot, when positive)
    and rising when ``sin * cos > 0``.
    """
    rise, drop = np.maximum(2.0 * sin * cos, 0.0), np.maximum(-2.0 * sin * cos, 0.0)
    lead_ramp, trail_ramp, forward = np.maximum(sin, 0.0), np.maximum(-sin, 0.0), np.maximum(cos, 0.0)
    drives = {
        "TA": lambda: (0.7 * trail_ramp + 0.2 * drop, 0.35 * trail_ramp + 0.2 * drop),
        "LG": lambda: (lead_ramp, 0.5 * lead_ramp),
        "RF": lambda: (0.8 * rise, rise),
        "VL": lambda: (rise + 0.3 * cos ** 2, 0.7 * rise + 0.3 * cos ** 2),
        "ST": lambda: (drop, 0.7 * drop),
        "GMAX": lambda: (0.7 * rise, 0.5 * rise + 0.4 * forward),
        "EMI": lambda: (0.5 * np.abs(sin) + 0.5 * forward, 0.5 * np.abs(sin) + 0.2 * forward),
        "DEL": lambda: (forward, 0.5 * forward),
    }
    return drives[muscle]()


def _preferred_phases() -> dict[str, tuple[float, float]]:
    """Ride phase (rad) of each muscle's bursts in the ``timing`` scenario, (lead, trail) leg.

    The lead leg bursts at the circular mean phase of its ``phase``-coded
    drive (:func:`_muscle_drive`), the trail leg :data:`_TRAIL_DELAY_RAD` later.
    """
    angle = np.linspace(0.0, 2.0 * np.pi, 720, endpoint=False)
    phases = {}
    for muscle in MUSCLES:
        lead_drive = _muscle_drive(muscle, np.sin(angle), np.cos(angle))[0]
        lead = float(np.angle(np.sum(lead_drive * np.exp(1j * angle))))
        phases[muscle] = (lead, lead + _TRAIL_DELAY_RAD)
    return phases


def _phase_bursts(angle: np.ndarray, phases: tuple[float, float],
                  intensity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bursts of height 1 around the (lead, trail) ``phases`` (rad) of the ride ``angle``.

    A von Mises bump ``exp((cos(angle - phase) - 1) / width**2)`` whose width
    (:data:`_BURST_WIDTH_RAD` rad at intensity 1) grows with the trial's
    ``intensity`` (N, 1): the height stays 1, only the timing and duration vary.
    """
    inverse_width = 1.0 / (_BURST_WIDTH_RAD * intensity) ** 2
    return tuple(np.exp((np.cos(angle - phase) - 1.0) * inverse_width) for phase in phases)


class _RiderModel:
    """Ride, ramp and EMG properties of one synthetic subject."""

    def __init__(self, key: str, index: int, seed: int, scenario: VelocityScenario) -> None:
        rng = np.random.default_rng([seed, 2, index, 0])
        self.key, self.seed, self.index, self.scenario = key, seed, index, scenario
        self.stance = STANCE.get(key) or ("regular", "goofy")[rng.integers(2)]
        self.heading = rng.uniform(0.1, 0.55)
        self.speed = rng.uniform(2.7, 3.2)
        self.period = rng.uniform(3.0, 4.0)
        self.vertical = rng.uniform(1.3, 1.9)
        self.lateral = rng.uniform(0.1, 0.3)
        self.lateral_phase = rng.uniform(0.0, 2.0 * np.pi)
        self.lead_s = rng.uniform(0.02, 0.08, _N_MUSCLES)
        self.gain = _EMG_SCALE * rng.uniform(0.6, 1.6) * rng.lognormal(0.0, 0.35, len(EMG_CHANNELS))
        self.line = rng.uniform(0.0, 0.08, len(EMG_CHANNELS)) * self.gain * scenario.noise_scale
        extra_rng = np.random.default_rng([seed, 2, index, 0, 1])
        self.bad = extra_rng.choice(len(EMG_CHANNELS), scenario.bad_channels, replace=False)
        self.phases = _preferred_phases() if scenario.coding == "timing" else {}

    def trials(self, n_trials: int, side: str) -> tuple[np.ndarray, np.ndarray]:
        """EMG (N, 16, 1000) and stored velocity (N, 3, 30), both float32."""
        side_code = 1 if side == "train" else 2
        rng = np.random.default_rng([self.seed, 2, self.index, side_code])
        extra_rng = np.random.default_rng([self.seed, 2, self.index, side_code, 1])
        omega = 2.0 * np.pi / (self.period * rng.uniform(0.9, 1.1, n_trials))
        phase = rng.uniform(0.0, 2.0 * np.pi, n_trials)
        speed = self.speed * rng.uniform(0.6, 1.08, n_trials)
        vertical = self.vertical * rng.uniform(0.6, 1.15, n_trials)

        angle = omega[:, None] * _STEP_TIMES + phase[:, None]
        along = speed[:, None] * np.cos(angle)
        lateral = self.lateral * np.sin(angle + self.lateral_phase)
        up = vertical[:, None] * np.sin(2.0 * angle)
        rider = np.stack([along, lateral, up], axis=1) + self._perturbation(rng, n_trials)
        cos_h, sin_h = np.cos(self.heading), np.sin(self.heading)
        world = np.stack([cos_h * rider[:, 0] - sin_h * rider[:, 1],
                          sin_h * rider[:, 0] + cos_h * rider[:, 1], rider[:, 2]], axis=1)
        if side == "test":
            world *= np.asarray(SIDE_SIGN)[None, :, None]

        flipped = side == "test" and self.scenario.stance_flip
        stance = ("goofy" if self.stance == "regular" else "regular") if flipped else self.stance
        envelope = self._envelopes(omega, phase, speed / self.speed, vertical / self.vertical, stance)
        envelope *= rng.lognormal(0.0, 0.4, (n_trials, len(EMG_CHANNELS), 1))
        envelope *= np.exp(0.6 * band_noise(rng, (n_trials, len(EMG_CHANNELS)), EMG_N_TIMES, EMG_SFREQ, 1.0, 6.0))
        envelope += _TONIC
        envelope *= self.gain[None, :, None]
        emg = band_noise(rng, (n_trials, len(EMG_CHANNELS)), EMG_N_TIMES, EMG_SFREQ, 20.0, 450.0)
        emg *= envelope.astype(np.float32)
        emg += self._noise(rng, n_trials)
        if self.scenario.trial_gain_drift > 0:
            walk = np.cumsum(extra_rng.standard_normal((n_trials, len(EMG_CHANNELS), 1)), axis=0) / np.sqrt(n_trials)
            emg *= np.exp(self.scenario.trial_gain_drift * walk).astype(np.float32)
        if len(self.bad):
            emg[:, self.bad] = self._loose(extra_rng, emg[:, self.bad])
        return emg, world.astype(np.float32)

    def _perturbation(self, rng: np.random.Generator, n_trials: int) -> np.ndarray:
        """Smooth (below about 2 Hz) velocity noise, shape (N, 3, 30)."""
        knots = rng.normal(0.0, _KINEMATIC_NOISE * self.scenario.kinematic_noise_scale, (n_trials, 3, 3))
        knot_times = np.array([0.0, 0.25, 0.5])
        weights = np.stack([np.interp(_STEP_TIMES, knot_times, np.eye(3)[i]) for i in range(3)])
        return knots @ weights

    def _envelopes(self, omega: np.ndarray, phase: np.ndarray, speed: np.ndarray, vertical: np.ndarray,
                   stance: str) -> np.ndarray:
        """Muscle activation (N, 16, 1000) from the rider state ``lead_s`` ahead of each sample.

        ``speed`` and ``vertical`` are the trials' relative amplitudes (N,):
        ``vertical`` scales the leg extensors and flexors (RF, VL, ST, GMAX),
        ``speed`` the other muscles. The scenario's coding decides how:
        ``phase`` multiplies the drives, ``envelope`` does too but holds each
        drive at its value for the window's centre, ``timing`` widens bursts
        of fixed height (:func:`_phase_bursts`).
        """
        coding, contrast = self.scenario.coding, self.scenario.leg_contrast
        emg_times = _EMG_TIMES[EMG_N_TIMES // 2:EMG_N_TIMES // 2 + 1] if coding == "envelope" else _EMG_TIMES
        times = emg_times[None, None, :] + self.lead_s[None, :, None]
        angle = omega[:, None, None] * times + phase[:, None, None]  # (N, n_muscles, 1000 or 1)
        lead, trail = _roles(stance)
        envelope = np.empty((len(omega), len(EMG_CHANNELS), EMG_N_TIMES))
        for i, muscle in enumerate(MUSCLES):
            intensity = (vertical if muscle in ("RF", "VL", "ST", "GMAX") else speed)[:, None]
            if coding == "timing":
                lead_drive, trail_drive = _phase_bursts(angle[:, i], self.phases[muscle], intensity)
            else:
                lead_drive, trail_drive = _muscle_drive(muscle, np.sin(angle[:, i]), np.cos(angle[:, i]))
                lead_drive, trail_drive = lead_drive * intensity, trail_drive * intensity
            envelope[:, lead[i]] = lead_drive * contrast
            envelope[:, trail[i]] = trail_drive / contrast
        return envelope

    def _noise(self, rng: np.random.Generator, n_trials: int) -> np.ndarray:
        """Baseline noise, 60 Hz line noise and motion artefacts, shape (N, 16, 1000)."""
        n_chans = len(EMG_CHANNELS)
        noise = rng.standard_normal((n_trials, n_chans, EMG_N_TIMES), dtype=np.float32)
        noise *= (0.05 * self.scenario.noise_scale * self.gain).astype(np.float32)[None, :, None]
        line_phase = rng.uniform(0.0, 2.0 * np.pi, (n_trials, n_chans, 1))
        line = self.line[None, :, None] * np.sin(2.0 * np.pi * 60.0 * _EMG_TIMES + line_phase)
        noise += line.astype(np.float32)
        hit = rng.random((n_trials, n_chans)) < 0.03
        if hit.any():
            centre = rng.uniform(0.0, 0.5, hit.sum())
            shape = np.exp(-0.5 * ((_EMG_TIMES[None, :] - centre[:, None]) / 0.02) ** 2)
            amplitude = rng.normal(0.0, 3.0, hit.sum()) * self.gain[np.nonzero(hit)[1]]
            noise[hit] += (amplitude[:, None] * shape).astype(np.float32)
        return noise

    def _loose(self, rng: np.random.Generator, emg: np.ndarray) -> np.ndarray:
        """A loose electrode on the bad channels: ``emg`` (N, n_bad, 1000) shrunk, white and 60 Hz noise added."""
        gain = self.gain[self.bad][None, :, None]
        line_phase = rng.uniform(0.0, 2.0 * np.pi, (*emg.shape[:2], 1))
        noise = rng.standard_normal(emg.shape) + np.sqrt(2.0) * np.sin(2.0 * np.pi * 60.0 * _EMG_TIMES + line_phase)
        return (_LOOSE_EMG * emg + _LOOSE_NOISE * gain * noise).astype(np.float32)
