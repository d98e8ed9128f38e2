"""The shrinkage LDA head: scikit-learn's model, solved by Cholesky, without the p x p covariance."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from cyborg.classical.heads import shrinkage_lda


@pytest.mark.parametrize("n_classes", [2, 3])
def test_shrinkage_lda_matches_scikit_learns_lsqr_lda(n_classes):
    # more features than trials, as in the tangent space of a 72-channel covariance
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 400))
    y = np.arange(90) % n_classes
    X[:, :10] += y[:, None]
    ours = shrinkage_lda().fit(X, y)
    theirs = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto").fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-10)
    assert not hasattr(ours, "covariance_") and theirs.covariance_.shape == (400, 400)


def test_shrinkage_lda_without_shrinkage_on_a_singular_covariance_falls_back_to_least_squares():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 3))
    X = np.hstack([X, X[:, :1]])                # a duplicated feature: singular covariance
    y = np.arange(20) % 2
    ours = clone(shrinkage_lda()).set_params(shrinkage=None).fit(X, y)
    theirs = LinearDiscriminantAnalysis(solver="lsqr").fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-8)      # lstsq's minimum-norm answer
