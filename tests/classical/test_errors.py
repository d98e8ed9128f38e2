"""The registry and bad input: errors that name what was expected and what was found."""

from __future__ import annotations

import numpy as np
import pytest

from cyborg.classical import CLASSICAL_DECODERS, build_classical, is_classical, list_classical
from cyborg.classical.heads import TargetPCA
from cyborg.errors import CyborgError

from .planted import EEG_SFREQ, erd_trials


def test_registry_names_and_kinds():
    assert list_classical("eeg") == ["band_csp_lda", "fb_logvar_lda", "fb_logvar_lr", "fb_tangent_space", "fbcsp_lda",
                                     "xdawn_csp_stack", "xdawn_tangent_lda", "xdawn_tangent_space"]
    assert list_classical("emg") == ["emg_td_gbm", "emg_td_kernel_ridge", "emg_td_logistic", "emg_td_ridge"]
    assert list_classical() == sorted(CLASSICAL_DECODERS)
    assert is_classical("fbcsp_lda") and not is_classical("eegnet")


def test_unknown_name_lists_the_known_ones():
    with pytest.raises(CyborgError,
                       match=r"classical decoder name: expected one of \['band_csp_lda', .*\], found 'csp'"):
        build_classical("csp", sfreq=250.0)
    with pytest.raises(CyborgError, match=r"list_classical: kind: expected one of \['eeg', 'emg'\], found 'meg'"):
        list_classical("meg")


def test_tasks_and_parameters_are_checked():
    with pytest.raises(CyborgError, match=r"'emg_td_gbm': task: expected one of \['classification', 'regression'\], "
                                          r"found None"):
        build_classical("emg_td_gbm", sfreq=2000.0)
    with pytest.raises(CyborgError, match=r"'emg_td_ridge': task: expected one of \['regression'\], "
                                          r"found 'classification'"):
        build_classical("emg_td_ridge", sfreq=2000.0, task="classification")
    with pytest.raises(CyborgError, match=r"'fbcsp_lda': expected arguments among \['sfreq', 'bands', 'order', "
                                          r"'n_components', 'reg'\], found \['n_filters', 'sfreq'\]"):
        build_classical("fbcsp_lda", sfreq=250.0, n_filters=4)
    with pytest.raises(CyborgError, match=r"field 'sfreq': expected a positive rate in Hz, found 0"):
        build_classical("fbcsp_lda", sfreq=0)


def test_bad_windows_name_the_expected_shape():
    X, y = erd_trials(n_trials=24, n_chans=6)
    estimator = build_classical("fb_logvar_lda", sfreq=EEG_SFREQ)
    with pytest.raises(CyborgError, match=r"classical decoder input: field 'X': expected shape "
                                          r"\(n_trials, n_chans, n_times\), found \(24, 250\)"):
        estimator.fit(X[:, 0], y)
    estimator.fit(X, y)
    with pytest.raises(CyborgError, match=r"expected 6 channels \(as in fit\), found shape \(24, 5, 250\)"):
        estimator.predict_proba(X[:, :5])
    bad = X.copy()
    bad[3, 2, 7] = np.nan
    with pytest.raises(CyborgError, match=r"expected finite values, found 1 NaN/inf \(first at index \(3, 2, 7\)\)"):
        estimator.predict_proba(bad)


def test_target_pca_keeps_at_most_the_targets_columns():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(20, 2)) @ rng.normal(size=(2, 5))  # rank 2, 5 outputs
    pca = TargetPCA(n_components=8).fit(y)
    assert pca.pca_.n_components_ == 5
    np.testing.assert_allclose(pca.inverse_transform(pca.transform(y)), y, atol=1e-10)
    assert TargetPCA(n_components=2).fit(y).transform(y).shape == (20, 2)
