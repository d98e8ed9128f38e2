"""A fitted classical pipeline, run on a few windows with numpy alone: the live path of the classical decoders.

scikit-learn and pyRiemann validate, copy and dispatch on every call; for one
0.5 s window of 72 channels that costs about 5 ms per fold member of
``xdawn_tangent_lda`` (benchmarks/README.md), more than the arithmetic. Live
decoding calls the decoder every 20 ms, so :func:`compile_pipeline` reads the
fitted parameters of each step once and returns a :class:`CompiledPipeline`
that applies them to windows directly:

- :class:`~cyborg.classical.inputs.WindowsInput`, :class:`~cyborg.classical.eeg_features.ChannelScale`;
- :class:`~cyborg.classical.eeg_features.Detrend`,
  :class:`~cyborg.classical.eeg_features.LowPassProjection` and
  :class:`~cyborg.classical.eeg_features.BandPassProjection`, which are linear in
  time: each becomes one (n_times, n_out) matrix, read from the step's own
  ``transform`` of unit impulses (a detrend, the identity less a line, is
  applied in that low-rank form);
- pyRiemann's ``Covariances`` and ``XdawnCovariances`` with the OAS estimator
  (the shrinkage formula of :func:`sklearn.covariance.oas`, batched);
- pyRiemann's ``TangentSpace`` (Riemannian metric): the reference's inverse
  square root is computed once;
- MNE's CSP as :class:`~cyborg.classical.eeg_features.QuietCSP` (log of the
  filtered windows' mean power);
- scikit-learn's ``FeatureUnion``, ``Pipeline``, ``StandardScaler`` and
  ``LinearDiscriminantAnalysis`` (``predict_proba``);
- scikit-learn's ``StackingClassifier`` on ``predict_proba`` of such pipelines,
  with a ``LogisticRegression`` on top
  (:func:`~cyborg.classical.eeg.xdawn_csp_stack`).

Any other step makes :func:`compile_pipeline` return ``None`` (the decoder then
calls the pipeline itself). Outputs equal the pipeline's ``predict_proba`` to
floating-point rounding (tests/online/test_classical_path.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.ensemble import StackingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler

from cyborg.classical.eeg_features import BandPassProjection, ChannelScale, Detrend, LowPassProjection, QuietCSP
from cyborg.classical.inputs import WindowsInput, check_windows

if TYPE_CHECKING:
    from cyborg.training.decoder import Decoder

Transform = Callable[[np.ndarray], np.ndarray]


class CompiledPipeline:
    """A fitted pipeline's ``predict_proba`` as a chain of numpy functions.

    Parameters
    ----------
    transforms : list of callable
        The feature steps, each array -> array, in order.
    head : callable
        Features (n_windows, n_features) -> class probabilities (n_windows, n_classes).
    n_chans : int
        Channels the pipeline was fitted on.
    """

    def __init__(self, transforms: list[Transform], head: Transform, n_chans: int):
        self.transforms = transforms
        self.head = head
        self.n_chans = n_chans

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities of windows ``X`` (n_windows, n_chans, n_times), shape (n_windows, n_classes).

        Raises
        ------
        CyborgError
            ``X`` is not 3-D, has another channel count, or holds NaN/inf.
        """
        return self.head(self.features(X))

    def features(self, X: np.ndarray) -> np.ndarray:
        """What the head sees for windows ``X`` (n_windows, n_chans, n_times): shape (n_windows, n_features)."""
        out = check_windows(X, "classical decoder input", self.n_chans)
        for transform in self.transforms:
            out = transform(out)
        return out


def compile_pipeline(estimator: object) -> CompiledPipeline | None:
    """The numpy path of a fitted classifier pipeline, or ``None`` when one of its steps has none.

    Parameters
    ----------
    estimator : sklearn.pipeline.Pipeline | sklearn.ensemble.StackingClassifier
        Fitted; a pipeline whose first step is
        :class:`~cyborg.classical.inputs.WindowsInput` and last a
        ``LinearDiscriminantAnalysis``, or a stack of such pipelines on their
        ``predict_proba`` under a ``LogisticRegression``.

    Returns
    -------
    compiled : CompiledPipeline | None
    """
    if isinstance(estimator, StackingClassifier):
        return _compile_stack(estimator)
    if not isinstance(estimator, Pipeline) or not isinstance(estimator.steps[0][1], WindowsInput):
        return None
    *features, (_, head) = estimator.steps[1:]
    if not isinstance(head, LinearDiscriminantAnalysis):
        return None
    transforms = [_compile_step(step) for _, step in features]
    if any(transform is None for transform in transforms):
        return None
    return CompiledPipeline(transforms, _linear_proba(head), int(estimator.steps[0][1].n_chans_))


