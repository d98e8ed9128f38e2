"""Sliding windows: time alignment of continuous targets, masking, modes, labelled windows."""

from __future__ import annotations

import mne
import numpy as np
import pytest
from scipy.signal import butter, filtfilt

from cyborg.errors import CyborgError
from cyborg.recording import Recording
from cyborg.windows.sliding import labelled_windows, resample_target, sample_labels, sliding_windows


def _recording(data, sfreq, types="eeg", targets=None, target_sfreq=None, **extra) -> Recording:
    data = np.atleast_2d(np.asarray(data, dtype=float))
    names = [f"ch{i}" for i in range(len(data))]
    raw = mne.io.RawArray(data, mne.create_info(names, sfreq, types), verbose="error")
    return Recording(raw=raw, subject="s1", session="r1", targets=targets, target_sfreq=target_sfreq,
                     target_names=None if targets is None else tuple(f"a{i}" for i in range(np.shape(targets)[1])),
                     extra=dict(extra))


def _lag_of_maximum(x: np.ndarray, y: np.ndarray, max_lag: int) -> int:
    """Lag (in samples) by which ``y`` follows ``x``, from the cross-correlation peak."""
    x, y = x - x.mean(), y - y.mean()
    lags = np.arange(-max_lag, max_lag + 1)
    scores = [np.dot(x[max(0, -lag): len(x) - max(0, lag)], y[max(0, lag): len(y) - max(0, -lag)])
              for lag in lags]
    return int(lags[np.argmax(scores)])


@pytest.mark.parametrize("delay_s", [0.0, 0.08])
@pytest.mark.parametrize("target_sfreq, step_s", [(50.0, 0.02), (500.0, 0.002)])
def test_planted_delay_is_recovered_after_filtering_and_resampling(delay_s, target_sfreq, step_s):
    """A target that lags the signal by ``delay_s`` must lag the windows' last samples by it too."""
    sfreq, seconds = 1000.0, 40
    rng = np.random.default_rng(7)
    b, a = butter(4, 4.0 / (sfreq / 2))
    smooth = filtfilt(b, a, rng.standard_normal(int(seconds * sfreq) + 2000))[1000:-1000]
    times = np.arange(len(smooth)) / sfreq
    target_rate = 100.0  # the target is sampled on its own, coarser clock
    target_times = np.arange(int(seconds * target_rate)) / target_rate
    target = np.interp(target_times - delay_s, times, smooth)[:, None]
    recording = _recording(np.vstack([smooth, rng.standard_normal(len(smooth))]) * 1e-5, sfreq,
                           targets=target, target_sfreq=target_rate)
    # input preprocessing: zero-phase low-pass, then polyphase resampling to 500 Hz
    recording.raw.filter(None, 30.0, verbose="error")
    recording.raw.resample(500.0, method="polyphase", verbose="error")

    trials = sliding_windows(recording, 0.2, step_s, target_sfreq=target_sfreq, target_mode="last")
    windows_per_target_sample = round(1 / (step_s * target_sfreq))
    assert windows_per_target_sample == 1  # one window per target sample: lags count target samples
    lag = _lag_of_maximum(trials.X[:, 0, -1], trials.y[:, 0, 0], max_lag=int(0.2 * target_sfreq))
    assert abs(lag - delay_s * target_sfreq) <= 1
    assert np.allclose(np.diff(trials.metadata["time_s"]), step_s)


def test_modes_on_a_ramp_target():
    """Target = time in seconds: the values are the times they are taken at."""
    sfreq = 100.0
    target_times = np.arange(1000) / sfreq
    recording = _recording(np.ones((1, 1000)), sfreq, targets=target_times[:, None], target_sfreq=sfreq)
    last = sliding_windows(recording, 0.5, 0.25, target_mode="last")
    sequence = sliding_windows(recording, 0.5, 0.25, target_sfreq=20.0, target_mode="sequence")
    mean = sliding_windows(recording, 0.5, 0.25, target_mode="mean")
    time_s = last.metadata["time_s"].to_numpy()
    np.testing.assert_allclose(time_s[:3], [0.49, 0.74, 0.99])
    np.testing.assert_allclose(last.y[:, 0, 0], time_s, atol=1e-5)
    assert sequence.y.shape[1:] == (10, 1)  # floor(0.5 s x 20 Hz) steps
    np.testing.assert_allclose(sequence.y[0, :, 0], 0.49 - np.arange(9, -1, -1) / 20.0, atol=2e-3)
    # mean of the samples 0.00 .. 0.49 s of the first window
    np.testing.assert_allclose(mean.y[:, 0, 0], time_s - 0.245, atol=1e-5)
    assert last.target_sfreq == 100.0 and sequence.target_sfreq == 20.0


