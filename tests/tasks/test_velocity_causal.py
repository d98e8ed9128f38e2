"""task.causal_lag_s: past-only EMG windows predicting the trial's last velocity step."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hydra.utils import instantiate

from cyborg.cli import instantiate_task
from cyborg.config import compose
from cyborg.errors import ConfigError
from cyborg.io.challenge_velocity import REFERENCE_FIELDS, TEST_FIELDS, TRAIN_FIELDS, write_velocity_file
from cyborg.tasks.velocity import VelocityTask
from cyborg.windows.causal import causal_window_bounds, causal_windows
from helpers import make_trials

SFREQ, TARGET_SFREQ, N_TIMES, N_STEPS = 2000.0, 60.0, 1000, 30


def _planted(delay_samples: int, n: int = 300, seed: int = 0):
    """White-noise 'EMG'; the last velocity step copies channel 0 at ``delay_samples`` before the target time."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2, N_TIMES))
    target_sample = int(np.floor((N_STEPS - 1) / TARGET_SFREQ * SFREQ + 1e-9))  # 966, at or before 29/60 s
    y = rng.standard_normal((n, N_STEPS, 3))
    y[:, -1, 0] = X[:, 0, target_sample - delay_samples]
    trials = make_trials(X, y.astype(np.float32), sfreq=SFREQ)
    trials.target_sfreq = TARGET_SFREQ
    return trials


