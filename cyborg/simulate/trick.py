"""Synthetic theme 1 data: 72-channel EEG sessions with trick events, in the challenge layout.

What is planted (per subject, all deterministic from ``seed``):

- background: a few dozen 1/f sources (flat below 4 Hz) and an occipital alpha
  rhythm, mixed onto the 10-20 positions through Gaussian kernels of scalp
  distance;
- class signal, about 0.1-0.9 s after each event: beta-band (13-30 Hz) power
  changes over the left/right motor areas (desynchronisation lateralised by
  kickturn class and mirrored for goofy riders, a mild rebound for pumping)
  and slow negative potentials over central and lateral sites (large before
  kickturns, lateralised like the beta change) peaking about 0.75 s;
- subject identity: jittered source positions, effect sizes, channel gains,
  DC offsets and dead channels differ per subject;
- artefacts: muscle bursts (30-200 Hz) on temporal sites 0.3-0.8 s and slow,
  large motion swings 0.5-1.2 s after events, both more frequent after some
  classes, and at random times; blinks on frontal sites; 60 Hz line noise;
  per-channel DC offsets of thousands of µV and drift; zero-filled dead
  channels (CHALLENGE.md 1.4 lists for subject0..4) and, for subject2,
  channel AF7 amplified 100 times.

Events come every 3-5 s; classes FS/BS/pumping at 25/25/50 %; directions
alternate LED/Laser (``type = 10 * direction + class``). ``times`` starts at 0
ms; ``init_index`` is the 0-based sample index of the event.

The above is the ``default`` scenario. Presets (:mod:`cyborg.simulate.scenarios`)
move the class information: ``slow_potentials`` (slow potentials only),
``band_power`` (beta power changes only), ``clean`` (both, class-independent
artefacts, higher signal-to-noise ratio) and ``hard`` (weaker effects,
per-session channel-gain drift, an outlier and a dead channel in one session,
stronger DC drift, fewer events). A preset's own draws come from separate random streams,
so the background of equal seeds is shared across presets.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import mne
import numpy as np
import pandas as pd

from cyborg.challenge import (EEG_CHANNELS, EEG_SFREQ, EPOCH_N_TIMES, EPOCH_TMIN, T1_STANCE,
                              T1_TEST_COUNTS, TRICK_CLASSES)
from cyborg.errors import CyborgError
from cyborg.io.challenge_trick import MONTAGE, write_trick_session, write_trick_test
from cyborg.simulate.folder import GENERATOR_VERSION, prepare_root, write_record
from cyborg.simulate.scenarios import TrickScenario, get_scenario
from cyborg.simulate.signals import (band_noise, coloured_noise, event_locked, gaussian_kernel,
                                     plateau_kernel, poisson_times)
from cyborg.validation import check_option

#: Test epochs at the full size for subjects beyond the challenge's five.
FULL_TEST_COUNT = 160
N_TRAIN_SESSIONS = 3
CLASS_PROBABILITIES = (0.25, 0.25, 0.5)
#: Zero-filled channels of the original data① (CHALLENGE.md 1.4).
DEAD_CHANNELS = {
    "subject0": ("T8", "FT9", "F9", "PO9", "O9", "O10"),
    "subject1": ("O1", "T7", "T8", "P7", "Pz", "AF4", "TP7", "PO7", "Iz", "P9", "PO9", "O9"),
    "subject2": ("AF4", "P9", "PO9", "O9"),
    "subject3": ("T8", "AF4", "TP7", "O9"),
    "subject4": ("F8", "T8", "FC5", "AF4", "F10", "P9", "O9"),
}
#: Channels that are alive but far too large (subject2 AF7, std about 4.9 mV).
AMPLIFIED_CHANNELS = {"subject2": ("AF7", 100.0)}

_SF = EEG_SFREQ
_N_BACKGROUND = 32
_BLOCK = 8192  # samples per block when adding channel noise (small reused buffers)
# Effect templates for a regular rider; rows FS, BS, pumping.
_BETA_CHANGE = np.array([[-0.55, -0.20], [-0.20, -0.55], [0.15, 0.15]])   # (left C3, right C4)
_SLOW_UV = np.array([[-20.0, -12.0, -3.0], [-20.0, -3.0, -12.0], [-4.0, -1.5, -1.5]])  # (central, left, right)
_MUSCLE_PROBABILITY = np.array([0.45, 0.45, 0.2])
_MOTION_PROBABILITY = np.array([0.2, 0.2, 0.35])
_LEVELS_UV = {"background": 8.0, "alpha": 6.0, "beta": 7.0, "muscle": 8.0, "motion": 25.0,
              "blink": 100.0, "white": 1.5, "dc": 3000.0, "drift": 150.0}


def trick_parameters(n_subjects: int = 5, events_per_session: int | None = None, n_test: int | None = None,
                     seed: int = 0, full_size: bool = False, version: str = "5",
                     event_layout: str = "struct_of_arrays", times_layout: str = "row",
                     scenario: str = "default") -> dict[str, Any]:
    """The complete parameter record of :func:`simulate_trick` (what ``simulation.json`` holds).

    ``events_per_session=None`` takes the scenario's quick size (60 events for
    most presets). ``full_size=True`` replaces ``events_per_session`` by the
    scenario's full size (160 for most presets) and ``n_test`` by
    :data:`cyborg.challenge.T1_TEST_COUNTS` (160 for subjects beyond those).
    """
    preset = get_scenario("trick", scenario)
    if events_per_session is None:
        events_per_session = preset.events_per_session[0]
    if n_subjects < 1 or events_per_session < 1 or (n_test is not None and n_test < 1):
        raise CyborgError(f"simulate_trick: expected n_subjects, events_per_session and n_test >= 1, found "
                          f"{n_subjects}, {events_per_session}, {n_test}")
    subjects = [f"subject{k}" for k in range(n_subjects)]
    if full_size:
        events_per_session = preset.events_per_session[1]
        test_counts = {s: T1_TEST_COUNTS.get(s, FULL_TEST_COUNT) for s in subjects}
    else:
        test_counts = {s: events_per_session if n_test is None else n_test for s in subjects}
    return {"task": "trick", "generator": GENERATOR_VERSION, "seed": int(seed), "n_subjects": int(n_subjects),
            "events_per_session": int(events_per_session), "test_counts": test_counts,
            "full_size": bool(full_size), "version": version, "event_layout": event_layout,
            "times_layout": times_layout, "scenario": scenario}


def simulate_trick(root: str | Path, n_subjects: int = 5, events_per_session: int | None = None,
                   n_test: int | None = None, seed: int = 0, full_size: bool = False, version: str = "5",
                   event_layout: str = "struct_of_arrays", times_layout: str = "row",
                   scenario: str = "default") -> Path:
    """Generate a synthetic theme 1 folder.

    Parameters
    ----------
    root : str | Path
        Destination folder (emptied first if it is a synthetic folder; an
        unrelated non-empty folder is refused).
    n_subjects : int
        Subjects ``subject0`` ... (the first five use the original dead-channel
        lists and stances).
    events_per_session : int | None
        Events in each of the 3 training sessions; the scenario's quick size
        (60 for most presets) when ``None``.
    n_test : int | None
        Test epochs per subject; ``events_per_session`` when ``None``.
    seed : int
        Everything is a deterministic function of the parameters.
    full_size : bool
        Original sizes: the scenario's full events per session (160 for most
        presets), test counts of the challenge.
    version, event_layout, times_layout
        File variants, see :func:`cyborg.io.challenge_trick.write_trick_session`.
    scenario : str
        Preset of :data:`cyborg.simulate.scenarios.TRICK_SCENARIOS`: where the
        class information lives and which nuisances are added.

    Returns
    -------
    root : Path
        With ``train/subject{k}/train{1,2,3}.mat``, ``test/subject{k}.mat``,
        ``answer/test_labels.csv``, ``sample_submit.csv`` and ``simulation.json``.
    """
    params = trick_parameters(n_subjects, events_per_session, n_test, seed, full_size, version,
                              event_layout, times_layout, scenario)
    preset = get_scenario("trick", scenario)
    check_option(version, ("5", "7.3"), "version")
    root = prepare_root(root)
    answer_rows, sample_rows = [], []
    for k in range(params["n_subjects"]):
        model = _SubjectModel(k, params["seed"], preset)
        for session in range(1, N_TRAIN_SESSIONS + 1):
            rng = np.random.default_rng([params["seed"], 1, k, session])
            schedule = _schedule(rng, params["events_per_session"])
            data = model.session(rng, schedule, session)
            write_trick_session(root / "train" / model.name / f"train{session}.mat", schedule["times_ms"], data,
                                EEG_CHANNELS, schedule["events"], version, event_layout, times_layout)
        rng = np.random.default_rng([params["seed"], 1, k, N_TRAIN_SESSIONS + 1])
        schedule = _schedule(rng, params["test_counts"][model.name])
        data = model.session(rng, schedule, N_TRAIN_SESSIONS + 1)
        start = schedule["samples"] + round(EPOCH_TMIN * _SF)
        epochs = np.stack([data[:, s:s + EPOCH_N_TIMES] for s in start])
        write_trick_test(root / "test" / f"{model.name}.mat", epochs, EEG_CHANNELS, version)
        # Like the original sample_submit.csv (267/247/232 of 746): uniformly random labels, from a
        # stream of their own so the recordings do not depend on them.
        sample_labels = np.random.default_rng([params["seed"], 1, k, 0, 2]).integers(0, 3, len(schedule["classes"]))
        for i, class_index in enumerate(schedule["classes"]):
            answer_rows.append(f"{model.name}_{i:03d},{TRICK_CLASSES[class_index]}")
            sample_rows.append(f"{model.name}_{i:03d},{TRICK_CLASSES[sample_labels[i]]}")
    (root / "answer").mkdir()
    (root / "answer" / "test_labels.csv").write_text("\n".join(answer_rows) + "\n")
    (root / "sample_submit.csv").write_text("\n".join(sample_rows) + "\n")
    write_record(root, params)
    return root


def _schedule(rng: np.random.Generator, n_events: int) -> dict[str, Any]:
    """Event times, classes, directions and the session length."""
    gaps = rng.uniform(3.0, 5.0, n_events - 1)
    onsets_s = rng.uniform(2.0, 3.0) + np.concatenate([[0.0], np.cumsum(gaps)])
    n_times = int(round((onsets_s[-1] + rng.uniform(3.0, 4.0)) * _SF))
    samples = np.round(onsets_s * _SF).astype(np.int64)
    classes = rng.choice(3, n_events, p=CLASS_PROBABILITIES)
    first = rng.integers(1, 3)
    directions = np.where(np.arange(n_events) % 2 == 0, first, 3 - first)
    times_ms = np.arange(n_times) * (1000.0 / _SF)
    events = pd.DataFrame({"init_index": samples, "type": 10 * directions + classes + 1,
                           "init_time": times_ms[samples] / 1000.0})
    return {"samples": samples, "classes": classes, "n_times": n_times, "times_ms": times_ms, "events": events}


@lru_cache(maxsize=1)
def _directions() -> np.ndarray:
    """Unit vectors of the 72 electrodes (standard 10-20 positions), shape (72, 3)."""
    positions = mne.channels.make_standard_montage(MONTAGE).get_positions()["ch_pos"]
    xyz = np.array([positions[name] for name in EEG_CHANNELS])
    return xyz / np.linalg.norm(xyz, axis=1, keepdims=True)


class _SubjectModel:
    """Spatial patterns, effect sizes and channel properties of one synthetic subject."""

    def __init__(self, index: int, seed: int, scenario: TrickScenario) -> None:
        rng = np.random.default_rng([seed, 1, index, 0])
        self.seed, self.index, self.scenario = seed, index, scenario
        self.name = f"subject{index}"
        self.stance = T1_STANCE.get(self.name) or ("regular", "goofy")[rng.integers(2)]
        directions = _directions()
        self.n_chans = len(directions)

        def centre(*names: str, jitter: float = 0.08) -> np.ndarray:
            point = np.mean([directions[EEG_CHANNELS.index(n)] for n in names], axis=0)
            point = point + rng.normal(0.0, jitter, 3)
            return point / np.linalg.norm(point)

        def blob(point: np.ndarray, width: float) -> np.ndarray:
            return np.exp(-np.sum((directions - point) ** 2, axis=1) / (2.0 * width ** 2))

        levels = _LEVELS_UV
        raw_centres = rng.normal(size=(_N_BACKGROUND, 3))
        raw_centres[:, 2] = np.abs(raw_centres[:, 2]) + 0.3
        centres = raw_centres / np.linalg.norm(raw_centres, axis=1, keepdims=True)
        widths = rng.uniform(0.25, 0.6, _N_BACKGROUND)
        mixing = np.stack([blob(c, w) for c, w in zip(centres, widths)], axis=1)
        mixing *= rng.choice([-1.0, 1.0], _N_BACKGROUND) * rng.uniform(0.5, 1.5, _N_BACKGROUND)
        background = scenario.background_scale
        mixing *= levels["background"] * background / np.median(np.sqrt(np.sum(mixing ** 2, axis=1)))
        self.background_exponents = rng.uniform(0.6, 1.2, _N_BACKGROUND)
        left, right = ("C3", "FC3", "CP3"), ("C4", "FC4", "CP4")
        goofy = self.stance == "goofy"
        columns = {
            "background": mixing,
            "alpha": levels["alpha"] * background * blob(centre("Oz", "POz"), 0.45)[:, None],
            "beta": levels["beta"] * rng.uniform(0.8, 1.2) * np.stack(
                [blob(centre(*left), 0.3), blob(centre(*right), 0.3)], axis=1),
            "slow": np.stack([blob(centre("FCz", "Cz"), 0.5), blob(centre(*left), 0.35),
                              blob(centre(*right), 0.35)], axis=1),
            "muscle": levels["muscle"] * np.stack([blob(centre("T7", "FT7", "TP7", "FT9"), 0.3),
                                                   blob(centre("T8", "FT8", "TP8", "FT10"), 0.3)], axis=1),
            "motion": levels["motion"] * np.stack(
                [1.0 + 0.3 * blob(centre("Cz", jitter=0.3), 0.6), directions[:, 1], directions[:, 0]], axis=1)
            * rng.uniform(0.5, 1.5, 3),
            "blink": levels["blink"] * blob(centre("Fpz", "Fp1", "Fp2") + np.array([0.0, 0.0, -0.3]), 0.35)[:, None],
        }
        line_amplitude = rng.uniform(0.5, 4.0, self.n_chans)
        line_phase = rng.uniform(0.0, 2.0 * np.pi, self.n_chans)
        columns["line"] = np.stack([line_amplitude * np.cos(line_phase), line_amplitude * np.sin(line_phase)], axis=1)
        self.source_names = list(columns)
        self.source_sizes = [c.shape[1] for c in columns.values()]
        self.mixing = np.concatenate(list(columns.values()), axis=1).astype(np.float32)

        beta_change = _BETA_CHANGE * rng.uniform(0.6, 1.2) + rng.normal(0.0, 0.08, _BETA_CHANGE.shape)
        slow_uv = _SLOW_UV * rng.uniform(0.6, 1.4) * rng.uniform(0.8, 1.2, _SLOW_UV.shape)
        if goofy:
            beta_change, slow_uv = beta_change[:, ::-1], slow_uv[:, [0, 2, 1]]
        self.beta_change, self.slow_uv = beta_change * scenario.beta_scale, slow_uv * scenario.slow_scale
        self.channel_gain = rng.uniform(0.8, 1.2, self.n_chans).astype(np.float32)
        self.dc_uv = rng.normal(0.0, levels["dc"], self.n_chans)
        dead = DEAD_CHANNELS.get(self.name)
        if dead is None:
            dead = tuple(rng.choice(EEG_CHANNELS, rng.integers(3, 8), replace=False))
        self.dead = [EEG_CHANNELS.index(name) for name in dead]
        self.amplified = AMPLIFIED_CHANNELS.get(self.name)
        # the scenario's extra bad channels, among the healthy ones, and their session (0: every session)
        extra_rng = np.random.default_rng([seed, 1, index, 0, 1])
        taken = set(self.dead) | ({EEG_CHANNELS.index(self.amplified[0])} if self.amplified else set())
        n_dead = scenario.extra_dead_channels
        bad = extra_rng.choice([c for c in range(self.n_chans) if c not in taken],
                               n_dead + scenario.extra_outlier_channels, replace=False)
        self.extra_dead, self.extra_outliers = bad[:n_dead], bad[n_dead:]
        self.bad_session = int(extra_rng.integers(1, N_TRAIN_SESSIONS + 2)) if scenario.bad_channel_one_session else 0

    def session(self, rng: np.random.Generator, schedule: dict[str, Any], session: int) -> np.ndarray:
        """One continuous session for ``schedule`` (see :func:`_schedule`), shape (72, n_times), float32, µV.

        ``session`` is 1-3 for the training sessions and 4 for the test one;
        the scenario's per-session draws use their own stream seeded by it.
        """
        n_times, samples, classes = schedule["n_times"], schedule["samples"], schedule["classes"]
        extra_rng = np.random.default_rng([self.seed, 1, self.index, session, 1])
        muscle_probability, motion_probability = _MUSCLE_PROBABILITY, _MOTION_PROBABILITY
        if not self.scenario.class_artefacts:
            muscle_probability = np.full(3, np.dot(CLASS_PROBABILITIES, _MUSCLE_PROBABILITY))
            motion_probability = np.full(3, np.dot(CLASS_PROBABILITIES, _MOTION_PROBABILITY))
        n_events = len(samples)
        sources = {
            "background": coloured_noise(rng, _N_BACKGROUND, n_times, _SF, self.background_exponents, min_freq=4.0),
            "alpha": band_noise(rng, (1,), n_times, _SF, 8.0, 12.0),
        }
        plateau = plateau_kernel(_SF, 0.1, 0.9, 0.05, -0.2, 1.3)
        strength = rng.lognormal(0.0, 0.3, n_events)
        gain = np.stack([event_locked(n_times, samples, self.beta_change[classes, h] * strength, *plateau)
                         for h in range(2)])
        sources["beta"] = band_noise(rng, (2,), n_times, _SF, 13.0, 30.0) * np.maximum(1.0 + gain, 0.05)
        slow_kernel = gaussian_kernel(_SF, 0.75, 0.3, -0.5, 1.6)
        strength = rng.lognormal(0.0, 0.3, n_events)
        sources["slow"] = np.stack([event_locked(n_times, samples, self.slow_uv[classes, s] * strength, *slow_kernel)
                                    for s in range(3)])
        sources["muscle"] = band_noise(rng, (2,), n_times, _SF, 30.0, 200.0) * np.stack(
            [self._bursts(rng, samples, classes, n_times, muscle_probability, 0.3, 0.8,
                          plateau_kernel(_SF, 0.05, 0.55, 0.04, 0.0, 0.8), rate=0.1, signed=False)
             for _ in range(2)])
        sources["motion"] = np.stack(
            [self._bursts(rng, samples, classes, n_times, motion_probability, 0.5, 1.2,
                          gaussian_kernel(_SF, 0.0, 0.25, -0.8, 0.8), rate=0.05, signed=True)
             for _ in range(3)])
        blink_times = poisson_times(rng, 0.25, n_times, _SF)
        sources["blink"] = event_locked(n_times, blink_times, rng.uniform(0.6, 1.2, blink_times.size),
                                        *gaussian_kernel(_SF, 0.0, 0.04, -0.15, 0.15))[None]
        phase = 2.0 * np.pi * 60.0 * np.arange(n_times) / _SF
        sources["line"] = np.stack([np.sin(phase), np.cos(phase)]).astype(np.float32)
        stacked = np.empty((self.mixing.shape[1], n_times), dtype=np.float32)
        row = 0
        for name in self.source_names:
            block = np.asarray(sources.pop(name), dtype=np.float32)
            stacked[row:row + len(block)] = block
            row += len(block)
        data = self.mixing @ stacked
        del stacked
        white = np.float32(_LEVELS_UV["white"] * self.scenario.background_scale)
        for start in range(0, n_times, _BLOCK):
            noise = rng.standard_normal((self.n_chans, min(_BLOCK, n_times - start)), dtype=np.float32)
            noise *= white
            data[:, start:start + _BLOCK] += noise
        data *= self.channel_gain[:, None]
        if self.scenario.session_gain_std > 0:
            data *= np.exp(extra_rng.normal(0.0, self.scenario.session_gain_std, (self.n_chans, 1))).astype(np.float32)
        if self.amplified is not None:
            name, factor = self.amplified
            data[EEG_CHANNELS.index(name)] *= np.float32(factor)
        affected = self.bad_session in (0, session)
        if affected and len(self.extra_outliers):
            gain = extra_rng.uniform(*self.scenario.outlier_gain, (len(self.extra_outliers), 1))
            data[self.extra_outliers] *= gain.astype(np.float32)
        ramp = np.linspace(-0.5, 0.5, n_times, dtype=np.float32)
        drift = rng.normal(0.0, _LEVELS_UV["drift"] * self.scenario.drift_scale, self.n_chans)
        offset = self.dc_uv + rng.normal(0.0, 0.1 * _LEVELS_UV["dc"], self.n_chans)
        data += offset.astype(np.float32)[:, None] + drift.astype(np.float32)[:, None] * ramp
        data[self.dead] = 0.0
        if affected:
            data[self.extra_dead] = 0.0
        return data

    @staticmethod
    def _bursts(rng: np.random.Generator, samples: np.ndarray, classes: np.ndarray, n_times: int,
                probability: np.ndarray, min_delay_s: float, max_delay_s: float,
                kernel: tuple[np.ndarray, int], rate: float, signed: bool) -> np.ndarray:
        """Artefact course: Poisson bursts plus bursts after events with a class-dependent chance."""
        locked = rng.random(len(samples)) < probability[classes]
        delays = rng.uniform(min_delay_s, max_delay_s, len(samples))[locked]
        times = np.concatenate([poisson_times(rng, rate, n_times, _SF),
                                np.minimum(samples[locked] + np.round(delays * _SF).astype(np.int64), n_times - 1)])
        amplitudes = rng.uniform(0.5, 1.5, times.size)
        if signed:
            amplitudes *= rng.choice([-1.0, 1.0], times.size)
        return event_locked(n_times, times, amplitudes, *kernel)
