"""Steps that use the statistics of a whole recording session: robust scaling and Euclidean alignment.

Electrode gains change between sessions (a re-gelled electrode, a loose
cable), and some channels are 20-100 times too large in one session only.
Both steps compute their statistics from the windows of one
``(subject, session)`` group, *inputs only*, and apply them to that group:
a training session and the pre-cut test epochs of a subject (session
``"test"``) go through exactly the same operation, so nothing fitted on
test labels reaches the decoder. ``fit`` only records what it saw on the
training trials (:attr:`SessionScale.outliers_`), for the run's log.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from cyborg.errors import StreamError
from cyborg.preprocessing.steps import Step
from cyborg.trials import Trials
from cyborg.validation import check_option

log = logging.getLogger(__name__)

#: Metadata columns that identify a recording session.
SESSION_KEYS = ("subject", "session")


def session_groups(trials: Trials, keys: Sequence[str] = SESSION_KEYS) -> Iterator[tuple[tuple, np.ndarray]]:
    """``(key values, row positions)`` per session; one group of every row when no key column exists."""
    present = [k for k in keys if k in trials.metadata]
    if not present:
        yield (), np.arange(len(trials))
        return
    for key, rows in trials.metadata.groupby(present, sort=False).indices.items():
        yield (key if isinstance(key, tuple) else (key,)), np.asarray(rows)


def channel_scale(X: np.ndarray) -> np.ndarray:
    """Median over windows of each channel's standard deviation, shape (n_chans,); 1 where it is 0.

    Parameters
    ----------
    X : np.ndarray, shape (n_trials, n_chans, n_times)
    """
    scale = np.median(X.std(axis=-1, dtype=np.float64), axis=0)
    return np.where(scale > 0, scale, 1.0)


class SessionStep(Step):
    """A step that maps each session's windows with a linear map computed from that session's windows.

    Subclasses give :meth:`session_map` (the statistics of one session) and
    :meth:`apply_map`. Such a step cannot stream by itself (a live signal has
    no session of windows yet); :meth:`calibrate` fixes the map from windows
    of the stream's session recorded beforehand, which gives a causal step.
    """

    causal = False

    def session_map(self, X: np.ndarray, key: tuple = ()) -> np.ndarray:
        raise NotImplementedError

    def apply_map(self, X: np.ndarray, session_map: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def check_stream(self, subject: str) -> None:
        raise StreamError(f"{type(self).__name__}: expected a causal step (one window at a time), found a step "
                          "that maps each session by statistics of its windows; calibrate it first on windows of "
                          "the stream's session (StreamDecoder(calibration=...), "
                          "python -m cyborg.stream decode --calibrate SECONDS)")

    def transform(self, trials: Trials) -> Trials:
        X = np.empty(trials.X.shape, dtype=np.float32)
        for key, rows in session_groups(trials):
            X[rows] = self.apply_map(trials.X[rows], self.session_map(trials.X[rows], key))
        return replace(trials, X=X)

    def calibrate(self, trials: Trials) -> "CalibratedSessionStep":
        """This step with the map of ``trials`` (windows of one session, e.g. a stream's first seconds) fixed."""
        key = next(session_groups(trials))[0]
        return CalibratedSessionStep(self, self.session_map(trials.X, key))


class CalibratedSessionStep(Step):
    """A :class:`SessionStep` whose map was computed once, from calibration windows: causal, so it streams.

    Parameters
    ----------
    step : SessionStep
        The fitted session step.
    session_map : np.ndarray
        Its map for the session (divisors (n_chans,) or a matrix (n_chans, n_chans)).
    """

    def __init__(self, step: SessionStep, session_map: np.ndarray):
        self.step = step
        self.session_map = session_map

    def transform(self, trials: Trials) -> Trials:
        return replace(trials, X=self.step.apply_map(trials.X, self.session_map).astype(np.float32, copy=False))

    def __repr__(self) -> str:
        return f"CalibratedSessionStep({self.step!r})"


class SessionScale(SessionStep):
    """Divide channels by their amplitude within their own session: every channel, or the outliers only.

    Removes per-session gain changes and tames channels that are far too
    large in one session only, the same way for training and test windows.

    Parameters
    ----------
    wild_ratio : float
        A channel whose amplitude relative to its session's median channel
        is this many times its usual relative amplitude (the median over the
        subject's training sessions) is an outlier in that session. Outliers
        of the training trials are reported in :attr:`outliers_` and the log.
    mode : {"all", "outliers"}
        ``"all"`` divides every channel by its median window standard
        deviation in the session (each channel of each session at unit
        scale). ``"outliers"`` leaves every channel as it is except a
        session's outliers, which are brought back to their usual relative
        amplitude; a session without outliers passes unchanged, so data
        without such channels decode exactly as without the step.

    Attributes
    ----------
    outliers_ : dict of (subject, session) to list of str
        Amplitude-outlier channels found on the training trials.
    usual_ : dict of str to np.ndarray, shape (n_chans,)
        Per training subject, each channel's usual amplitude relative to the
        session's median channel (unitless); a subject not seen in ``fit``
        is compared with 1 (its session's median channel).
    """

    def __init__(self, wild_ratio: float = 20.0, mode: str = "all"):
        check_option(mode, ("all", "outliers"), "SessionScale mode")
        self.wild_ratio = wild_ratio
        self.mode = mode
        self.outliers_: dict[tuple, list[str]] = {}
        self.usual_: dict[str, np.ndarray] = {}

    def fit(self, trials: Trials) -> "SessionScale":
        # each channel's amplitude relative to its neighbours (the session's median channel), per session
        relative = {key: _relative(trials.X[rows]) for key, rows in session_groups(trials)}
        self.outliers_, self.usual_ = {}, {}
        for subject in {key[:1] for key in relative}:
            keys = [key for key in relative if key[:1] == subject]
            usual = np.median([relative[key] for key in keys], axis=0)
            if subject:
                self.usual_[str(subject[0])] = usual
            for key in keys if len(keys) > 1 else ():
                wild = np.flatnonzero(relative[key] > self.wild_ratio * usual)
                if wild.size:
                    self.outliers_[key] = [trials.ch_names[i] for i in wild]
                    log.info("session %s: channels %s are over %g times their usual amplitude",
                             "/".join(map(str, key)), self.outliers_[key], self.wild_ratio)
        return self

    def __getstate__(self) -> dict:
        # mode "all" never reads the usual amplitudes: leaving them out of saved (and digested) steps lets
        # the fold members of one subject share one preprocessing pass (Member.pipeline_key)
        state = super().__getstate__()
        return {**state, "usual_": {}} if self.mode == "all" else state

    def session_map(self, X: np.ndarray, key: tuple = ()) -> np.ndarray:
        """The per-channel divisors of one session's windows ``X`` (n, n_chans, n_times), shape (n_chans,)."""
        if self.mode == "all":
            return channel_scale(X)
        relative = _relative(X)
        usual = self.usual_.get(str(key[0])) if key else None
        usual = np.ones_like(relative) if usual is None else usual
        return np.where(relative > self.wild_ratio * usual, relative / np.maximum(usual, 1e-12), 1.0)

    def apply_map(self, X: np.ndarray, divisors: np.ndarray) -> np.ndarray:
        """``X`` (n, n_chans, n_times) with each channel divided by its divisor, float32."""
        return X / divisors.astype(np.float32)[:, None]


def _relative(X: np.ndarray) -> np.ndarray:
    """Each channel's :func:`channel_scale` over the median channel's, shape (n_chans,), unitless."""
    scale = channel_scale(X)
    return scale / np.median(scale)


class EuclideanAlign(SessionStep):
    """Euclidean alignment (He & Wu 2019): whiten each session by its mean spatial covariance.

    Every window ``x`` of a session becomes ``R^{-1/2} x`` with ``R`` the mean
    of the session's window covariances ``x x^T / n_times``, so the sessions'
    (and subjects') mean covariances all become the identity: a re-centring
    of the covariance cloud that cross-session and cross-subject decoders
    rely on. The inverse square root is pyRiemann's.

    Parameters
    ----------
    shrinkage : float
        ``R`` is shrunk towards ``trace(R) / n_chans * I`` by this share, so
        dead (zero) channels and short sessions keep it invertible.
    """

    def __init__(self, shrinkage: float = 0.05):
        self.shrinkage = shrinkage

    def session_map(self, X: np.ndarray, key: tuple = ()) -> np.ndarray:
        """``R^{-1/2}`` of one session's windows ``X`` (n, n_chans, n_times), shape (n_chans, n_chans)."""
        from pyriemann.utils.base import invsqrtm

        n_chans, n_times = X.shape[1:]
        windows = X.astype(np.float64)
        mean_cov = np.einsum("nct,ndt->cd", windows, windows) / (len(X) * n_times)
        load = np.trace(mean_cov) / n_chans or 1.0
        mean_cov = (1 - self.shrinkage) * mean_cov + self.shrinkage * load * np.eye(n_chans)
        return invsqrtm(mean_cov)

    def apply_map(self, X: np.ndarray, whitening: np.ndarray) -> np.ndarray:
        """``whitening @ x`` for every window ``x`` of ``X`` (n, n_chans, n_times), float32."""
        return whitening @ X.astype(np.float64)  # matmul broadcasts over windows with BLAS (einsum does not)
