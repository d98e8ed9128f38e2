import numpy as np
import pytest

from cyborg.errors import CyborgError
from cyborg.preprocessing import BandPass, DeadChannels, Envelope, Notch, Pipeline, RemoveDC, Resample
from helpers import make_trials, sine

SFREQ = 500.0
N = 2000  # 4 s: long enough that the causal filters' start-up transient is negligible at the end


def _gain(step, freq, sfreq=SFREQ):
    """Output/input amplitude of a sine after the step, measured on the last second."""
    x = sine(freq, sfreq, N)
    out = step.transform(make_trials(x[None, None, :], sfreq=sfreq)).X[0, 0]
    tail = slice(N - int(sfreq), N)
    return np.std(out[tail]) / np.std(x[tail])


def test_bandpass_passes_band_and_attenuates_outside():
    step = BandPass(l_freq=8.0, h_freq=30.0, order=4)
    assert _gain(step, 15.0) == pytest.approx(1.0, abs=0.05)
    assert _gain(step, 1.0) < 0.01      # 4th-order high-pass, three octaves below 8 Hz
    assert _gain(step, 120.0) < 0.01    # two octaves above 30 Hz


def test_bandpass_is_causal():
    # an impulse at sample 100 leaves everything before it untouched
    x = np.zeros((1, 1, 400))
    x[0, 0, 100] = 1.0
    out = BandPass(2.0, 40.0).transform(make_trials(x)).X[0, 0]
    assert np.all(out[:100] == 0)
    assert np.abs(out[100:]).max() > 0


def test_notch_removes_line_frequency_keeps_neighbours():
    step = Notch(freq=60.0, width=4.0, order=4)
    assert _gain(step, 60.0) < 0.05
    assert _gain(step, 30.0) == pytest.approx(1.0, abs=0.05)
    assert _gain(step, 90.0) == pytest.approx(1.0, abs=0.05)


def test_remove_dc_zeroes_window_means():
    X = np.random.default_rng(0).normal(size=(3, 2, 50)) + np.array([5000.0, -300.0])[None, :, None]
    out = RemoveDC().transform(make_trials(X)).X
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-3)
    np.testing.assert_allclose(out, X - X.mean(-1, keepdims=True), atol=1e-3)


def test_dead_channels_found_per_subject_and_zeroed():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(6, 4, 100)) * 10
    X[:3, 1] = 0.0                     # s0: channel 1 dead
    X[3:, 2] *= 1000                   # s1: channel 2 wild
    trials = make_trials(X, subjects=["s0"] * 3 + ["s1"] * 3)
    step = DeadChannels().fit(trials)
    assert step.bad_ == {"s0": [1], "s1": [2]}
    out = step.transform(trials).X
    assert np.all(out[3:, 2] == 0) and np.all(out[:3, 1] == 0)
    np.testing.assert_array_equal(out[:3, 2], X[:3, 2].astype(np.float32))


def test_dead_channels_interpolate_uses_neighbours():
    names = ["C3", "C1", "Cz", "C2", "C4", "FCz", "CPz"]
    rng = np.random.default_rng(2)
    common = rng.normal(size=(4, 1, 200))
    X = np.repeat(common, len(names), axis=1) * 10 + rng.normal(size=(4, len(names), 200))
    X[:, 2] = 0.0
    trials = make_trials(X)
    trials.ch_names = names
    out = DeadChannels(mode="interpolate").fit(trials).transform(trials).X
    # Cz is rebuilt from its neighbours, which share the common signal
    assert np.corrcoef(out[0, 2], common[0, 0])[0, 1] > 0.9


def test_dead_channels_rejects_unknown_mode():
    with pytest.raises(CyborgError, match=r"DeadChannels.mode: expected one of \['zero', 'interpolate'\], found 'drop'"):
        DeadChannels(mode="drop")


