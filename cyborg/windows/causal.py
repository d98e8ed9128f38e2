"""Past-only windows of pre-cut kinematic trials: predict the last target step from earlier signal.

The theme-2 trials hold 0.5 s of EMG and the 30 velocity steps of the same
0.5 s, so a model that maps the whole window to the whole trajectory sees
signal recorded after most of the velocities it predicts. A causal decoder
may only use the past: here each trial becomes one window of
``window_s`` seconds whose last sample lies ``lag_s`` seconds (or more, by
less than one sample) before the time of the trial's last target step, and
the target is that one step.

Time convention (as :mod:`cyborg.simulate.velocity` and
:mod:`cyborg.windows.sliding`): signal sample ``n`` is at ``n / sfreq``
seconds and target step ``k`` at ``k / target_sfreq`` seconds of the trial.
With ``lag_s = 0`` the window ends at the target time: its last sample is
the latest one at or before it, so no sample after the target time is used.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from cyborg.errors import ConfigError
from cyborg.trials import Trials
from cyborg.validation import fail, is_number

#: Slack (in samples) for floating-point error when a time falls exactly on a sample.
_EPS = 1e-9


def causal_window_bounds(n_times: int, sfreq: float, n_steps: int, target_sfreq: float,
                         lag_s: float, window_s: float, where: str = "causal windows",
                         prefix: str = "") -> tuple[int, int]:
    """First and one-past-last signal sample of the past-only window of a trial.

    Parameters
    ----------
    n_times : int
        Samples of the trial's signal.
    sfreq : float
        Signal rate in Hz.
    n_steps : int
        Target steps of the trial; the target is the last, at ``(n_steps - 1) / target_sfreq`` s.
    target_sfreq : float
        Target rate in Hz.
    lag_s : float
        Look-back lag in seconds, >= 0: the window's last sample is at or
        before ``target time - lag_s``.
    window_s : float
        Window length in seconds (rounded to whole samples, at least one).
    where, prefix : str
        Where errors point, and the prefix of the option names in them
        (``"config"`` and ``"task."`` give ``config: field 'task.causal_lag_s': ...``).

    Returns
    -------
    start, stop : int
        The window is ``X[..., start:stop]``, ``stop - start = round(window_s * sfreq)``.

    Raises
    ------
    ConfigError
        A negative or non-finite lag, a window shorter than one sample, or a
        window that would start before the trial.
    """
    if not is_number(lag_s) or lag_s < 0:
        fail(where, f"{prefix}causal_lag_s", "a lag in seconds >= 0", repr(lag_s), ConfigError)
    length = round(window_s * sfreq) if is_number(window_s) else 0
    if length < 1:
        fail(where, f"{prefix}causal_window_s", f"a window of at least one sample ({1 / sfreq:g} s at {sfreq:g} Hz)",
             repr(window_s), ConfigError)
    target_time = (n_steps - 1) / target_sfreq
    stop = math.floor((target_time - lag_s) * sfreq + _EPS) + 1
    start = stop - length
    if start < 0 or stop > n_times:
        latest = max(stop, 0) / sfreq
        fail(where, f"{prefix}causal_lag_s + {prefix}causal_window_s",
             f"at most {target_time:g} s (the last target step's time in a {n_times / sfreq:g} s trial)",
             f"{lag_s:g} s + {window_s:g} s (the window would span {start / sfreq:g} to {latest:g} s)",
             ConfigError)
    return start, stop


def causal_windows(trials: Trials, lag_s: float, window_s: float, where: str = "causal windows",
                   prefix: str = "") -> Trials:
    """One past-only window per trial, with the trial's last target step as its target.

    Parameters
    ----------
    trials : Trials
        Pre-cut trials with kinematic targets ``y`` of shape (n, n_steps,
        n_axes) (NaN when unknown) and ``target_sfreq`` set; steps at
        ``k / target_sfreq`` s of the window.
    lag_s : float
        Look-back lag in seconds (>= 0); see :func:`causal_window_bounds`.
    window_s : float
        Window length in seconds.
    where, prefix : str
        Where errors point, and the prefix of the option names in them.

    Returns
    -------
    trials : Trials
        ``X`` of shape (n, n_chans, round(window_s * sfreq)), ``y`` of shape
        (n, 1, n_axes) (the last step), the same metadata; ``info`` gains
        ``causal_lag_s``, ``causal_window_s`` and ``causal_target_s`` (the
        target's time in the original trial, s) and ``causal_window_start_s``.

    Raises
    ------
    ConfigError
        Bad ``lag_s`` or ``window_s`` (see :func:`causal_window_bounds`), or
        trials without kinematic targets or their rate.
    """
    if trials.is_classification or trials.y.ndim != 3 or not trials.target_sfreq:
        fail(where, "trials", "kinematic targets (n, n_steps, n_axes) with target_sfreq",
             f"y of shape {trials.y.shape}, target_sfreq {trials.target_sfreq}", ConfigError)
    n_steps = trials.y.shape[1]
    start, stop = causal_window_bounds(trials.n_times, trials.sfreq, n_steps, trials.target_sfreq,
                                       lag_s, window_s, where, prefix)
    info = {**trials.info, "causal_lag_s": float(lag_s), "causal_window_s": (stop - start) / trials.sfreq,
            "causal_target_s": (n_steps - 1) / trials.target_sfreq, "causal_window_start_s": start / trials.sfreq}
    return replace(trials, X=np.ascontiguousarray(trials.X[..., start:stop]),
                   y=np.ascontiguousarray(trials.y[:, -1:, :]), info=info)
