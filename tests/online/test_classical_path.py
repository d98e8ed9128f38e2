"""The compiled numpy path of a classical decoder gives the probabilities of its scikit-learn pipeline."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_trials
from sklearn.covariance import oas
from sklearn.pipeline import FeatureUnion, make_pipeline

from cyborg.api import fit_decoder
from cyborg.classical import build_classical
from cyborg.classical.eeg_features import ChannelScale
from cyborg.classical.inputs import WindowsInput
from cyborg.errors import CyborgError
from cyborg.online import StreamDecoder
from cyborg.online.classical_path import attach_live_paths, compile_pipeline, oas_covariances
from cyborg.preprocessing import BandPass, DeadChannels, RemoveDC
from cyborg.training.decoder import Decoder

SFREQ, N_TIMES = 250.0, 125


def _planted(n_classes: int, n_trials: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Noise with a weak class-locked slow wave on channels 0-2 and a dead last channel (probabilities far from 0/1)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_trials) % n_classes
    t = np.arange(N_TIMES) / SFREQ
    X = rng.normal(size=(n_trials, 8, N_TIMES)) * 5 + rng.uniform(-20, 20, size=(n_trials, 8, 1))
    X[:, :3] += (y[:, None, None] - 0.5 * (n_classes - 1)) * 1.5 * np.sin(2 * np.pi * 2 * t)
    X[:, -1] = 0.0
    return X, y


@pytest.mark.parametrize("n_classes", [2, 3])
def test_xdawn_tangent_lda_compiles_to_its_own_probabilities(n_classes):
    X, y = _planted(n_classes)
    pipeline = build_classical("xdawn_tangent_lda", sfreq=SFREQ, task="classification").fit(X[:40], y[:40])
    compiled = compile_pipeline(pipeline)
    assert compiled is not None
    features = pipeline[:-1].transform(X[40:])
    assert np.ptp(features, axis=0).min() > 1e-3  # every feature varies: a wrong one could not hide
    np.testing.assert_allclose(compiled.features(X[40:]), features, rtol=1e-9, atol=1e-9)
    expected = pipeline.predict_proba(X[40:])
    np.testing.assert_allclose(compiled.predict_proba(X[40:]), expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(compiled.predict_proba(X[40:41]), expected[:1], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(("name", "params"), [("band_csp_lda", {"l_freq": 1.0, "h_freq": 30.0}),
                                              ("xdawn_csp_stack", {"l_band": 1.0, "h_band": 30.0})])
def test_band_csp_and_the_stack_compile_to_their_own_probabilities(name, params, n_classes):
    X, y = _planted(n_classes)
    X[:, 4] *= 1.0 + 0.5 * y[:, None]  # a band-power difference for the CSP
    estimator = build_classical(name, sfreq=SFREQ, task="classification", **params).fit(X[:40], y[:40])
    compiled = compile_pipeline(estimator)
    assert compiled is not None
    expected = estimator.predict_proba(X[40:])
    assert np.ptp(expected, axis=0).min() > 0.1  # probabilities far from constant: a wrong path could not hide
    np.testing.assert_allclose(compiled.predict_proba(X[40:]), expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(compiled.predict_proba(X[40:41]), expected[:1], rtol=1e-9, atol=1e-12)


def test_oas_covariances_equal_scikit_learn_per_window():
    X = np.random.default_rng(1).normal(size=(4, 6, 50)) * [[1], [2], [3], [1], [5], [1]]
    expected = np.stack([oas(window.T)[0] for window in X])
    np.testing.assert_allclose(oas_covariances(X), expected, rtol=1e-12, atol=1e-14)


def test_pipelines_with_a_step_without_numpy_path_are_left_to_scikit_learn():
    X, y = _planted(3)
    assert compile_pipeline(build_classical("fb_logvar_lda", sfreq=SFREQ, task="classification").fit(X, y)) is None
    weighted = make_pipeline(WindowsInput(), ChannelScale(),
                             FeatureUnion([("a", ChannelScale())], transformer_weights={"a": 2.0}))
    assert compile_pipeline(weighted) is None


def test_compiled_path_checks_its_input():
    X, y = _planted(3)
    compiled = compile_pipeline(build_classical("xdawn_tangent_lda", sfreq=SFREQ, task="classification").fit(X, y))
    with pytest.raises(CyborgError, match=r"classical decoder input.*8 channels \(as in fit\).*\(2, 7, 125\)"):
        compiled.predict_proba(X[:2, :7])
    bad = X[:1].copy()
    bad[0, 2, 5] = np.nan
    with pytest.raises(CyborgError, match="NaN"):
        compiled.predict_proba(bad)


def test_a_streamed_classical_decoder_runs_compiled_with_the_offline_outputs(tmp_path):
    X, y = _planted(3, n_trials=45)
    steps = [DeadChannels("zero"), RemoveDC(), BandPass(None, 40.0, 2)]
    decoder = fit_decoder(make_trials(X, y, SFREQ), "xdawn_tangent_lda", preprocessing=steps)
    path = decoder.save(tmp_path / "d.pt")
    live = StreamDecoder(decoder, SFREQ, subject="s0", hop=0.04)
    assert live.compiled_members == len(decoder.members) == 1
    signal = np.concatenate(list(X[40:45]), axis=1).astype(np.float32)
    outputs = np.stack([e.output for start in range(0, signal.shape[1], 33)
                        for e in live.push(signal[:, start:start + 33])])
    starts = range(0, signal.shape[1] - N_TIMES + 1, live.hop)
    windows = np.stack([signal[:, s:s + N_TIMES] for s in starts])
    offline = Decoder.load(path)  # a fresh copy: its members call scikit-learn
    expected = offline.predict_output(make_trials(windows, None, SFREQ, sessions=["stream"] * len(windows)))
    np.testing.assert_allclose(outputs, expected, rtol=1e-7, atol=1e-9)
    assert Decoder.load(decoder.save(tmp_path / "again.pt")).members[0].__dict__.get("_live_path_") is None
    assert attach_live_paths(decoder, enable=False) == 0
    assert decoder.members[0].__dict__.get("_live_path_") is None
