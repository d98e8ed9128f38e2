"""The learners at the end of the classical pipelines.

Every hyper-parameter that matters is chosen on the training data alone:
shrinkage analytically (Ledoit-Wolf), penalties by inner cross-validation
(RidgeCV's leave-one-out, GridSearchCV with 3 folds), boosting rounds by early
stopping on a held-out part of the training data. The grids are wide and
fixed in advance, never tuned on a validation set.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, _class_cov, _class_means
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.model_selection import GridSearchCV
from sklearn.multioutput import MultiOutputRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

#: Inverse L2 penalties tried for logistic regression (on standardised features).
C_GRID: tuple[float, ...] = tuple(np.logspace(-4, 2, 7))
#: Ridge penalties tried by RidgeCV (on standardised features).
RIDGE_ALPHAS: tuple[float, ...] = tuple(np.logspace(-2, 5, 15))
#: Kernel ridge penalties tried by the inner grid search.
KERNEL_ALPHAS: tuple[float, ...] = tuple(np.logspace(-3, 1, 5))
#: Inner cross-validation folds.
INNER_FOLDS = 3

_BOOSTING = dict(learning_rate=0.05, max_iter=300, max_leaf_nodes=15, min_samples_leaf=10, l2_regularization=1.0,
                 early_stopping=True, validation_fraction=0.2, n_iter_no_change=20, random_state=0)


class ShrinkageLDA(LinearDiscriminantAnalysis):
    """scikit-learn's ``solver="lsqr"`` LDA, solving its shrunk covariance system by Cholesky, keeping no ``covariance_``.

    Same model and parameters as :class:`~sklearn.discriminant_analysis.LinearDiscriminantAnalysis`;
    only the solve differs. A shrunk covariance is symmetric positive definite, so a Cholesky solve
    gives the least-squares answer (to rounding) an order of magnitude faster than the SVD-based
    ``lstsq`` scikit-learn calls, which dominated the fit of ``xdawn_tangent_lda`` (thousands of
    tangent-space features). The p x p ``covariance_`` (tens of MB there) is not kept; prediction
    never reads it. A covariance that is not positive definite, or too ill-conditioned for a
    Cholesky solve, falls back to ``lstsq``.
    """

    def _solve_lstsq(self, X, y, shrinkage, covariance_estimator):  # overrides scikit-learn's solver
        self.means_ = _class_means(X, y)
        covariance = _class_cov(X, y, self.priors_, shrinkage, covariance_estimator)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", linalg.LinAlgWarning)
                self.coef_ = linalg.solve(covariance, self.means_.T, assume_a="pos").T
        except (linalg.LinAlgError, linalg.LinAlgWarning):
            self.coef_ = linalg.lstsq(covariance, self.means_.T)[0].T
        self.intercept_ = -0.5 * np.diag(self.means_ @ self.coef_.T) + np.log(self.priors_)


def shrinkage_lda() -> ShrinkageLDA:
    """LDA with Ledoit-Wolf shrinkage of the within-class covariance (chosen analytically)."""
    return ShrinkageLDA(solver="lsqr", shrinkage="auto")


def tuned_logistic(Cs: Sequence[float] = C_GRID) -> GridSearchCV:
    """Multinomial logistic regression whose C is chosen by 3-fold inner CV on log-loss.

    Its ``score`` (and so a pipeline's) is that scorer, the negative log-loss,
    not accuracy: pass ``scoring="accuracy"`` to scikit-learn's CV helpers.
    """
    return GridSearchCV(LogisticRegression(max_iter=2000), {"C": list(Cs)}, cv=INNER_FOLDS, scoring="neg_log_loss")


def ridge(alphas: Sequence[float] = RIDGE_ALPHAS) -> RidgeCV:
    """Multi-output ridge regression whose penalty is chosen by efficient leave-one-out CV."""
    return RidgeCV(alphas=list(alphas))


def kernel_ridge(alphas: Sequence[float] = KERNEL_ALPHAS) -> TransformedTargetRegressor:
    """RBF kernel ridge on centred targets; penalty by 3-fold inner CV.

    The kernel width is the scale-free default ``gamma = 1 / n_features``
    (squared distances between standardised feature vectors grow with their
    length). Kernel ridge has no intercept, hence the centring of the targets.
    """
    search = GridSearchCV(KernelRidge(kernel="rbf"), {"alpha": list(alphas)}, cv=INNER_FOLDS,
                          scoring="neg_mean_squared_error")
    return TransformedTargetRegressor(regressor=search, transformer=StandardScaler(with_std=False))


class TargetPCA(TransformerMixin, BaseEstimator):
    """PCA of regression targets (n_samples, n_outputs) to at most ``n_components`` scores.

    Fewer components are kept when the targets have fewer columns or rows.
    Smooth trajectories (e.g. 30 steps x 3 axes of velocity) are well
    described by a handful of components, so a per-output learner such as
    gradient boosting fits a few scores instead of every output.

    Attributes
    ----------
    pca_ : sklearn.decomposition.PCA
        The fitted PCA.
    """

    def __init__(self, n_components: int = 8):
        self.n_components = n_components

    def fit(self, y: np.ndarray, _: None = None) -> "TargetPCA":
        """Fit the PCA on targets (n_samples, n_outputs)."""
        y = np.asarray(y, dtype=np.float64)
        self.pca_ = PCA(n_components=min(self.n_components, *y.shape)).fit(y)
        return self

    def transform(self, y: np.ndarray) -> np.ndarray:
        """Scores (n_samples, n_kept) of targets (n_samples, n_outputs)."""
        check_is_fitted(self)
        return self.pca_.transform(np.asarray(y, dtype=np.float64))

    def inverse_transform(self, scores: np.ndarray) -> np.ndarray:
        """Targets (n_samples, n_outputs) back from scores (n_samples, n_kept)."""
        check_is_fitted(self)
        return self.pca_.inverse_transform(scores)


def boosting_classifier() -> HistGradientBoostingClassifier:
    """Histogram gradient boosting; rounds by early stopping on 20 % of the training data."""
    return HistGradientBoostingClassifier(**_BOOSTING)


def boosting_regressor(n_components: int = 8) -> TransformedTargetRegressor:
    """Histogram gradient boosting of the first ``n_components`` target PCA scores, one model each.

    Rounds by early stopping on 20 % of the training data; predictions are
    mapped back to all outputs through the PCA.
    """
    return TransformedTargetRegressor(regressor=MultiOutputRegressor(HistGradientBoostingRegressor(**_BOOSTING)),
                                      transformer=TargetPCA(n_components), check_inverse=False)