def test_envelope_tracks_amplitude_modulation():
    sfreq = 2000.0
    t = np.arange(4000) / sfreq
    modulation = 1 + 0.8 * np.sin(2 * np.pi * 1.0 * t)
    carrier = np.random.default_rng(3).normal(size=t.size)
    out = Envelope(h_freq=5.0).transform(make_trials((carrier * modulation)[None, None], sfreq=sfreq)).X[0, 0]
    assert np.corrcoef(out[1000:], modulation[1000:])[0, 1] > 0.9


def test_resample_changes_rate_and_keeps_sine():
    trials = Resample(sfreq=200.0).transform(make_trials(sine(10, 2000, 2000)[None, None], sfreq=2000.0))
    assert trials.sfreq == 200.0 and trials.n_times == 200
    np.testing.assert_allclose(trials.X[0, 0, 20:180], sine(10, 200, 200)[20:180], atol=0.02)


def test_pipeline_fits_on_training_trials_only():
    train = make_trials(np.random.default_rng(4).normal(size=(4, 3, 100)))
    train.X[:, 0] = 0.0
    test = make_trials(np.random.default_rng(5).normal(size=(2, 3, 100)) + 7)
    pipeline = Pipeline([DeadChannels(), RemoveDC()]).fit(train)
    out = pipeline.transform(test).X
    assert np.all(out[:, 0] == 0)                      # decided on train, applied to test
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-4)


def test_pipeline_from_config_instantiates_targets():
    pipeline = Pipeline.from_config([{"_target_": "cyborg.preprocessing.BandPass", "l_freq": 1.0,
                                      "h_freq": 40.0}])
    assert isinstance(pipeline.steps[0], BandPass) and pipeline.steps[0].h_freq == 40.0


def test_pipelines_sharing_fitted_first_steps_run_them_once(monkeypatch):
    train = make_trials(np.random.default_rng(0).normal(size=(6, 3, 200)) * 20, np.zeros(6), 500.0,
                        subjects=["s0"] * 6)
    test = make_trials(np.random.default_rng(1).normal(size=(2, 3, 200)) * 20, np.zeros(2), 500.0,
                       subjects=["s0"] * 2)
    short = Pipeline([DeadChannels(), RemoveDC(), BandPass(None, 40.0)]).fit(train)
    long = Pipeline([DeadChannels(), RemoveDC(), BandPass(None, 40.0), Envelope(10.0)]).fit(train)
    other = Pipeline([DeadChannels(), RemoveDC(), BandPass(None, 30.0)]).fit(train)
    assert long.prefix_keys()[:3] == short.prefix_keys() and other.prefix_keys()[:2] == short.prefix_keys()[:2]
    assert other.key() != short.key()
    expected = [p.transform(test).X for p in (short, long, other)]
    calls = []
    for step in (RemoveDC, BandPass, Envelope):
        original = step.transform
        monkeypatch.setattr(step, "transform", lambda self, t, original=original: calls.append(type(self).__name__)
                            or original(self, t))
    shared = {}
    for pipeline, want in zip((short, long, other), expected):
        np.testing.assert_array_equal(pipeline.transform(test, shared=shared).X, want)
    assert sorted(calls) == ["BandPass", "BandPass", "Envelope", "RemoveDC"]  # the 40 Hz and the 30 Hz band-pass


def test_pipeline_key_follows_fitted_statistics_and_is_not_saved():
    import pickle

    flat = np.random.default_rng(0).normal(size=(6, 3, 200)) * 20
    flat[:, 1] = 0.0
    fitted = [Pipeline([DeadChannels(), RemoveDC()]).fit(make_trials(X, np.zeros(6), 500.0, subjects=["s0"] * 6))
              for X in (flat, np.random.default_rng(0).normal(size=(6, 3, 200)) * 20)]
    assert fitted[0].key() != fitted[1].key()  # channel 1 is dead in the first fold only
    copy = pickle.loads(pickle.dumps(fitted[0]))
    assert "_prefix_keys_" not in vars(copy) and copy.key() == fitted[0].key()
