"""EEG feature steps: known band powers, scales, lines and pass bands; finite on dead channels."""

from __future__ import annotations

import numpy as np
import pytest

from cyborg.classical.eeg_features import BandPassProjection, ChannelScale, Detrend, LogVariance, LowPassProjection
from cyborg.errors import CyborgError


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


def test_channel_scale_drops_flat_channels_and_gives_unit_scale():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3, 100)) * np.array([1.0, 0.0, 50.0])[:, None]
    scaler = ChannelScale().fit(X)
    np.testing.assert_array_equal(scaler.keep_, [True, False, True])
    out = scaler.transform(X)
    assert out.shape == (20, 2, 100)
    np.testing.assert_allclose(out.std(axis=(0, 2)), 1.0, rtol=1e-12)
    with pytest.raises(CyborgError, match=r"ChannelScale: field 'X': expected 3 channels \(as in fit\)"):
        scaler.transform(X[:, :2])


def test_detrend_removes_a_line_and_keeps_a_sine():
    t = np.arange(200) / 200.0
    sine = np.sin(2 * np.pi * 5 * t)
    out = Detrend().fit_transform((3.0 + 7.0 * t + sine)[None, None])[0, 0]
    # the sine's own least-squares line is small but not zero: compare with the detrended sine
    np.testing.assert_allclose(out, Detrend().fit_transform(sine[None, None])[0, 0], atol=1e-10)
    assert np.abs(np.polyfit(t, out, 1)).max() < 1e-10


def test_low_pass_projection_keeps_slow_cosines_and_removes_fast_ones():
    # 0.5 s at 500 Hz: cosine k of the window is k Hz; components 1..5 pass at h_freq=5
    sfreq, n_times = 500.0, 250
    n = np.arange(n_times)
    cosine = lambda k: np.cos(np.pi * k * (n + 0.5) / n_times)  # noqa: E731
    projection = LowPassProjection(sfreq, h_freq=5.0)
    X = np.stack([cosine(3), cosine(12), 4.0 + cosine(5), np.sin(2 * np.pi * 10 * n / sfreq),
                  np.sin(2 * np.pi * 40 * n / sfreq)])[None]
    out = projection.fit_transform(X)[0]
    assert projection.n_components_ == 5 and projection.step_ == 10 and out.shape == (5, 25)
    np.testing.assert_allclose(out[0], cosine(3)[::10], atol=1e-12)  # passes unchanged
    np.testing.assert_allclose(out[1], 0.0, atol=1e-12)  # 6 Hz and up: removed
    np.testing.assert_allclose(out[2], cosine(5)[::10], atol=1e-12)  # the window's mean is dropped
    # sines that do not fit the window a whole number of half-cycles leak: their RMS (0.707) drops
    # to 0.18 at 10 Hz and 0.038 at 40 Hz (measured 0.180 and 0.0384)
    rms = np.sqrt((out[3:] ** 2).mean(axis=1))
    assert rms[0] < 0.2 and rms[1] < 0.045
    with pytest.raises(CyborgError, match=r"LowPassProjection: field 'X': expected windows of 250 samples"):
        projection.transform(X[..., :200])


def test_band_pass_projection_keeps_the_band_cosines_and_removes_the_rest():
    # 0.5 s at 500 Hz: cosine k of the window is k Hz; 13-30 Hz keeps k = 13..30
    sfreq, n_times = 500.0, 250
    n = np.arange(n_times)
    cosine = lambda k: np.cos(np.pi * k * (n + 0.5) / n_times)  # noqa: E731
    projection = BandPassProjection(sfreq, 13.0, 30.0)
    X = np.stack([cosine(20), cosine(10), cosine(40), 5.0 + cosine(13) + cosine(30) + cosine(31)])[None]
    out = projection.fit_transform(X)[0]
    assert projection.keep_.sum() == 18 and out.shape == X.shape[1:]
    np.testing.assert_allclose(out[0], cosine(20), atol=1e-12)  # inside: unchanged
    np.testing.assert_allclose(out[1:3], 0.0, atol=1e-12)  # below and above: removed
    np.testing.assert_allclose(out[3], cosine(13) + cosine(30), atol=1e-12)  # both edges kept, the mean and 31 Hz not
    with pytest.raises(CyborgError, match=r"BandPassProjection: field 'X': expected windows of 250 samples"):
        projection.transform(X[..., :200])


@pytest.mark.parametrize(("band", "expected"), [
    ((30.0, 13.0), r"field '\(l_freq, h_freq\)': expected 0 <= l_freq < h_freq <= Nyquist \(250 Hz\), "
                   r"found \(30.0, 13.0\)"),
    ((13.2, 13.8), r"expected a band at least 1 Hz wide for 250-sample windows, found \(13.2, 13.8\)")])
def test_band_pass_projection_rejects_an_empty_band(band, expected):
    with pytest.raises(CyborgError, match=expected):
        BandPassProjection(500.0, *band).fit(np.zeros((2, 3, 250)))
