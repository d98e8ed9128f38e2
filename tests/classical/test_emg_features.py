"""TimeDomainFeatures on hand-computed cases: square wave, sine, bins, dead channel."""

from __future__ import annotations

import numpy as np
import pytest

from cyborg.classical.emg_features import TIME_FEATURES, TimeDomainFeatures, default_emg_bands
from cyborg.errors import CyborgError

SFREQ = 1000.0
T = np.arange(1000) / SFREQ  # 1 s


def features_of(X: np.ndarray, **params) -> dict[str, np.ndarray]:
    """Features of windows (n_trials, n_chans, n_times) by name, each (n_trials, n_chans, n_bins)."""
    extractor = TimeDomainFeatures(SFREQ, **params).fit(X)
    names = list(TIME_FEATURES) + [f"logpow_{low:g}_{high:g}hz" for low, high in extractor.bands_]
    out = extractor.transform(X).reshape(len(X), X.shape[1], extractor.n_bins, len(names))
    return {name: out[..., i] for i, name in enumerate(names)}


def test_square_wave():
    # 10 Hz, amplitude 2: 20 jumps of 4 in 1 s, no slope sign change (flat between jumps)
    X = (2.0 * np.sign(np.sin(2 * np.pi * 10 * T + 0.3)))[None, None]
    f = features_of(X)
    assert f["mav"].item() == pytest.approx(2.0)
    assert f["rms"].item() == pytest.approx(2.0)
    assert f["zc"].item() == 20
    assert f["wl"].item() == pytest.approx(80.0)
    assert f["ssc"].item() == 0


def test_sine():
    amplitude, freq = 3.0, 10.0
    X = (amplitude * np.sin(2 * np.pi * freq * T + 0.3))[None, None]
    f = features_of(X, bands=((5.0, 15.0), (30.0, 60.0)), nperseg=1000)
    assert f["mav"].item() == pytest.approx(2 * amplitude / np.pi, rel=1e-3)
    assert f["rms"].item() == pytest.approx(amplitude / np.sqrt(2), rel=1e-6)
    assert f["wl"].item() == pytest.approx(4 * amplitude * freq, rel=5e-3)
    assert f["zc"].item() == 20
    assert f["hjorth_activity"].item() == pytest.approx(amplitude ** 2 / 2, rel=1e-6)
    assert f["hjorth_mobility"].item() == pytest.approx(2 * np.pi * freq, rel=1e-3)  # rad/s
    assert f["hjorth_complexity"].item() == pytest.approx(1.0, rel=5e-3)
    assert f["logpow_5_15hz"].item() == pytest.approx(np.log(amplitude ** 2 / 2), abs=0.02)
    assert f["logpow_30_60hz"].item() < np.log(amplitude ** 2 / 2) - 10


# sin(2 pi f t + 0.3) crosses zero at t = (m - 0.3 / pi) / (2 f), peaks at t = (m + 0.5 - 0.3 / pi) / (2 f):
# at 100 Hz the 200th crossing (t = 0.99952 s) falls after the last sample (0.999 s), the 200th extremum does not.
@pytest.mark.parametrize(("freq", "threshold", "zc", "ssc"), [(10.0, 0.0, 20, 20), (100.0, 0.01, 199, 200)])
def test_slope_sign_changes_count_peaks_and_troughs(freq, threshold, zc, ssc):
    # At 100 samples a cycle the slopes next to a peak are too small for any threshold; at 10 they clear 1 % of std.
    X = np.sin(2 * np.pi * freq * T + 0.3)[None, None]
    f = features_of(X, threshold=threshold)
    assert f["ssc"].item() == ssc
    assert f["zc"].item() == zc
    # finite differences: the mobility of a sampled sine is 2 fs sin(pi f / fs), its complexity exactly 1
    assert f["hjorth_mobility"].item() == pytest.approx(2 * SFREQ * np.sin(np.pi * freq / SFREQ), rel=1e-3)
    assert f["hjorth_complexity"].item() == pytest.approx(1.0, rel=5e-3)


def test_bins_follow_the_amplitude_and_dead_channels_give_zeros():
    carrier = np.sin(2 * np.pi * 50 * T + 0.3)
    X = np.zeros((1, 2, 1000))
    X[0, 0] = carrier * np.where(T < 0.5, 1.0, 3.0)
    f = features_of(X, n_bins=2)
    np.testing.assert_allclose(f["rms"][0, 0], [1 / np.sqrt(2), 3 / np.sqrt(2)], rtol=1e-6)
    for name, values in f.items():
        assert np.isfinite(values).all(), name
        if not name.startswith("logpow"):
            np.testing.assert_array_equal(values[0, 1], 0.0, err_msg=name)


def test_threshold_ignores_small_jitter_around_zero():
    # 0.5 s of a 10 Hz sine (10 crossings), then 0.5 s of +-1e-4 jitter: 500 sign flips, steps far below 1 % of std
    X = np.where(T < 0.5, np.sin(2 * np.pi * 10 * T + 0.3), 1e-4 * (-1.0) ** np.arange(1000))
    assert features_of(X[None, None], threshold=0.01)["zc"].item() == 10
    assert features_of(X[None, None], threshold=0.0)["zc"].item() == 10 + 499


def test_feature_names_match_the_columns():
    X = np.random.default_rng(0).normal(size=(3, 2, 600))
    extractor = TimeDomainFeatures(SFREQ, n_bins=3).fit(X)
    names = extractor.get_feature_names_out()
    assert len(names) == extractor.transform(X).shape[1] == 2 * 3 * (len(TIME_FEATURES) + 4)
    assert names[0] == "ch0_bin0_mav" and names[-1].startswith("ch1_bin2_logpow_")


def test_default_bands_fit_below_nyquist():
    assert default_emg_bands(2000.0)[-1] == pytest.approx((10 * 45 ** 0.75, 450.0))  # 10 Hz x (450 / 10)^(3/4)
    assert default_emg_bands(200.0)[-1][1] == pytest.approx(90.0)
    assert default_emg_bands(200.0)[0][0] == pytest.approx(10.0)


def test_a_band_too_narrow_for_the_bins_is_an_error():
    X = np.random.default_rng(0).normal(size=(2, 1, 600))
    with pytest.raises(CyborgError, match=r"expected a frequency bin of the 33.3333 Hz grid \(30 samples a bin\)"):
        TimeDomainFeatures(SFREQ, n_bins=20).fit_transform(X)
