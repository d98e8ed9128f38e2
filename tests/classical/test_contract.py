"""Contract of every registered classical decoder: fit, output shapes, pickle and torch.save round trips."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

from cyborg.classical import CLASSICAL_DECODERS, build_classical

from .planted import EEG_SFREQ, EMG_SFREQ, envelope_trials, erd_trials, gesture_trials

CASES = [(name, task) for name, spec in sorted(CLASSICAL_DECODERS.items()) for task in spec.tasks]


def tiny_data(kind: str, task: str) -> tuple[np.ndarray, np.ndarray, float]:
    """24 planted trials of the decoder's signal kind and task: X, y and the rate in Hz."""
    if kind == "eeg":
        X, y = erd_trials(n_trials=24, n_chans=6)
        return X, y, EEG_SFREQ
    if task == "classification":
        X, y = gesture_trials(n_trials=24)
        return X, y, EMG_SFREQ
    X, y = envelope_trials(n_trials=24, n_steps=5)
    return X, y, EMG_SFREQ


@pytest.mark.parametrize(("name", "task"), CASES)
def test_fit_predict_and_round_trips(name, task, tmp_path):
    X, y, sfreq = tiny_data(CLASSICAL_DECODERS[name].kind, task)
    estimator = build_classical(name, sfreq=sfreq, task=task).fit(X, y)
    predict = "predict_proba" if task == "classification" else "predict"
    out = getattr(estimator, predict)(X[:7])
    if task == "classification":
        assert out.shape == (7, 3)
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-9)
        assert (out >= 0).all()
    else:
        assert out.shape == (7, y.shape[1])
    assert np.isfinite(out).all()

    restored = pickle.loads(pickle.dumps(estimator))
    np.testing.assert_array_equal(getattr(restored, predict)(X[:7]), out)
    torch.save(estimator, tmp_path / "estimator.pt")
    loaded = torch.load(tmp_path / "estimator.pt", weights_only=False)
    np.testing.assert_array_equal(getattr(loaded, predict)(X[:7]), out)


def test_the_contract_covers_every_decoder_and_task():
    assert {name for name, _ in CASES} == set(CLASSICAL_DECODERS)
    assert ("emg_td_gbm", "classification") in CASES and ("emg_td_gbm", "regression") in CASES
