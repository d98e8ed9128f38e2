"""Session-level steps: robust per-session channel scaling and Euclidean alignment."""

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from cyborg.preprocessing import EuclideanAlign, Pipeline, SessionScale
from helpers import make_trials


def _log_variance(X):
    return np.log(X.var(axis=-1) + 1e-12)


def _erd_sessions(seed=0, n_per_session=60, outlier_sessions=("s2", "s3"), factor=60.0, outlier=5):
    """Two classes told apart by the power of channel 0 versus channel 1; channel ``outlier`` is
    ``factor`` times too large in ``outlier_sessions``, and every session has its own channel gains."""
    rng = np.random.default_rng(seed)
    sessions = np.repeat(["s1", "s2", "s3"], n_per_session)
    y = np.tile([0, 1], len(sessions) // 2)
    X = rng.normal(size=(len(sessions), 8, 200))
    X[y == 0, 0] *= 1.8
    X[y == 1, 1] *= 1.8
    for name in ("s1", "s2", "s3"):
        rows = sessions == name
        X[rows] *= rng.uniform(0.5, 2.0, size=(1, 8, 1))          # per-session gain change
    for name in outlier_sessions:
        X[sessions == name, outlier] *= factor
    return make_trials(X, y, sfreq=200.0, sessions=sessions, class_names=("a", "b"))


def test_session_scale_puts_every_channel_of_every_session_on_one_scale_and_reports_outliers():
    trials = _erd_sessions(outlier_sessions=("s2",), factor=100.0)
    step = SessionScale(wild_ratio=20.0).fit(trials)
    assert step.outliers_ == {("s0", "s2"): ["ch5"]}
    scaled = step.transform(trials)
    for name in ("s1", "s2", "s3"):
        per_channel = np.median(scaled.X[trials.metadata.session == name].std(axis=-1), axis=0)
        np.testing.assert_allclose(per_channel, 1.0, rtol=1e-5)


def test_session_scale_keeps_dead_channels_at_zero():
    trials = _erd_sessions()
    trials.X[:, 3] = 0.0
    scaled = SessionScale().fit(trials).transform(trials)
    assert np.all(scaled.X[:, 3] == 0.0) and np.isfinite(scaled.X).all()


def test_accuracy_does_not_collapse_with_an_outlier_channel_in_the_held_out_session():
    trials = _erd_sessions(outlier_sessions=("s3",), outlier=0)        # an informative channel goes bad
    train, test = trials.subset((trials.metadata.session != "s3").to_numpy()), trials.where(session="s3")

    def accuracy(steps):
        pipeline = Pipeline(steps)
        X_train = pipeline.fit_transform(train).X
        X_test = pipeline.transform(test).X
        model = make_pipeline(FunctionTransformer(_log_variance), StandardScaler(),
                              LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"))
        return (model.fit(X_train, train.y).predict(X_test) == test.y).mean()

    assert accuracy([SessionScale()]) >= 0.85
    assert accuracy([]) < 0.7          # the same decoder without it is thrown off by the channel


def _mean_covariance(X):
    X = X.astype(np.float64)
    return np.einsum("nct,ndt->cd", X, X) / (X.shape[0] * X.shape[2])


def test_euclidean_alignment_makes_each_sessions_mean_covariance_the_identity():
    rng = np.random.default_rng(1)
    mixing = rng.normal(size=(6, 6))
    X = np.einsum("cd,ndt->nct", mixing, rng.normal(size=(40, 6, 300)))
    trials = make_trials(X, np.zeros(40, dtype=np.int64), sessions=np.repeat(["a", "b"], 20))
    trials.X[20:] = trials.X[20:] @ np.diag(np.linspace(0.5, 2, 300)).astype(np.float32)
    aligned = EuclideanAlign(shrinkage=0.0).transform(trials)
    np.testing.assert_allclose(_mean_covariance(aligned.X[:20]), np.eye(6), atol=1e-4)
    np.testing.assert_allclose(_mean_covariance(aligned.X[20:]), np.eye(6), atol=1e-4)


def test_shrunk_alignment_maps_a_rescaled_session_onto_the_same_covariance():
    rng = np.random.default_rng(2)
    X = np.einsum("cd,ndt->nct", rng.normal(size=(6, 6)), rng.normal(size=(20, 6, 300)))
    X = np.concatenate([X, 3.0 * X])                       # session b: every gain tripled
    trials = make_trials(X, np.zeros(40, dtype=np.int64), sessions=np.repeat(["a", "b"], 20))
    trials.X[:, 4] = 0.0                                   # a dead channel stays finite and zero
    aligned = EuclideanAlign(shrinkage=0.05).transform(trials)
    np.testing.assert_allclose(aligned.X[:20], aligned.X[20:], rtol=1e-3, atol=1e-4)
    assert np.isfinite(aligned.X).all() and np.abs(aligned.X[:, 4]).max() < 1e-6


def test_outlier_mode_brings_only_a_wild_channel_back_and_leaves_clean_sessions_unchanged():
    trials = _erd_sessions(outlier_sessions=("s2",), factor=60.0)
    step = SessionScale(mode="outliers").fit(trials)
    assert step.outliers_ == {("s0", "s2"): ["ch5"]}
    scaled = step.transform(trials)
    clean = (trials.metadata.session != "s2").to_numpy()
    np.testing.assert_array_equal(scaled.X[clean], trials.X[clean])
    wild = (trials.metadata.session == "s2").to_numpy()
    np.testing.assert_array_equal(np.delete(scaled.X[wild], 5, axis=1), np.delete(trials.X[wild], 5, axis=1))
    ratio = np.median(trials.X[wild, 5].std(axis=-1)) / np.median(scaled.X[wild, 5].std(axis=-1))
    assert 10 < ratio <= 60       # 60x too large, divided back to its usual level (within the 0.5-2x gains)
    assert SessionScale(mode="outliers").fit(scaled).outliers_ == {}


def test_outlier_mode_rescues_a_held_out_session_with_a_wild_informative_channel():
    trials = _erd_sessions(outlier_sessions=("s3",), outlier=0)
    train, test = trials.subset((trials.metadata.session != "s3").to_numpy()), trials.where(session="s3")

    def accuracy(steps):
        pipeline = Pipeline(steps)
        X_train = pipeline.fit_transform(train).X
        model = make_pipeline(FunctionTransformer(_log_variance), StandardScaler(),
                              LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto"))
        return (model.fit(X_train, train.y).predict(pipeline.transform(test).X) == test.y).mean()

    assert accuracy([SessionScale(mode="outliers")]) >= accuracy([]) + 0.15


def test_session_scale_names_an_unknown_mode():
    import pytest

    from cyborg.errors import CyborgError

    with pytest.raises(CyborgError, match="SessionScale mode.*'all', 'outliers'.*'some'"):
        SessionScale(mode="some")


def test_a_calibrated_session_step_applies_the_calibration_sessions_map_to_any_window():
    trials = _erd_sessions(outlier_sessions=())
    one_session = trials.where(session="s2")
    for step in (SessionScale(), EuclideanAlign()):
        calibrated = Pipeline([step]).calibrate(one_session)
        assert calibrated.steps[0].causal and not step.causal
        np.testing.assert_allclose(calibrated.transform(one_session).X, step.transform(one_session).X, rtol=1e-5,
                                   atol=1e-6)
        window = one_session.subset([3])   # alone, a session step would use this one window's statistics
        np.testing.assert_allclose(calibrated.transform(window).X, step.transform(one_session).X[3:4], rtol=1e-5,
                                   atol=1e-6)
        assert not np.allclose(step.transform(window).X, step.transform(one_session).X[3:4], rtol=1e-2)


def test_fold_members_share_one_digest_in_mode_all_but_keep_the_usual_amplitudes_in_mode_outliers():
    import pickle

    trials = _erd_sessions()
    folds = [np.flatnonzero(trials.metadata["session"] != held_out) for held_out in ("s1", "s2")]
    for mode, same in (("all", True), ("outliers", False)):
        steps = [SessionScale(mode=mode).fit(trials.subset(rows)) for rows in folds]
        assert all(step.usual_ for step in steps)  # fit computes them in both modes (for the log)
        assert (pickle.dumps(steps[0]) == pickle.dumps(steps[1])) is same
        loaded = pickle.loads(pickle.dumps(steps[0]))
        np.testing.assert_array_equal(loaded.transform(trials).X, steps[0].transform(trials).X)
