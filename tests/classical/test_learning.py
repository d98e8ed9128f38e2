"""Every classical decoder learns its planted signal: 3-fold cross-validated score well above chance."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import cross_val_score

from cyborg.classical import build_classical

from .planted import EEG_SFREQ, EMG_SFREQ, envelope_trials, erd_trials, gesture_trials, slow_wave_trials


@pytest.fixture(scope="module")
def erd():
    return erd_trials()


@pytest.mark.parametrize(("name", "minimum"), [
    ("fb_logvar_lda", 0.85), ("fb_logvar_lr", 0.8), ("fbcsp_lda", 0.7), ("fb_tangent_space", 0.65)])
def test_band_power_decoders_learn_a_planted_erd(erd, name, minimum):
    # 3 classes (chance 1/3), 60 training trials a fold, a dead channel and DC offsets in the data
    X, y = erd
    scores = cross_val_score(build_classical(name, sfreq=EEG_SFREQ), X, y, cv=3, scoring="accuracy")
    assert scores.mean() > minimum


@pytest.mark.parametrize("name", ["xdawn_tangent_space", "xdawn_tangent_lda"])
def test_xdawn_learns_a_class_locked_slow_waveform(name):
    # classes 0 and 1 differ only in the sign of the waveform: covariance alone cannot tell them apart
    X, y = slow_wave_trials()
    scores = cross_val_score(build_classical(name, sfreq=EEG_SFREQ), X, y, cv=3, scoring="accuracy")
    assert scores.mean() > 0.9


def test_band_csp_learns_a_planted_erd_in_its_band_and_not_a_slow_waveform(erd):
    # two CSP filters of the 8-12 Hz cosines; the slow waveform's classes 0 and 1 share one covariance
    band_csp = build_classical("band_csp_lda", sfreq=EEG_SFREQ, l_freq=8.0, h_freq=12.0)
    assert cross_val_score(band_csp, *erd, cv=3, scoring="accuracy").mean() > 0.7
    assert cross_val_score(band_csp, *slow_wave_trials(), cv=3, scoring="accuracy").mean() < 0.5


@pytest.mark.parametrize("planted", [erd_trials, slow_wave_trials])
def test_xdawn_csp_stack_learns_band_power_and_slow_waveforms(planted):
    # the stack keeps what each of its decoders learns: band_csp_lda alone stays below 0.5 on the slow waveform
    stack = build_classical("xdawn_csp_stack", sfreq=EEG_SFREQ, l_band=8.0, h_band=12.0)
    assert cross_val_score(stack, *planted(), cv=3, scoring="accuracy").mean() > 0.9


@pytest.mark.parametrize(("name", "minimum"), [("emg_td_ridge", 0.85), ("emg_td_kernel_ridge", 0.6),
                                               ("emg_td_gbm", 0.5)])
def test_emg_regressors_learn_a_planted_envelope_to_target_map(name, minimum):
    # R^2 = 1 - MSE / MSE of the training-mean predictor, averaged over the 30 outputs
    X, y = envelope_trials()
    estimator = build_classical(name, sfreq=EMG_SFREQ, task="regression")
    scores = cross_val_score(estimator, X, y, cv=3, scoring="r2")
    assert scores.mean() > minimum


@pytest.mark.parametrize(("name", "minimum"), [("emg_td_logistic", 0.9), ("emg_td_gbm", 0.8)])
def test_emg_classifiers_learn_planted_gestures(name, minimum):
    X, y = gesture_trials()
    estimator = build_classical(name, sfreq=EMG_SFREQ, task="classification")
    scores = cross_val_score(estimator, X, y, cv=3, scoring="accuracy")
    assert scores.mean() > minimum


def test_learning_fails_without_signal():
    # the same decoder on shuffled labels stays near chance: the scores above come from the planted signal
    X, y = erd_trials()
    shuffled = np.random.default_rng(0).permutation(y)
    scores = cross_val_score(build_classical("fb_logvar_lda", sfreq=EEG_SFREQ), X, shuffled, cv=3,
                             scoring="accuracy")
    assert scores.mean() < 0.5
