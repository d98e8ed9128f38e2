"""LogVariance: known band powers, finite on dead channels."""

from __future__ import annotations

import numpy as np

from cyborg.classical.eeg_features import LogVariance


def test_log_variance_of_sines_and_a_dead_channel():
    t = np.arange(1000) / 1000.0
    X = np.zeros((1, 2, 3, 1000))  # (n_trials, n_bands, n_chans, n_times)
    X[0, 0, 0] = 2.0 * np.sin(2 * np.pi * 10 * t)
    X[0, 1, 1] = 0.5 * np.sin(2 * np.pi * 20 * t)
    features = LogVariance(floor=1e-8).fit_transform(X)
    assert features.shape == (1, 6)
    # band-major order: (band 0: ch 0, 1, 2), (band 1: ch 0, 1, 2); silent channels sit at the floor
    floor = np.log(1e-8 * 2.0)
    np.testing.assert_allclose(features[0], [np.log(2.0), floor, floor, floor, np.log(0.125), floor], rtol=1e-6)
