"""``model=auto``: fit several decoder families per fold, blend the ones that win inside the training fold.

For every outer fold the training trials are split once more: the last
share of every session (:func:`cyborg.training.fit.inner_split`,
``inner_split="tail"``), a whole subject or session where the outer fold
holds out one (:func:`mirrored_inner_split`, ``inner_split="mirror"``), or
every such subject or session in turn (:func:`rotated_inner_splits`,
``inner_split="rotate"``; the held-out outputs are pooled).
Each candidate (networks from the model registry, classical decoders from
:mod:`cyborg.classical`) is fitted on the inner part and scored on the
held-out part; the blend is the best of: each candidate alone, and the
equal-weight mean of the best 2 ... ``max_blend`` candidates. The chosen
candidates are then refitted on the whole training fold and saved as one
:class:`~cyborg.training.decoder.Decoder` whose members are
:class:`~cyborg.training.decoder.Blend` objects. The fold being scored is
never seen by any of these choices.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cyborg.classical import is_classical
from cyborg.config import available_preprocessing, preprocessing_steps
from cyborg.errors import ConfigError
from cyborg.evaluation.splits import Fold
from cyborg.models.transforms import make_input_transform
from cyborg.preprocessing import Pipeline
from cyborg.trials import Trials
from cyborg.training.decoder import Blend, Decoder, Member
from cyborg.training.estimators import ClassicalFactory, fit_estimator_member
from cyborg.training.fit import TrainSettings, fit_folds, fit_member, inner_split, training_view
from cyborg.training.progress import RUN
from cyborg.validation import check_option, fail

log = logging.getLogger(__name__)

#: The shared model vocabulary every candidate is built with.
_VOCABULARY = ("n_chans", "n_times", "n_outputs", "sfreq")


@dataclass
class Candidate:
    """One decoder family ``model=auto`` may use.

    Parameters
    ----------
    name : str
        A registry model (trained with Lightning) or a classical decoder name.
    params : dict
        Its own hyper-parameters (``input_transform`` may name a transform).
    preprocessing : str | None
        A preprocessing config (``configs/preprocessing/<name>.yaml``) this
        candidate uses instead of the run's ``preprocessing``; it must keep the
        window's sampling rate and length. ``None`` uses the run's.
    """

    name: str
    params: dict = field(default_factory=dict)
    preprocessing: str | None = None

    @classmethod
    def parse(cls, entry: str | dict) -> "Candidate":
        """From a config entry: a name, or ``{name: ..., params: {...}, preprocessing: ...}``."""
        if isinstance(entry, str):
            return cls(entry)
        if not isinstance(entry, dict) or "name" not in entry or set(entry) - {"name", "params", "preprocessing"}:
            fail("config", "model.params.candidates", "a name or a mapping with 'name' (and 'params', "
                 "'preprocessing')", entry, ConfigError)
        preprocessing = entry.get("preprocessing")
        if preprocessing is not None:
            check_option(str(preprocessing), available_preprocessing(),
                         f"model.params.candidates: {entry['name']}: preprocessing", error=ConfigError)
        return cls(str(entry["name"]), dict(entry.get("params") or {}),
                   None if preprocessing is None else str(preprocessing))

    @property
    def label(self) -> str:
        """How logs, ``auto_choices`` and ``metrics.json`` name it: the name, with its own preprocessing."""
        return self.name if self.preprocessing is None else f"{self.name} preprocessing={self.preprocessing}"

    def steps(self, shared: Any) -> Any:
        """Its preprocessing steps: its own config's, else ``shared`` (the run's)."""
        return shared if self.preprocessing is None else preprocessing_steps(self.preprocessing)


def candidate_template(template: Decoder, candidate: Candidate, ch_names: list[str]) -> Decoder:
    """The decoder spec of ``candidate`` for the window ``template`` (the auto decoder's spec) describes."""
    params = dict(candidate.params)
    if isinstance(params.get("input_transform"), str):
        params["input_transform"] = make_input_transform(params["input_transform"], ch_names)
    kwargs = {k: template.model_kwargs[k] for k in _VOCABULARY}
    return replace(template, model_name=candidate.name, model_kwargs={**kwargs, **params}, side_transform=None,
                   members=[])


def inner_score(output: np.ndarray, y: np.ndarray, classification: bool) -> float:
    """Higher is better: accuracy (ties broken by log-likelihood), or minus the pooled RMSE.

    Parameters
    ----------
    output : np.ndarray
        Class probabilities (n, n_classes) or kinematics (n, n_steps, n_axes).
    y : np.ndarray
        Class indices (n,) or kinematics (n, n_steps, n_axes).
    """
    if classification:
        likelihood = np.log(np.clip(output[np.arange(len(y)), y], 1e-6, 1.0)).mean()
        return float((output.argmax(-1) == y).mean() + 1e-3 * likelihood)
    return -float(np.sqrt(np.mean((output - y) ** 2)))


def choose_blend(scores: list[float], outputs: list[np.ndarray], y: np.ndarray, classification: bool,
                 max_blend: int) -> tuple[list[int], float]:
    """Pick the candidates to blend (equal weights) from their held-out outputs.

    Parameters
    ----------
    scores : list of float
        Each candidate's :func:`inner_score` on the held-out trials.
    outputs : list of np.ndarray
        Each candidate's output on those trials.
    y : np.ndarray
        Their targets.
    max_blend : int
        Largest number of candidates averaged.

    Returns
    -------
    chosen : list of int
        Candidate indices, best first.
    score : float
        The held-out score of their mean.
    """
    order = list(np.argsort(scores)[::-1])
    best, best_score = [order[0]], scores[order[0]]
    for k in range(2, min(max_blend, len(order)) + 1):
        score = inner_score(np.mean([outputs[i] for i in order[:k]], axis=0), y, classification)
        if score > best_score:
            best, best_score = order[:k], score
    return [int(i) for i in best], float(best_score)


#: How ``model=auto`` holds trials out of a training fold to choose its blend (``model.params.inner_split``).
INNER_SPLITS = ("tail", "mirror", "rotate")


def mirrored_inner_split(train: pd.DataFrame, val: pd.DataFrame, fraction: float
                         ) -> tuple[np.ndarray, np.ndarray, str]:
    """An inner split of a training fold shaped like the outer split that made it.

    A choice between candidates that differ in how they carry over between
    sessions or subjects (Euclidean alignment, session scaling) is only seen
    by an inner split that also crosses sessions or subjects; the end of
    each session (:func:`~cyborg.training.fit.inner_split`) favours whatever
    fits within a session.

    - The validation fold shares no subject with the training fold, and the
      training fold holds several: the training fold's last subject is held out.
    - Else the validation fold shares no (subject, session) with the training
      fold, and every training subject has several sessions: each subject's
      last session (in row order) is held out.
    - Else the last ``fraction`` of every session, as ``"tail"`` does.

    Parameters
    ----------
    train, val : pandas.DataFrame
        Metadata of the outer fold's training and validation trials.
    fraction : float
        Share of each session held out by the fallback.

    Returns
    -------
    fit_rows, check_rows : np.ndarray of int
        Row positions of ``train`` to fit the candidates on and to score them on.
    held_out : {"subject", "session", "tail"}
        What the check rows are.
    """
    rows = np.arange(len(train))
    if "subject" in train and "subject" in val:
        subjects = pd.unique(train["subject"])
        if len(subjects) > 1 and not set(val["subject"]) & set(subjects):
            check = np.flatnonzero(train["subject"].to_numpy() == subjects[-1])
            return np.setdiff1d(rows, check), check, "subject"
    if "session" in train and "session" in val:
        keys = [column for column in ("subject", "session") if column in train]
        if not set(val[keys].itertuples(index=False)) & set(train[keys].itertuples(index=False)):
            groups = train.groupby(keys[:-1], sort=False).indices.values() if len(keys) > 1 else [rows]
            sessions = train["session"].to_numpy()
            last = [group[sessions[group] == pd.unique(sessions[group])[-1]] for group in groups]
            if all(len(group) > len(held) for group, held in zip(groups, last)):
                check = np.sort(np.concatenate(last))
                return np.setdiff1d(rows, check), check, "session"
    return (*inner_split(train, fraction), "tail")


def rotated_inner_splits(train: pd.DataFrame, val: pd.DataFrame, fraction: float
                         ) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """Every inner split of a training fold shaped like the outer split: each group held out in turn.

    Where :func:`mirrored_inner_split` holds out the training fold's last
    subject (or each subject's last session), this holds out each training
    subject in turn (or each subject's first session, then its second, ...),
    so the choice sees every trial of the training fold once and rests on
    more held-out trials than one group holds.

    Parameters
    ----------
    train, val : pandas.DataFrame
        Metadata of the outer fold's training and validation trials.
    fraction : float
        Share of each session held out by the ``"tail"`` fallback.

    Returns
    -------
    splits : list of (fit_rows, check_rows)
        Row positions of ``train``; the check rows of the splits do not overlap.
    held_out : {"subject", "session", "tail"}
        What each split's check rows are (``"tail"``: one split, as :func:`mirrored_inner_split` falls back).
    """
    rows = np.arange(len(train))
    fit_rows, check_rows, held_out = mirrored_inner_split(train, val, fraction)
    if held_out == "subject":
        subjects = train["subject"].to_numpy()
        checks = [np.flatnonzero(subjects == subject) for subject in pd.unique(subjects)]
    elif held_out == "session":
        keys = [column for column in ("subject", "session") if column in train]
        groups = train.groupby(keys[:-1], sort=False).indices.values() if len(keys) > 1 else [rows]
        sessions = train["session"].to_numpy()
        ordered = [[group[sessions[group] == session] for session in pd.unique(sessions[group])] for group in groups]
        checks = [np.sort(np.concatenate([group[k] for group in ordered if k < len(group)]))
                  for k in range(max(map(len, ordered)))]
    else:
        return [(fit_rows, check_rows)], held_out
    return [(np.setdiff1d(rows, check), check) for check in checks], held_out


def held_out_splits(kind: str, train: pd.DataFrame, val: pd.DataFrame, fraction: float
                    ) -> tuple[list[tuple[np.ndarray, np.ndarray]], str]:
    """The inner splits ``kind`` (:data:`INNER_SPLITS`) of a training fold: ``(splits, held_out)``.

    ``splits`` is a list of ``(fit_rows, check_rows)`` row positions of ``train``.

    ``"tail"`` is :func:`~cyborg.training.fit.inner_split` (``held_out`` is
    ``"tail"``); ``"mirror"`` is :func:`mirrored_inner_split`; ``"rotate"`` is
    :func:`rotated_inner_splits`. All but ``"rotate"`` give one split.
    """
    if kind == "rotate":
        return rotated_inner_splits(train, val, fraction)
    fit_rows, check_rows, held_out = (mirrored_inner_split(train, val, fraction) if kind == "mirror" else
                                      (*inner_split(train, fraction), "tail"))
    return [(fit_rows, check_rows)], held_out


def fit_auto(decoder: Decoder, trials: Trials, folds: list[Fold], run_dir: Path, prefix: str = "", *,
             steps: Any, settings: TrainSettings, candidates: list[str | dict], inner_fraction: float = 0.2,
             max_blend: int = 3, inner_split: str = "tail", others: Trials | None = None) -> tuple[Decoder, Any]:
    """Fitter for ``model=auto`` (the :data:`cyborg.experiment.Fitter` interface).

    Parameters
    ----------
    decoder : Decoder
        The auto decoder's spec (its window geometry and targets).
    trials, folds, run_dir, prefix
        As for :func:`cyborg.training.fit.fit_ensemble`.
    steps : list
        Preprocessing shared by every candidate.
    settings : TrainSettings
        Training settings of the network candidates (they keep their last epoch).
    candidates : list of str or dict
        Names (or ``{name, params, preprocessing}``, see :class:`Candidate`) of
        networks and classical decoders.
    inner_fraction : float
        Share of each training session held out to choose the blend (``inner_split="tail"``).
    max_blend : int
        Largest number of candidates averaged.
    inner_split : {"tail", "mirror", "rotate"}
        ``"tail"`` holds out the last ``inner_fraction`` of every training
        session; ``"mirror"`` holds out what the outer split holds out, a whole
        subject or session where it does (:func:`mirrored_inner_split`);
        ``"rotate"`` holds out each such subject or session in turn and
        scores the candidates on their pooled held-out outputs
        (:func:`rotated_inner_splits`: more fits; below ``"mirror"`` on all five
        trick presets, README Results).
    others : Trials | None
        Not used (kept for the fitter interface).

    Returns
    -------
    decoder, oof
        See :func:`cyborg.training.fit.fit_folds`; every member holds a
        :class:`~cyborg.training.decoder.Blend`. Each fold's inner scores and
        blend are written to ``run_dir/auto_choices/<group>_choices.json``.

    Notes
    -----
    A candidate whose fit on the inner trials raises ``LinAlgError`` (xDAWN's
    signal covariance on a few short trials) is left out of that fold's
    choice, and recorded under ``not_fitted``; when no candidate fits a
    mirrored or rotated split, the fold chooses on the ``tail`` split instead.
    """
    parsed = [Candidate.parse(entry) for entry in candidates]
    if not parsed:
        fail("config", "model.params.candidates", "at least one candidate", "none", ConfigError)
    check_option(inner_split, INNER_SPLITS, "model.params.inner_split", error=ConfigError)
    classification = decoder.class_names is not None
    network_settings = replace(settings, selection="last", early_stopping_patience=None)
    choices: list[dict] = []

    candidate_steps = [candidate.steps(steps) for candidate in parsed]     # read once, used in every fold

    def fit_candidate(i: int, train: Trials, name: str) -> Decoder:
        candidate = parsed[i]
        spec = candidate_template(decoder, candidate, trials.ch_names)
        if is_classical(candidate.name):
            task = "classification" if classification else "regression"
            member = fit_estimator_member(decoder, candidate_steps[i], train,
                                          ClassicalFactory(candidate.name, task, candidate.params), name)
        else:
            member = fit_member(spec, candidate_steps[i], train, None, network_settings, Path(run_dir), name)
        return replace(spec, members=[member])

    def score_candidates(train: Trials, splits: list[tuple[np.ndarray, np.ndarray]], name: str) -> dict:
        """Every candidate fitted on each split's fit rows, scored on its check rows pooled over the splits.

        A candidate that cannot fit one split's inner trials is left out.
        """
        y = np.concatenate([train.y[check_rows] for _, check_rows in splits])
        scored = {"ids": [], "outputs": [], "scores": [], "failed": {}, "y": y}
        for i, candidate in enumerate(parsed):
            outputs = []
            for k, (fit_rows, check_rows) in enumerate(splits):
                inner_name = f"{name}_inner_{i}_{candidate.name}" + (f"_{k + 1}" if len(splits) > 1 else "")
                try:
                    fitted = fit_candidate(i, train.subset(fit_rows), inner_name)
                except np.linalg.LinAlgError as error:      # e.g. xDAWN's signal covariance on a few short trials
                    log.warning("%s: %s left out, it could not be fitted on the %d inner trials: %s",
                                name, candidate.label, len(fit_rows), error)
                    scored["failed"][candidate.label] = str(error)
                    RUN.plan_more(RUN.split_name(name)[0], k - len(splits))  # its fits on splits k.. will not run
                    break
                outputs.append(fitted.predict_output(train.subset(check_rows)))
            else:
                scored["ids"].append(i)
                scored["outputs"].append(np.concatenate(outputs))
                scored["scores"].append(inner_score(scored["outputs"][-1], y, classification))
        return scored

    def fit_one(train: Trials, val: Trials, name: str) -> Member:
        train = training_view(decoder, train)      # the candidates have no side transform of their own
        splits, held_out = held_out_splits(inner_split, train.metadata, val.metadata, inner_fraction)
        RUN.plan_more(RUN.split_name(name)[0], len(parsed) * (len(splits) - 1))  # the plan counted one inner split
        scored = score_candidates(train, splits, name)
        if not scored["ids"] and held_out != "tail":      # a held-out session can leave too few trials to fit
            log.warning("%s: no candidate fitted on %s trials; choosing on the end of each session instead",
                        name, " / ".join(str(len(fit_rows)) for fit_rows, _ in splits))
            splits, held_out = held_out_splits("tail", train.metadata, val.metadata, inner_fraction)
            RUN.plan_more(RUN.split_name(name)[0], len(parsed))
            scored = score_candidates(train, splits, name)
        if not scored["ids"]:
            fail(f"model=auto, fold {name}", "model.params.candidates",
                 f"a candidate that fits on the {len(splits[0][0])} inner trials", scored["failed"], ConfigError)
        ranked, score = choose_blend(scored["scores"], scored["outputs"], scored["y"], classification, max_blend)
        chosen = [scored["ids"][j] for j in ranked]
        labels = [parsed[i].label for i in chosen]
        inner_scores = {parsed[i].label: s for i, s in zip(scored["ids"], scored["scores"])}
        log.info("%s: inner scores %s -> blend %s (%.4f)", name,
                 {label: round(s, 4) for label, s in inner_scores.items()}, labels, score)
        choices.append({"fold": name, "inner_split": held_out, "inner_folds": len(splits), "inner_scores": inner_scores,
                        "not_fitted": scored["failed"], "blend": labels, "blend_score": score})
        RUN.plan_more(RUN.split_name(name)[0], len(chosen) - 1)     # the plan counted one refit per fold
        parts = [fit_candidate(i, train, f"{name}_{i}_{parsed[i].name}") for i in chosen]
        return Member(pipeline=Pipeline(), estimator=Blend(parts, [1.0 / len(parts)] * len(parts)), name=name)

    fitted, oof = fit_folds(decoder, trials, folds, prefix, fit_one)
    record = Path(run_dir) / "auto_choices" / f"{prefix or 'all_'}choices.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(json.dumps(choices, indent=2))
    return fitted, oof


def auto_selection(inner_fraction: float, max_blend: int, candidates: list, inner_split: str = "tail") -> dict:
    """What metrics.json records as the selection rule of ``model=auto``."""
    tail = f"the last {inner_fraction:.0%} of each session"
    held_out = {"tail": tail,
                "mirror": "the training fold's last subject (or each subject's last session) when the scored fold is "
                          f"a subject (or a session) the training fold lacks, else {tail}",
                "rotate": "each training subject (or each subject's first, second, ... session) in turn, outputs "
                          "pooled, when the scored fold is a subject (or a session) the training fold lacks, else "
                          f"{tail}"}[inner_split]
    return {"rule": "auto",
            "description": f"candidates fitted on the training fold less {held_out}, scored there; the best single "
                           f"candidate or equal-weight mean of the best 2..{max_blend} is refitted on the whole "
                           "training fold; the scored fold is never seen",
            "inner_split": inner_split,
            "candidates": [Candidate.parse(c).label for c in candidates]}