def _compile_stack(stack: StackingClassifier) -> CompiledPipeline | None:
    """A stack of compilable pipelines on ``predict_proba`` (no passthrough) under a logistic regression."""
    if stack.passthrough or not isinstance(stack.final_estimator_, LogisticRegression) \
            or any(method != "predict_proba" for method in stack.stack_method_):
        return None
    members = [compile_pipeline(estimator) for estimator in stack.estimators_]
    if any(member is None for member in members) or len({member.n_chans for member in members}) != 1:
        return None
    first = 1 if len(stack.classes_) == 2 else 0  # scikit-learn drops the first column of two classes

    def probabilities(X: np.ndarray) -> np.ndarray:
        return np.concatenate([member.predict_proba(X)[:, first:] for member in members], axis=1)
    return CompiledPipeline([probabilities], _linear_proba(stack.final_estimator_), members[0].n_chans)


def oas_covariances(X: np.ndarray) -> np.ndarray:
    """OAS-shrunk covariances of windows, as :func:`sklearn.covariance.oas` of each window.

    Parameters
    ----------
    X : np.ndarray, shape (n_windows, n_chans, n_times)

    Returns
    -------
    covariances : np.ndarray, shape (n_windows, n_chans, n_chans)
        In the square of ``X``'s unit.
    """
    n_chans, n_times = X.shape[1:]
    centred = X - X.mean(axis=-1, keepdims=True)
    emp = centred @ centred.transpose(0, 2, 1)
    emp /= n_times
    diagonal = np.arange(n_chans)
    alpha = np.einsum("nij,nij->n", emp, emp) / n_chans**2
    mu = emp[:, diagonal, diagonal].sum(axis=1) / n_chans
    num = alpha + mu**2
    den = (n_times + 1) * (alpha - mu**2 / n_chans)
    shrinkage = np.minimum(num / np.where(den == 0, 1.0, den), 1.0)
    shrinkage[den == 0] = 1.0
    emp *= (1.0 - shrinkage)[:, None, None]
    emp[:, diagonal, diagonal] += (shrinkage * mu)[:, None]
    return emp


def _compile_step(step: object) -> Transform | None:
    """The numpy function of one fitted feature step, ``None`` when it has none."""
    from pyriemann.estimation import Covariances, XdawnCovariances
    from pyriemann.tangentspace import TangentSpace

    if isinstance(step, Pipeline):
        parts = [_compile_step(inner) for _, inner in step.steps]
        return None if any(p is None for p in parts) else _chain(parts)
    if isinstance(step, FeatureUnion):
        if step.transformer_weights:
            return None
        parts = [_compile_step(inner) for _, inner in step.transformer_list]
        return None if any(p is None for p in parts) else (lambda X: np.concatenate([p(X) for p in parts], axis=1))
    if isinstance(step, ChannelScale):
        keep, scale = step.keep_, step.scale_[:, None]
        return lambda X: X[:, keep] / scale
    if isinstance(step, (Detrend, LowPassProjection, BandPassProjection)):
        return _time_operator(step)
    if type(step) is QuietCSP and step.transform_into == "average_power" and step.log in (None, True):
        filters = step.filters_[:step.n_components]
        return lambda X: np.log(((filters @ X) ** 2).mean(axis=2))
    if type(step) is Covariances and step.estimator == "oas":
        return oas_covariances
    if type(step) is XdawnCovariances and step.estimator == "oas" and step.applyfilters and not step.kwds:
        filters, prototypes = step.Xd_.filters_, step.P_
        return lambda X: oas_covariances(np.concatenate(
            [np.broadcast_to(prototypes, (len(X), *prototypes.shape)), filters @ X], axis=1))
    if type(step) is TangentSpace and step.metric in ("riemann", {"mean": "riemann", "map": "riemann"}) \
            and not step.tsupdate:
        return _tangent_space(step.reference_)
    if type(step) is StandardScaler:
        mean = step.mean_ if step.with_mean else 0.0
        scale = step.scale_ if step.with_std else 1.0
        return lambda X: (X - mean) / scale
    return None


