"""Decoder.predict builds each network and designs each filter once, shares equal pipelines, saves none of it."""

from __future__ import annotations

import copy

import numpy as np
from helpers import make_trials, untrained_decoder

from cyborg.preprocessing import BandPass, DeadChannels, RemoveDC, steps
from cyborg.training.decoder import Decoder


def _trials(n: int = 6, seed: int = 0):
    X = np.random.default_rng(seed).normal(size=(n, 4, 100)) * 20
    return make_trials(X, np.arange(n) % 3, 500.0, subjects=["s0"] * n)


def _decoder(n_members: int = 1) -> Decoder:
    decoder = untrained_decoder(_trials(12), [DeadChannels(), RemoveDC(), BandPass(None, 40.0, 2)])
    decoder.members = [copy.deepcopy(decoder.members[0]) for _ in range(n_members)]
    return decoder


def test_networks_are_built_and_filters_designed_once(monkeypatch):
    decoder = _decoder()
    built, designed = [], []
    build, design = Decoder.build, steps._design
    monkeypatch.setattr(Decoder, "build", lambda self, state=None: built.append(1) or build(self, state))
    monkeypatch.setattr(steps, "_design", lambda *args: designed.append(1) or design(*args))
    first = decoder.predict_output(_trials(seed=1))
    for _ in range(3):
        np.testing.assert_array_equal(decoder.predict_output(_trials(seed=1)), first)
    assert (len(built), len(designed)) == (1, 1)


def test_members_with_one_fitted_pipeline_preprocess_once(monkeypatch):
    decoder = _decoder(n_members=3)
    calls = []
    transform = BandPass.transform
    monkeypatch.setattr(BandPass, "transform", lambda self, trials: calls.append(1) or transform(self, trials))
    decoder.predict(_trials(seed=2))
    assert len(calls) == 1
    decoder.members[2].pipeline.steps[0].bad_ = {"s0": [0]}  # now one member's fitted statistics differ
    decoder.members[2].pipeline.__dict__.pop("_prefix_keys_")
    calls.clear()
    decoder.predict(_trials(seed=2))
    assert len(calls) == 2


def test_a_saved_decoder_holds_no_cache_and_predicts_alike(tmp_path):
    decoder = _decoder(n_members=2)
    trials = _trials(seed=3)
    expected = decoder.predict_output(trials)
    loaded = Decoder.load(decoder.save(tmp_path / "d.pt"))
    assert all("_model_" not in vars(m) and "_prefix_keys_" not in vars(m.pipeline) for m in loaded.members)
    assert "_sos_" not in vars(loaded.members[0].pipeline.steps[2])
    np.testing.assert_allclose(loaded.predict_output(trials), expected, atol=1e-6)
