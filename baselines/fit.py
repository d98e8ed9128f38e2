"""Fit a scikit-learn estimator per fold, like cyborg.training.fit does with Lightning models."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from cyborg.evaluation.splits import Fold
from cyborg.preprocessing import Pipeline
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder, Member
from cyborg.training.fit import fit_folds, training_view


def fit_estimators(decoder: Decoder, trials: Trials, folds: list[Fold], run_dir: Path, prefix: str = "",
                   *, steps: Any, make_estimator: Callable[[], Any], others: Trials | None = None):
    """One fitted ``make_estimator()`` per fold on the fold's preprocessed, centre-cropped windows.

    ``others`` (the other subjects' trials) is accepted for the fitter interface and not used.
    """

    def fit_one(train: Trials, val: Trials, name: str) -> Member:
        pipeline = Pipeline.from_config(copy.deepcopy(steps))
        prepared = training_view(decoder, pipeline.fit_transform(train))
        member = Member(pipeline=pipeline, name=name)
        X = decoder.model_input(Member(pipeline=Pipeline()), prepared)
        y = prepared.y if decoder.class_names is not None else prepared.y.reshape(len(prepared), -1)
        with threadpool_limits(1, user_api="blas"):  # see benchmarks/README.md: 100x faster here
            member.estimator = make_estimator().fit(X, y)
        return member

    return fit_folds(decoder, trials, folds, prefix, fit_one)