def _chain(parts: list[Transform]) -> Transform:
    def run(X: np.ndarray) -> np.ndarray:
        for part in parts:
            X = part(X)
        return X
    return run


def _time_operator(step: Detrend | LowPassProjection | BandPassProjection) -> Transform:
    """A step that is linear along time, as one matrix: the step's output for each unit impulse."""
    n_times = getattr(step, "n_times_", None)
    if n_times is None:  # Detrend learns nothing; its matrix depends on the window length, made on first call
        cache: dict[int, Transform] = {}

        def run(X: np.ndarray) -> np.ndarray:
            n = X.shape[-1]
            if n not in cache:
                cache[n] = _apply_operator(step.transform(np.eye(n)[None])[0])
            return cache[n](X)
        return run
    return _apply_operator(step.transform(np.eye(n_times)[None])[0])


def _apply_operator(operator: np.ndarray) -> Transform:
    """``X @ operator``; a square operator that is the identity less a few directions (a detrend, which
    removes a line) is applied as ``X - (X @ U) @ V``, rank-r work instead of n_times² per channel."""
    n_in, n_out = operator.shape
    if n_in == n_out:
        u, s, vt = np.linalg.svd(np.eye(n_in) - operator)
        rank = int((s > 1e-9 * max(s[0], 1e-300)).sum())
        if rank < n_in // 4:
            left, right = u[:, :rank] * s[:rank], vt[:rank]
            return lambda X: X - (X @ left) @ right
    return lambda X: X @ operator


def _tangent_space(reference: np.ndarray) -> Transform:
    """pyRiemann's tangent space at ``reference``: upper(logm(R^-1/2 C R^-1/2)), off-diagonals times sqrt(2).

    ``R^-1/2`` is pyRiemann's, once; the per-window log is one ``eigh`` here
    (pyRiemann's ``logm`` recomputes the whitening and dispatches per call).
    """
    from pyriemann.utils.base import invsqrtm

    whitening = invsqrtm(reference)
    n = len(reference)
    rows, cols = np.triu_indices(n)
    upper = rows * n + cols
    weights = np.where(rows == cols, 1.0, np.sqrt(2.0))

    def run(C: np.ndarray) -> np.ndarray:
        values, vectors = np.linalg.eigh(whitening @ C @ whitening)
        log = (vectors * np.log(values)[:, None, :]) @ vectors.transpose(0, 2, 1)
        return log.reshape(len(C), n * n)[:, upper] * weights
    return run


def _linear_proba(head: LinearDiscriminantAnalysis | LogisticRegression) -> Transform:
    """scikit-learn's ``predict_proba`` of a fitted LDA or multinomial logistic regression: softmax of the
    decision function (or the logistic, for 2 classes)."""
    coef, intercept = head.coef_.T, head.intercept_

    def run(features: np.ndarray) -> np.ndarray:
        scores = features @ coef + intercept
        if scores.shape[1] == 1:
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.stack([1.0 - positive, positive], axis=1)
        scores = scores - scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)
    return run


def attach_live_paths(decoder: "Decoder", enable: bool = True) -> int:
    """Give every classical member of ``decoder`` (and of its blends' parts) its compiled path, or take it away.

    :meth:`~cyborg.training.decoder.Decoder.predict_output` then runs those
    members through :class:`CompiledPipeline` (kept in memory, never saved).

    Parameters
    ----------
    decoder : Decoder
        Fitted.
    enable : bool
        ``False`` removes the paths: every member calls its estimator again.

    Returns
    -------
    n_compiled : int
        Members that got a compiled path; the others keep calling their estimator.
    """
    from cyborg.training.decoder import Blend

    n_compiled = 0
    for member in decoder.members:
        if isinstance(member.estimator, Blend):
            n_compiled += sum(attach_live_paths(part, enable) for part in member.estimator.parts)
        elif not enable:
            member.__dict__.pop("_live_path_", None)
        elif member.estimator is not None and decoder.class_names is not None:
            member.__dict__["_live_path_"] = compile_pipeline(member.estimator)
            n_compiled += member.__dict__["_live_path_"] is not None
    return n_compiled
