"""Planted data for the classical decoder tests: the answer is known, so learning can be asserted."""

from __future__ import annotations

import numpy as np

#: Rate and length of the planted EEG windows: 1 s at 250 Hz.
EEG_SFREQ, EEG_TIMES = 250.0, 250
#: Rate and length of the planted EMG windows: 0.6 s at 1 kHz.
EMG_SFREQ, EMG_TIMES = 1000.0, 600


def erd_trials(n_trials: int = 90, n_chans: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes told apart by a desynchronised 10 Hz rhythm (event-related desynchronisation).

    Every trial has white noise (std 1) on all channels, a random DC offset
    (up to ±50) per channel, a 10 Hz rhythm of amplitude 1 and random phase
    on channels 0-3, and a dead, zeroed last channel. Class 1 (2) damps the
    rhythm to 0.3 on channels 0-1 (2-3); class 0 keeps it.

    Returns
    -------
    X : np.ndarray of float32, shape (n_trials, n_chans, 250)
        1 s at 250 Hz.
    y : np.ndarray of int64, shape (n_trials,)
        0, 1, 2 in turn.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n_trials) % 3
    t = np.arange(EEG_TIMES) / EEG_SFREQ
    X = rng.normal(size=(n_trials, n_chans, EEG_TIMES)) + rng.uniform(-50, 50, size=(n_trials, n_chans, 1))
    amplitude = np.ones((n_trials, 4, 1))
    amplitude[y == 1, 0:2] = 0.3
    amplitude[y == 2, 2:4] = 0.3
    phase = rng.uniform(0, 2 * np.pi, size=(n_trials, 4, 1))
    X[:, 0:4] += amplitude * np.sin(2 * np.pi * 10.0 * t + phase)
    X[:, -1] = 0.0
    return X.astype(np.float32), y.astype(np.int64)


def slow_wave_trials(n_trials: int = 90, n_chans: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes told apart only by the sign and shape of a class-locked slow waveform.

    Each trial has white noise (std 1) and a 10 Hz rhythm of random phase
    and amplitude on every channel, plus a slow waveform (peak 0.5) in one
    fixed spatial pattern: class 0 a 1 Hz half-cycle, class 1 the same
    inverted, class 2 a 2 Hz cycle. Classes 0 and 1 have the same
    covariance, so only the evoked time course (xDAWN) tells them apart.

    Returns
    -------
    X : np.ndarray of float32, shape (n_trials, n_chans, 250)
        1 s at 250 Hz.
    y : np.ndarray of int64, shape (n_trials,)
        0, 1, 2 in turn.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n_trials) % 3
    t = np.arange(EEG_TIMES) / EEG_SFREQ
    waves = 0.5 * np.stack([np.sin(np.pi * t), -np.sin(np.pi * t), np.sin(2 * np.pi * t)])
    pattern = rng.normal(size=(n_chans, 1))
    rhythm = rng.uniform(0.5, 1.5, size=(n_trials, n_chans, 1)) * np.sin(
        2 * np.pi * 10.0 * t + rng.uniform(0, 2 * np.pi, size=(n_trials, n_chans, 1)))
    X = rng.normal(size=(n_trials, n_chans, EEG_TIMES)) + rhythm + pattern * waves[y][:, None, :]
    return X.astype(np.float32), y.astype(np.int64)


def envelope_trials(n_trials: int = 90, n_chans: int = 4, n_steps: int = 10, seed: int = 0
                    ) -> tuple[np.ndarray, np.ndarray]:
    """EMG-like noise whose amplitude ramps linearly; kinematic targets are linear in the amplitude.

    Each channel's envelope ramps from one random level in [0.25, 1.75] to
    another over the window; the target at each step is a fixed linear map of
    the envelopes at the step's centre onto 3 axes.

    Returns
    -------
    X : np.ndarray of float32, shape (n_trials, n_chans, 600)
        0.6 s at 1 kHz.
    y : np.ndarray of float32, shape (n_trials, n_steps * 3)
        Flattened step-major, as the regressors take it.
    """
    rng = np.random.default_rng(seed)
    start, end = (rng.uniform(0.25, 1.75, size=(n_trials, n_chans, 1)) for _ in range(2))
    envelope = start + (end - start) * np.linspace(0, 1, EMG_TIMES)
    X = envelope * rng.normal(size=(n_trials, n_chans, EMG_TIMES))
    mixing = rng.normal(size=(n_chans, 3))
    centres = (np.arange(n_steps) + 0.5) * EMG_TIMES / n_steps
    targets = np.einsum("ncs,ca->nsa", envelope[:, :, centres.astype(int)], mixing)
    return X.astype(np.float32), targets.reshape(n_trials, -1).astype(np.float32)


def gesture_trials(n_trials: int = 90, n_chans: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """EMG-like noise; class k doubles the amplitude of channel k, under a random overall gain in [0.5, 2].

    Returns
    -------
    X : np.ndarray of float32, shape (n_trials, n_chans, 600)
        0.6 s at 1 kHz.
    y : np.ndarray of int64, shape (n_trials,)
        0, 1, 2 in turn.
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n_trials) % 3
    amplitude = np.ones((n_trials, n_chans, 1))
    amplitude[np.arange(n_trials), y] = 2.0
    gain = rng.uniform(0.5, 2.0, size=(n_trials, 1, 1))
    X = gain * amplitude * rng.normal(size=(n_trials, n_chans, EMG_TIMES))
    return X.astype(np.float32), y.astype(np.int64)
