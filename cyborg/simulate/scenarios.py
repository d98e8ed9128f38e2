"""Scenario presets of the simulators: where the class or velocity information lives.

A decoder default chosen on one generator can fit that generator's quirks. Each
preset moves the information (or the nuisance) to another place while keeping
the file layout, the subjects and, for equal seeds, the draws of everything it
does not change: a preset's own random draws come from separate streams, so
``default`` reproduces the data of the generator before presets existed.
Choose defaults by their rank across presets, not by one preset's score.

Theme 1, :func:`~cyborg.simulate.trick.simulate_trick` (EEG, class information):

=================  ====  ====  =========  ==========  ==========  ================  =====  ========
preset             beta  slow  class art  background  gain drift  extra bad         drift  events
=================  ====  ====  =========  ==========  ==========  ================  =====  ========
default            1     1     yes        1           0           none              1      60 / 160
slow_potentials    0     1     no         1           0           none              1      60 / 160
band_power         1     0     no         1           0           none              1      60 / 160
clean              1     1     no         0.6         0           none              1      60 / 160
hard               0.6   0.6   yes        1           0.3         1 outlier+1 dead  3      40 / 100
=================  ====  ====  =========  ==========  ==========  ================  =====  ========

*beta*, *slow*: multipliers of the class-dependent beta-band power changes and
slow potentials; *class art*: muscle and motion bursts follow events with a
class-dependent chance (no: the same overall chance for every class);
*background*: multiplier of the background, alpha and white-noise levels;
*gain drift*: standard deviation of the natural log of a per-session,
per-channel gain factor; *extra bad*: channels beyond the subject's own
dead/amplified ones, amplified 20-100 times (outlier) or zero-filled (dead),
for ``hard`` in one session per subject only; *drift*: multiplier of the
linear DC drift; *events*: events per training session at the quick / full
size.

Theme 2, :func:`~cyborg.simulate.velocity.simulate_velocity` (EMG, velocity information):

=========  ========  ===========  ============  =====  ==========  ==========  ============
preset     coding    stance flip  leg contrast  noise  kinematics  gain drift  bad channels
=========  ========  ===========  ============  =====  ==========  ==========  ============
default    phase     yes          1             1      1           0           0
envelope   envelope  yes          1             1      1           0           0
timing     timing    yes          1             1      1           0           0
no_swap    phase     no           1             1      1           0           0
swap       phase     yes          2             1      1           0           0
hard       phase     yes          1             3      1.5         0.4         1
=========  ========  ===========  ============  =====  ==========  ==========  ============

*coding*: ``phase``, muscle envelopes follow the ride phase within the window
and scale with the trial's intensity (the original generator); ``envelope``,
each envelope is constant within the window at the level of the rider state at
the window's centre (information in levels only; the slow gain jitter every
preset shares still varies within the window); ``timing``, fixed-height bursts
at muscle-specific ride phases whose duration grows with the trial's intensity
(information in timing only). *stance flip*: the test side swaps the lead/trail
roles of the L/R channels. *leg contrast*: lead-leg drives are multiplied and
trail-leg drives divided by it, so a role swap moves amplitude strongly between
L and R. *noise*: multiplier of the baseline and line noise; *kinematics*:
multiplier of the velocity perturbation the EMG does not explain; *gain drift*:
standard deviation of the natural log of each channel's gain change over a
side's trials (a random walk in trial order); *bad channels*: loose electrodes
(little EMG, large noise) on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass

from cyborg.validation import check_option

TASKS = ("trick", "velocity")


@dataclass(frozen=True)
class TrickScenario:
    """What a theme 1 preset plants (see the module docstring for the table).

    Attributes
    ----------
    name : str
        Preset name.
    summary : str
        One line on what it plants.
    beta_scale : float
        Multiplier of the class-dependent beta-band (13-30 Hz) power changes.
    slow_scale : float
        Multiplier of the slow potentials (µV).
    class_artefacts : bool
        Muscle and motion bursts follow events with a class-dependent chance;
        ``False``: with the same overall chance for every class.
    background_scale : float
        Multiplier of the background, alpha and white-noise levels (below 1:
        higher signal-to-noise ratio).
    session_gain_std : float
        Standard deviation of the natural log of a per-session, per-channel gain
        factor (0.3: changes of about ±30 %); 0 leaves gains fixed.
    extra_dead_channels : int
        Channels per subject zero-filled beyond its own dead ones.
    extra_outlier_channels : int
        Channels per subject amplified by a factor drawn from ``outlier_gain``.
    bad_channel_one_session : bool
        The extra dead and outlier channels occur in one session per subject
        only (one of the three training sessions or the test session, drawn
        per subject); ``False``: in every session.
    outlier_gain : tuple of float
        Range of the amplification of an outlier channel.
    drift_scale : float
        Multiplier of the linear DC drift (150 µV standard deviation).
    events_per_session : tuple of int
        Events per training session at the quick and the full size.
    """

    name: str
    summary: str
    beta_scale: float = 1.0
    slow_scale: float = 1.0
    class_artefacts: bool = True
    background_scale: float = 1.0
    session_gain_std: float = 0.0
    extra_dead_channels: int = 0
    extra_outlier_channels: int = 0
    bad_channel_one_session: bool = False
    outlier_gain: tuple[float, float] = (20.0, 100.0)
    drift_scale: float = 1.0
    events_per_session: tuple[int, int] = (60, 160)


@dataclass(frozen=True)
class VelocityScenario:
    """What a theme 2 preset plants (see the module docstring for the table).

    Attributes
    ----------
    name : str
        Preset name.
    summary : str
        One line on what it plants.
    coding : {"phase", "envelope", "timing"}
        How the muscle envelopes carry the ride state.
    stance_flip : bool
        The test side swaps the lead/trail roles of the L/R channels.
    leg_contrast : float
        Lead-leg drives are multiplied by it and trail-leg drives divided.
    noise_scale : float
        Multiplier of the baseline and 60 Hz line noise.
    kinematic_noise_scale : float
        Multiplier of the smooth velocity perturbation (0.35 m/s) the EMG
        does not explain.
    trial_gain_drift : float
        Standard deviation of the natural log of each channel's gain change
        from a side's first to its last trial; 0 leaves gains fixed.
    bad_channels : int
        Channels per subject with little EMG and large noise, on both sides.
    """

    name: str
    summary: str
    coding: str = "phase"
    stance_flip: bool = True
    leg_contrast: float = 1.0
    noise_scale: float = 1.0
    kinematic_noise_scale: float = 1.0
    trial_gain_drift: float = 0.0
    bad_channels: int = 0


TRICK_SCENARIOS: dict[str, TrickScenario] = {s.name: s for s in (
    TrickScenario("default", "beta power changes and slow potentials, class-dependent artefacts (the original)"),
    TrickScenario("slow_potentials", "class information only in the slow potentials",
                  beta_scale=0.0, class_artefacts=False),
    TrickScenario("band_power", "class information only in beta-band power changes (ERD/ERS)",
                  slow_scale=0.0, class_artefacts=False),
    TrickScenario("clean", "beta and slow effects, class-independent artefacts, higher signal-to-noise ratio",
                  class_artefacts=False, background_scale=0.6),
    TrickScenario("hard", "effects x0.6, session gain drift, an outlier and a dead channel in one session, "
                          "strong drift, fewer events",
                  beta_scale=0.6, slow_scale=0.6, session_gain_std=0.3, extra_dead_channels=1,
                  extra_outlier_channels=1, bad_channel_one_session=True, drift_scale=3.0,
                  events_per_session=(40, 100)),
)}

VELOCITY_SCENARIOS: dict[str, VelocityScenario] = {s.name: s for s in (
    VelocityScenario("default", "envelopes follow the ride phase and intensity; the test side swaps L/R roles "
                                "(the original)"),
    VelocityScenario("envelope", "envelope levels only: constant within the window, set by the state at its centre",
                     coding="envelope"),
    VelocityScenario("timing", "burst timing only: fixed-height bursts at muscle-specific phases",
                     coding="timing"),
    VelocityScenario("no_swap", "the test side keeps the training side's L/R roles", stance_flip=False),
    VelocityScenario("swap", "the test side swaps L/R roles and the legs differ strongly", leg_contrast=2.0),
    VelocityScenario("hard", "noise x3, larger unexplained kinematics, gain drift over trials, a bad channel",
                     noise_scale=3.0, kinematic_noise_scale=1.5, trial_gain_drift=0.4, bad_channels=1),
)}

_PRESETS: dict[str, dict] = {"trick": TRICK_SCENARIOS, "velocity": VELOCITY_SCENARIOS}


def list_scenarios(task: str) -> list[str]:
    """Names of the presets of ``task`` ("trick" or "velocity"), ``default`` first."""
    check_option(task, TASKS, "scenario task")
    return list(_PRESETS[task])


def get_scenario(task: str, name: str) -> TrickScenario | VelocityScenario:
    """The preset ``name`` of ``task``.

    Raises
    ------
    CyborgError
        One line naming the presets, if ``name`` is not one of them.
    """
    check_option(name, list_scenarios(task), f"{task} scenario")
    return _PRESETS[task][name]
