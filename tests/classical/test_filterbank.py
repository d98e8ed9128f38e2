"""FilterBank and PerBand: known gains, no DC transient, causality, shapes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import FunctionTransformer

from cyborg.classical.filterbank import EEG_BANDS, FilterBank, PerBand
from cyborg.errors import CyborgError

SFREQ = 250.0


def sine_windows(freq: float, n_times: int = 500, amplitude: float = 1.0) -> np.ndarray:
    """One trial, one channel: a sine of ``freq`` Hz at 250 Hz, shape (1, 1, n_times)."""
    return (amplitude * np.sin(2 * np.pi * freq * np.arange(n_times) / SFREQ + 0.3))[None, None]


def gain_db(output: np.ndarray, reference: np.ndarray) -> float:
    """RMS gain in dB over the second half (past the filter's start-up)."""
    half = output.shape[-1] // 2
    return 20 * np.log10(np.sqrt(np.mean(output[..., half:] ** 2)) / np.sqrt(np.mean(reference[..., half:] ** 2)))


def test_a_10hz_sine_passes_alpha_and_is_stopped_in_beta():
    bands = FilterBank(SFREQ).fit_transform(sine_windows(10.0))
    assert bands.shape == (1, len(EEG_BANDS), 1, 500)
    x = sine_windows(10.0)
    assert abs(gain_db(bands[:, EEG_BANDS.index((8.0, 13.0))], x)) < 1.0
    assert gain_db(bands[:, EEG_BANDS.index((20.0, 30.0))], x) < -20.0
    assert gain_db(bands[:, EEG_BANDS.index((None, 4.0))], x) < -20.0


def test_a_dc_offset_starts_in_steady_state():
    # A constant input is the filters' steady state from the first sample: band-passes give 0, the low-pass the constant.
    bands = FilterBank(SFREQ).fit_transform(np.full((2, 3, 250), 100.0))
    low = EEG_BANDS.index((None, 4.0))
    np.testing.assert_allclose(bands[:, low], 100.0, rtol=1e-9)
    assert np.abs(np.delete(bands, low, axis=1)).max() < 1e-9


def test_filtering_is_causal_and_per_window():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2, 3, 250))
    changed = X.copy()
    changed[..., 150:] = rng.normal(size=(2, 3, 100))
    bank = FilterBank(SFREQ).fit(X)
    np.testing.assert_array_equal(bank.transform(X)[..., :150], bank.transform(changed)[..., :150])
    # each window alone: filtering a batch equals filtering its trials one by one
    np.testing.assert_allclose(bank.transform(X)[1:], bank.transform(X[1:]), rtol=1e-12)


@pytest.mark.parametrize("band", [(13.0, 8.0), (None, None), (30.0, 200.0), (0.0, 4.0)])
def test_bad_bands_name_the_expected_range(band):
    with pytest.raises(CyborgError, match=r"FilterBank: field 'bands': expected .*Nyquist \(125 Hz\)"):
        FilterBank(SFREQ, bands=[band]).fit(np.zeros((1, 1, 100)))


def test_per_band_fits_one_clone_per_band_and_concatenates():
    X = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)  # (n_trials, n_bands, n_chans, n_times)
    per_band = PerBand(FunctionTransformer(np.mean, kw_args={"axis": -1})).fit(X)
    assert len(per_band.estimators_) == 3
    features = per_band.transform(X)
    np.testing.assert_array_equal(features, X.mean(-1).reshape(2, 12))
    with pytest.raises(CyborgError, match=r"PerBand: field 'X': expected 3 bands \(as in fit\), found shape"):
        per_band.transform(X[:, :2])