def test_nan_targets_drop_exactly_the_windows_touching_them():
    sfreq = 100.0
    target = np.arange(1000, dtype=float)[:, None]
    target[500:510] = np.nan  # 5.00 .. 5.09 s
    recording = _recording(np.ones((1, 1000)), sfreq, targets=target, target_sfreq=sfreq)
    trials = sliding_windows(recording, 1.0, 0.1)
    # windows [s, s + 100) touch samples 500..509 for s = 410 .. 500 (10 windows)
    assert trials.info["n_candidates"] == 91 and trials.info["n_dropped"] == 10
    assert trials.info["n_dropped_target"] == 10
    assert set(trials.metadata["start_s"].round(2)).isdisjoint(np.round(np.arange(4.1, 5.01, 0.1), 2))
    assert np.isfinite(trials.y).all()
    resampled = sliding_windows(recording, 1.0, 0.1, target_sfreq=50.0)
    assert resampled.info["n_dropped"] >= 10 and np.isfinite(resampled.y).all()
    assert not np.isin(np.round(resampled.metadata["start_s"], 2), np.round(np.arange(4.1, 5.01, 0.1), 2)).any()


def test_flagged_targets_are_masked_like_nan():
    sfreq = 100.0
    valid = np.ones(1000, dtype=bool)
    valid[500:510] = False
    recording = _recording(np.ones((1, 1000)), sfreq, targets=np.zeros((1000, 2)), target_sfreq=sfreq,
                           target_valid=valid)
    assert sliding_windows(recording, 1.0, 0.1).info["n_dropped"] == 10
    recording.extra["target_valid"] = valid[:10]
    with pytest.raises(CyborgError, match=r"extra\['target_valid'\]: expected shape \(1000,\), found \(10,\)"):
        sliding_windows(recording, 1.0, 0.1)


def test_nan_signal_and_short_target_windows_are_dropped_and_counted():
    sfreq = 100.0
    data = np.ones((2, 1000))
    data[1, 50] = np.nan
    recording = _recording(data, sfreq, targets=np.zeros((800, 1)), target_sfreq=sfreq)
    trials = sliding_windows(recording, 1.0, 1.0)  # starts 0, 100, ..., 900
    assert trials.info["n_dropped_signal"] == 1  # the first window holds the NaN
    assert trials.info["n_dropped_target"] == 2  # windows ending after 7.99 s (the last target) have none
    assert list(trials.metadata["start_s"]) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_units_follow_trials_convention():
    data = np.full((3, 200), 2e-3)  # volts as MNE holds them
    raw = mne.io.RawArray(data, mne.create_info(["Cz", "RF", "myo"], 100.0, ["eeg", "emg", "emg"]),
                          verbose="error")
    recording = Recording(raw=raw, subject="s", targets=np.zeros((200, 1)), target_sfreq=100.0,
                          extra={"file_units": {"RF": "mV", "myo": "a.u."}})
    trials = sliding_windows(recording, 0.5, 0.5)
    np.testing.assert_allclose(trials.X[0, :, 0], [2e3, 2.0, 2e-3], rtol=1e-6)  # µV, mV, as held
    assert trials.info["units"] == {"Cz": "µV", "RF": "mV", "myo": "a.u."}


def test_a_lag_takes_the_target_after_the_window():
    """Target = time in seconds: with a lag, each window's target is its end time plus the lag."""
    sfreq = 100.0
    recording = _recording(np.ones((1, 1000)), sfreq, targets=(np.arange(1000) / sfreq)[:, None],
                           target_sfreq=sfreq)
    plain = sliding_windows(recording, 0.5, 0.25)
    lagged = sliding_windows(recording, 0.5, 0.25, target_lag_s=0.125)
    time_s = lagged.metadata["time_s"].to_numpy()
    np.testing.assert_allclose(lagged.y[:, 0, 0], time_s + 0.125, atol=1e-5)
    # the last window of the plain cut ends at 9.99 s: its target would be at 10.115 s, past the end
    assert len(lagged) == len(plain) - 1 and lagged.info["n_dropped_target"] == 1
    np.testing.assert_array_equal(lagged.X, plain.X[:-1])
    assert lagged.info["target_lag_s"] == 0.125
    sequence = sliding_windows(recording, 0.5, 0.25, target_mode="sequence", n_target_steps=3, target_lag_s=0.1)
    np.testing.assert_allclose(sequence.y[0, :, 0], 0.49 + 0.1 - np.array([0.02, 0.01, 0.0]), atol=1e-5)


