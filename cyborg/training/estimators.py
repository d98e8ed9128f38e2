"""Fit scikit-learn estimators per fold, as :mod:`cyborg.training.fit` does with Lightning models.

The classical decoders (:mod:`cyborg.classical`) and the baselines are fitted
here: one estimator per fold on the fold's preprocessed, centre-cropped
windows, saved in the same :class:`~cyborg.training.decoder.Decoder` artifact.
Anything an estimator chooses (a ridge penalty, an LDA shrinkage) it chooses
by its own cross-validation on the training fold.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from cyborg.evaluation.splits import Fold
from cyborg.preprocessing import Pipeline
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder, Member
from cyborg.training.fit import fit_folds, training_view
from cyborg.training.progress import RUN

#: What metrics.json records as the selection rule of an estimator fit.
ESTIMATOR_SELECTION = {
    "rule": "estimator",
    "description": "fixed pipeline; any hyper-parameter (ridge penalty, LDA shrinkage, C) is chosen by the "
                   "estimator's own cross-validation inside the training fold; the scored fold is never seen",
}


def estimator_data(decoder: Decoder, prepared: Trials) -> tuple[np.ndarray, np.ndarray]:
    """Centre-cropped windows and targets (classes, or kinematics flattened) of preprocessed trials.

    Returns
    -------
    X : np.ndarray, shape (n_trials, n_chans, decoder.n_times)
    y : np.ndarray, shape (n_trials,) or (n_trials, n_steps * n_axes)
    """
    X = decoder.model_input(Member(pipeline=Pipeline()), prepared)
    y = prepared.y if decoder.class_names is not None else prepared.y.reshape(len(prepared), -1)
    return X, y


def fit_estimator_member(decoder: Decoder, steps: Any, train: Trials, make_estimator: Callable[..., Any],
                         name: str) -> Member:
    """One member: the steps fitted on ``train``, then ``make_estimator(sfreq=...)`` fitted on its windows.

    Parameters
    ----------
    decoder : Decoder
        The spec (window length, classes or target shape, side transform).
    steps : list
        Preprocessing steps (Hydra configs with ``_target_`` or Step objects).
    train : Trials
        Training trials.
    make_estimator : callable
        ``make_estimator(sfreq=<Hz of the model input>)`` -> an unfitted estimator.
    name : str
        Member name.
    """
    started = time.perf_counter()
    pipeline = Pipeline.from_config(copy.deepcopy(steps))
    X, y = estimator_data(decoder, training_view(decoder, pipeline.fit_transform(train)))
    with threadpool_limits(1):  # BLAS and OpenMP pools fight over 2 cores (benchmarks/README.md: 100x)
        estimator = make_estimator(sfreq=float(decoder.model_kwargs["sfreq"])).fit(X, y)
    RUN.finish(name, getattr(make_estimator, "name", "estimator"), None, time.perf_counter() - started)
    return Member(pipeline=pipeline, estimator=estimator, name=name)


def fit_estimators(decoder: Decoder, trials: Trials, folds: list[Fold], run_dir: Path, prefix: str = "",
                   *, steps: Any, make_estimator: Callable[..., Any], others: Trials | None = None):
    """One fitted estimator per fold (see :func:`fit_estimator_member` and :func:`~cyborg.training.fit.fit_folds`).

    ``others`` (the other subjects' trials) is accepted for the fitter interface and not used.
    """
    return fit_folds(decoder, trials, folds, prefix,
                     lambda train, val, name: fit_estimator_member(decoder, steps, train, make_estimator, name))


class ClassicalFactory:
    """``factory(sfreq=...)`` building the classical decoder ``name`` (picklable, unlike a lambda).

    Parameters
    ----------
    name : str
        A :mod:`cyborg.classical` decoder name.
    task : {"classification", "regression"}
        The target kind.
    params : dict
        The decoder's own hyper-parameters.
    """

    def __init__(self, name: str, task: str, params: dict | None = None):
        self.name, self.task, self.params = name, task, dict(params or {})

    def __call__(self, *, sfreq: float):
        from cyborg.classical import build_classical

        return build_classical(self.name, sfreq=sfreq, task=self.task, **self.params)