def _r2_of_linear_fit(X: np.ndarray, y: np.ndarray) -> float:
    """In-sample R^2 of least squares from the window's samples (plus a constant) to ``y``."""
    design = np.column_stack([X.reshape(len(X), -1), np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return 1.0 - np.var(y - design @ coef) / np.var(y)


def test_lag_zero_ends_the_window_at_the_target_time():
    # the last step is at 29/60 s = sample 966.67: the window's last sample is 966, never 967
    assert causal_window_bounds(N_TIMES, SFREQ, N_STEPS, TARGET_SFREQ, 0.0, 0.2) == (567, 967)
    assert causal_window_bounds(N_TIMES, SFREQ, N_STEPS, TARGET_SFREQ, 0.05, 0.2) == (467, 867)
    # a lag landing exactly on a sample keeps that sample: 0.5 s of 1 s steps ends at sample 1000 * 0.5
    assert causal_window_bounds(2000, 1000.0, 2, 1.0, 0.5, 0.1) == (401, 501)


@pytest.mark.parametrize("lag_s, decodable", [(0.0, False), (0.04, False), (0.045, True), (0.05, True),
                                              (0.0505, False), (0.1, False)])
def test_a_delayed_copy_of_an_emg_sample_is_decodable_at_the_lag_of_its_delay(lag_s, decodable):
    # target = channel 0, 100 samples (50 ms) before the target time. A 10 ms window (20 samples of
    # white noise) holds that sample only for lags in (40, 50] ms: a shorter lag ends the window after
    # it has passed out of view, a longer one before the sample was recorded.
    windows = causal_windows(_planted(delay_samples=100), lag_s, 0.01)
    assert windows.X.shape == (300, 2, 20) and windows.y.shape == (300, 1, 3)
    r2 = _r2_of_linear_fit(windows.X, windows.y[:, 0, 0])
    assert (r2 > 0.999) if decodable else (r2 < 0.3), r2


def test_the_lag_equal_to_the_delay_puts_the_copied_sample_last():
    trials = _planted(delay_samples=100)
    windows = causal_windows(trials, 0.05, 0.01)
    np.testing.assert_array_equal(windows.X[:, 0, -1], windows.y[:, 0, 0])
    assert windows.info["causal_target_s"] == pytest.approx(29 / 60)
    assert windows.info["causal_window_start_s"] == pytest.approx(847 / SFREQ)
    np.testing.assert_array_equal(windows.y[:, 0], trials.y[:, -1])


@pytest.mark.parametrize("lag_s, window_s, message", [
    (-0.01, 0.2, r"field 'task.causal_lag_s': expected a lag in seconds >= 0, found -0.01"),
    (float("nan"), 0.2, r"field 'task.causal_lag_s': expected a lag in seconds >= 0, found nan"),
    ("0.1", 0.2, r"field 'task.causal_lag_s': expected a lag in seconds >= 0, found '0.1'"),
    (0.0, 0.0001, r"field 'task.causal_window_s': expected a window of at least one sample \(0.0005 s at 2000 Hz\)"),
    (0.3, 0.2, r"field 'task.causal_lag_s \+ task.causal_window_s': expected at most 0.483333 s .*found 0.3 s \+ "
               r"0.2 s"),
])
def test_bad_values_name_the_option(lag_s, window_s, message):
    with pytest.raises(ConfigError, match=rf"^config: {message}"):
        VelocityTask(causal_lag_s=lag_s, causal_window_s=window_s)


def test_a_bad_value_on_the_command_line_is_the_task_error_before_any_data_is_read():
    cfg = compose("velocity", ["task.causal_lag_s=0.3", "task.causal_window_s=0.25"])
    with pytest.raises(ConfigError, match=r"^config: field 'task.causal_lag_s \+ task.causal_window_s': "
                                          r"expected at most 0.483333 s"):
        instantiate_task(cfg.task)  # train.py: the one error line of cyborg.cli.one_line_errors


def test_trials_too_short_for_the_window_are_refused():
    trials = _planted(delay_samples=0, n=2)
    short = replace(trials, X=trials.X[..., :500])  # 0.25 s of EMG for steps up to 29/60 s
    with pytest.raises(ConfigError, match=r"expected at most 0.483333 s \(the last target step's time in a 0.25 s "
                                          r"trial\), found 0 s \+ 0.2 s"):
        causal_windows(short, 0.0, 0.2)


def _folder(root, n: int = 4):
    rng = np.random.default_rng(1)

    def arrays():
        return rng.standard_normal((n, 16, N_TIMES)) * 0.01, rng.uniform(-3.0, 3.0, (n, 3, N_STEPS))

    (emg, velocity), (test_emg, _) = arrays(), arrays()
    write_velocity_file(root / "train.mat", {"0001": [emg, velocity, "goofy"]}, "5", TRAIN_FIELDS)
    write_velocity_file(root / "test.mat", {"0001": [test_emg, "goofy", "goofy"]}, "5", TEST_FIELDS)
    (ref_emg, ref_velocity), (ref_test_emg, ref_test_velocity) = arrays(), arrays()
    write_velocity_file(root / "reference.mat",
                        {"0005": [ref_emg, ref_velocity, ref_test_emg, ref_test_velocity, "regular"]},
                        "5", REFERENCE_FIELDS)
    return root


def test_the_task_cuts_train_and_test_alike_and_writes_no_submission(tmp_path):
    root = _folder(tmp_path)
    full = VelocityTask().load(root)
    causal = VelocityTask(causal_lag_s=0.1, causal_window_s=0.25).load(root)
    # last sample at or before 29/60 - 0.1 s = 0.38333 s: sample 766; 0.25 s = 500 samples
    for whole, cut in ((full.train, causal.train), (full.test, causal.test)):
        assert cut.X.shape == (len(whole), 16, 500)
        np.testing.assert_array_equal(cut.X, whole.X[..., 267:767])
        np.testing.assert_array_equal(cut.y[:, 0], whole.y[:, -1])
        assert list(cut.metadata["side"]) == list(whole.metadata["side"])
    assert VelocityTask(causal_lag_s=0.1).write_submission({}, causal.test, tmp_path / "s.json") is None


def test_the_config_documents_the_options_and_leaves_them_off():
    cfg = compose("velocity")
    assert cfg.task.causal_lag_s is None and cfg.task.causal_window_s == 0.2
    task = instantiate(compose("velocity", ["task.causal_lag_s=0.125"]).task)
    assert (task.causal_lag_s, task.causal_window_s) == (0.125, 0.2)