@pytest.mark.parametrize("lag_s, decodable", [(0.0, False), (0.04, True), (0.05, True), (0.06, False)])
def test_a_target_that_copies_the_signal_is_decodable_at_its_lead(lag_s, decodable):
    """Target(t) = signal(t - 50 ms), white noise: a 20 ms window holds it for lags 30-50 ms only."""
    sfreq = 1000.0
    signal = np.random.default_rng(3).standard_normal(5000)
    target = np.r_[np.zeros(50), signal[:-50]][:, None]
    recording = _recording(signal[None] * 1e-6, sfreq, targets=target, target_sfreq=sfreq)
    trials = sliding_windows(recording, 0.02, 0.01, target_lag_s=lag_s)
    design = np.column_stack([trials.X[:, 0], np.ones(len(trials))])
    coef, *_ = np.linalg.lstsq(design, trials.y[:, 0, 0], rcond=None)
    r2 = 1 - np.var(trials.y[:, 0, 0] - design @ coef) / np.var(trials.y[:, 0, 0])
    assert (r2 > 0.999) if decodable else (r2 < 0.2), r2


def test_bad_arguments_are_refused():
    recording = _recording(np.ones((1, 100)), 100.0, targets=np.zeros((100, 1)), target_sfreq=100.0)
    with pytest.raises(CyborgError, match=r"target_mode: expected one of \['last', 'mean', 'sequence'\]"):
        sliding_windows(recording, 0.5, 0.1, target_mode="median")
    with pytest.raises(CyborgError, match=r"expected a recording at least 2 s long, found 1 s"):
        sliding_windows(recording, 2.0, 0.1)
    with pytest.raises(CyborgError, match=r"expected a target rate that is a simple fraction of 100 Hz, "
                                          r"found 31.4159 Hz"):
        sliding_windows(recording, 0.5, 0.1, target_sfreq=31.4159265)
    for lag, mode in ((-0.1, "last"), (float("nan"), "last"), ("0.1", "last"), (0.1, "mean")):
        with pytest.raises(CyborgError, match=r"target_lag_s: expected a lag in seconds >= 0 \(0 with target_mode "
                                              r"'mean'\), found .* with target_mode"):
            sliding_windows(recording, 0.5, 0.1, target_mode=mode, target_lag_s=lag)
    no_target = _recording(np.ones((1, 100)), 100.0)
    with pytest.raises(CyborgError, match=r"expected continuous targets and target_sfreq, found none"):
        sliding_windows(no_target, 0.5, 0.1)
    epochs = mne.EpochsArray(np.ones((2, 1, 50)), mne.create_info(["a"], 100.0, "eeg"), verbose="error")
    with pytest.raises(CyborgError, match=r"expected a continuous recording, found epochs"):
        sliding_windows(Recording(raw=epochs, subject="s", targets=np.zeros((2, 1, 1)),
                                  target_sfreq=100.0), 0.2, 0.1)


def test_resample_target_carries_the_mask():
    targets = np.arange(100, dtype=float)[:, None]
    valid = np.ones(100, dtype=bool)
    valid[40] = False
    resampled, new_valid = resample_target(targets, valid, 100.0, 50.0)
    assert resampled.shape == (50, 1)
    # sample 40 (0.40 s) invalidates new samples within 0.02 s: 0.40 s only (0.38 s and 0.42 s are 0.02 away)
    assert list(np.flatnonzero(~new_valid)) == [20]
    np.testing.assert_allclose(resampled[5:45, 0], np.arange(10, 90, 2), atol=1e-6)  # NaN-free, on time


def test_labelled_windows_keep_only_pure_windows():
    sfreq = 100.0
    recording = _recording(np.arange(1000.0)[None] * 1e-6, sfreq, types="emg")
    recording.raw.set_annotations(mne.Annotations([1.0, 3.0, 7.0], [2.0, 2.0, 1.0], ["A", "B", "other"]))
    trials = labelled_windows(recording, 0.5, 0.25, classes=["A", "B"])
    # starts 1.00 .. 2.50 s lie in A, 3.00 .. 4.50 s in B; the 25 others straddle or are unlabelled
    assert trials.info["n_candidates"] == 39 and trials.info["n_dropped"] == 25
    np.testing.assert_allclose(trials.metadata["start_s"], np.r_[np.arange(1.0, 2.6, 0.25),
                                                                   np.arange(3.0, 4.6, 0.25)])
    assert list(trials.y) == [0] * 7 + [1] * 7 and trials.class_names == ("A", "B")
    assert list(trials.metadata["event"][:1]) == ["A"]
    np.testing.assert_allclose(trials.X[0, 0, :3], [100e-6, 101e-6, 102e-6], rtol=1e-6)  # EMG in V


def test_sample_labels_mark_overlaps_as_ambiguous():
    recording = _recording(np.zeros((1, 100)), 10.0, types="emg")
    recording.raw.set_annotations(mne.Annotations([1.0, 2.0], [2.0, 2.0], ["A", "B"]))
    labels = sample_labels(recording, ["A", "B"])
    assert list(labels[8:42]) == [-1, -1] + [0] * 10 + [-2] * 10 + [1] * 10 + [-1, -1]
