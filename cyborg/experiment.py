"""One experiment: load a task, fit per-group fold ensembles, report, write the submission.

``train.py`` is a thin Hydra wrapper around :func:`run_experiment`; the same
function runs from Python with a plain config mapping.
"""

from __future__ import annotations

import json
import logging
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cyborg.evaluation import reports
from cyborg.evaluation.splits import iter_groups, make_folds, manifest, refit_fold
from cyborg.tasks.base import Task, TaskData
from cyborg.training.decoder import Decoder
from cyborg.trials import Trials

log = logging.getLogger(__name__)


@dataclass
class ExperimentResult:
    """What a run produced.

    Parameters
    ----------
    run_dir : Path
        The run folder.
    per_group : pandas.DataFrame
        One row per subject group: validation metric, chance metric, trial counts.
    overall : dict
        Pooled out-of-fold metric and chance metric.
    submission : Path | None
        The submission file, when the task has one.
    decoders : dict of str to Decoder
        Fitted decoders by group.
    """

    run_dir: Path
    per_group: pd.DataFrame
    overall: dict[str, Any]
    submission: Path | None
    decoders: dict[str, Decoder]


#: What metrics.json records under ``selection.refit`` when ``split.refit`` is on.
REFIT_RULE = ("after the folds, the same fit (every choice inside it included) is made once more on all of the "
              "group's trials; that decoder is saved and writes the submission, the reported scores are the folds' "
              "out-of-fold ones")

#: fitter(decoder_template, trials, folds, run_dir, prefix, steps=..., others=...) -> (fitted decoder,
#: out-of-fold table); ``steps`` are the preprocessing steps, ``others`` the other groups' trials
#: (for cross-subject pre-training) or None
Fitter = Callable[[Decoder, Trials, list, Path, str], tuple[Decoder, pd.DataFrame]]


def run_experiment(task: Task, data: TaskData, *, model_name: str, model_params: dict,
                   steps: list, fitter: Fitter, split: dict, run_dir: Path,
                   write_submission: bool = True, selection: dict | None = None,
                   provenance: dict | None = None) -> ExperimentResult:
    """Fit, validate and (optionally) write the test-set submission.

    Parameters
    ----------
    task : Task
        The task (scoring, decoder spec, submission format).
    data : TaskData
        Its loaded trials.
    model_name, model_params : str, dict
        Model name and hyper-parameters recorded in the decoder spec.
    steps : list
        Preprocessing steps (Hydra configs with ``_target_`` or Step objects),
        fitted per fold; the model is built for the window they produce.
    fitter : callable
        Fits one member per fold, e.g. :func:`cyborg.training.fit.fit_ensemble`
        with its settings bound, or a scikit-learn baseline fitter.
    split : dict
        ``protocol`` (see :data:`cyborg.evaluation.splits.PROTOCOLS`),
        ``per_subject`` (fit one ensemble per subject), protocol arguments
        under ``args``, and ``refit``: after the folds, fit the same way once
        more on all of the group's trials (:func:`~cyborg.evaluation.splits.refit_fold`);
        that decoder, not the fold members, is saved and writes the
        submission. The reported scores stay the folds' out-of-fold ones.
    run_dir : Path
        Output folder.
    write_submission : bool
        Write the test-set submission when the task has a format.
    selection : dict | None
        How the fitter chose anything from data (epochs, hyper-parameters,
        models), recorded in ``metrics.json``; none of it sees the scored folds.
    provenance : dict | None
        ``seed`` and ``overrides`` (the command line) of the run, recorded in
        ``metrics.json`` and ``report.md`` with the git commit and package
        versions (see :func:`cyborg.evaluation.reports.provenance`).
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    trials = data.train
    refit = bool(split.get("refit", False))
    if refit:
        selection = {**(selection or {}), "refit": REFIT_RULE}
    group_column = task.subject_column if split.get("per_subject") else None
    decoders: dict[str, Decoder] = {}
    rows, oof_parts, manifests = [], [], []
    started = time.perf_counter()
    for group, positions in iter_groups(trials.metadata, group_column):
        part = trials.subset(positions)
        folds = make_folds(split["protocol"], part.metadata, **task.split_arguments(split))
        manifests.append(manifest(folds, part.metadata).assign(group=group))
        template = task.decoder_template(part, model_name, model_params, steps)
        others = None if group_column is None else trials.subset(np.setdiff1d(np.arange(len(trials)), positions))
        decoder, oof = fitter(template, part, folds, run_dir, f"{group}_", steps=steps, others=others)
        if refit:   # the folds scored the procedure; the same procedure on every trial is what gets saved
            decoder, _ = fitter(template, part, [refit_fold(len(part))], run_dir, f"{group}_refit_", steps=steps,
                                others=others)
        decoders[group] = decoder
        decoder.save(run_dir / "decoders" / f"{group}.pt")
        oof["group"] = group
        oof_parts.append(oof)
        y_true, y_pred = _stack(oof["true"]), _stack(oof["pred"])
        chance = _chance(task, part, folds)
        score = task.score(y_true, y_pred)
        rows.append({"group": group, "n_train": len(part), "n_val": len(oof), "n_folds": len(folds),
                     **{f"val_{k}": v for k, v in score.items()},
                     **{f"chance_{k}": v for k, v in chance.items()}})
        log.info("%s: %s", group, ", ".join(f"{k}={v:.4f}" for k, v in score.items()))
    oof_all = pd.concat(oof_parts, ignore_index=True)
    per_group = pd.DataFrame(rows)
    overall = {f"val_{k}": v for k, v in task.score(_stack(oof_all["true"]), _stack(oof_all["pred"])).items()}
    for column in per_group:
        if column.startswith("chance_"):
            overall[column] = float(np.average(per_group[column], weights=per_group["n_val"]))
    overall["fit_seconds"] = round(time.perf_counter() - started, 1)
    overall["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    per_group.to_csv(run_dir / "per_subject.csv", index=False)
    breakdown = _breakdown(task, oof_all)
    if breakdown is not None:
        breakdown.to_csv(run_dir / "breakdown.csv", index=False)
    pd.concat(manifests, ignore_index=True).to_csv(run_dir / "split_manifest.csv", index=False)
    _save_oof(oof_all, run_dir / "oof_predictions.csv", trials.class_names)
    metrics = {"task": task.name, "model": model_name, "run": reports.provenance(**(provenance or {})),
               "input": {"ch_names": list(trials.ch_names), "sfreq": float(trials.sfreq),
                         "n_times": trials.n_times - 2 * int(trials.info.get("margin", 0))},
               "overall": overall, "selection": selection or {}, "per_subject": per_group.to_dict(orient="records")}
    write_report(metrics, oof_all, run_dir, class_names=trials.class_names,
                 target_sfreq=trials.target_sfreq or 60.0, target_names=trials.target_names,
                 subject_column=task.subject_column)
    submission = None
    if write_submission and data.test is not None:
        suffix = ".csv" if trials.is_classification else ".json"
        submission = task.write_submission(decoders, data.test, run_dir / f"submission{suffix}")
    return ExperimentResult(run_dir, per_group, overall, submission, decoders)


def write_report(metrics: dict[str, Any], oof: pd.DataFrame, run_dir: Path, *,
                 class_names: tuple[str, ...] | None, target_sfreq: float,
                 target_names: tuple[str, ...] | None = None, subject_column: str = "subject") -> Path:
    """Figures, ``metrics.json`` and ``report.md`` in the run folder.

    Parameters
    ----------
    metrics : dict
        The run record so far (``task``, ``model``, ``run``, ``overall``,
        ``selection``, ``per_subject``); ``classification`` (per-class
        metrics) and ``figures`` are added to it.
    oof : pandas.DataFrame
        Out-of-fold table: validation metadata, ``group``, ``fold``, ``true``, ``pred``.
    run_dir : Path
        The run folder (members' CSV logs under ``logs/``).
    class_names : tuple of str | None
        Class names for classification, ``None`` for regression.
    target_sfreq : float
        Rate of the kinematic steps in Hz.
    target_names : tuple of str | None
        Kinematic axis names (``axis0``, ... when ``None``).
    subject_column : str
        Metadata column naming the subject (one confusion panel each); the
        fitted group when absent.

    Returns
    -------
    path : Path
        ``metrics.json``.
    """
    y_true, y_pred = _stack(oof["true"]), _stack(oof["pred"])
    subjects = (oof[subject_column] if subject_column in oof else oof["group"]).astype(str).to_numpy()
    if class_names is not None:
        metrics["classification"] = reports.classification_metrics(y_true, y_pred, class_names, subjects)
        figures = [reports.confusion_matrices_png(y_true, y_pred, subjects, class_names, run_dir / "confusion.png")]
    else:
        axes = target_names or tuple(f"axis{i}" for i in range(y_true.shape[-1]))
        figures = [reports.velocity_traces_png(y_true, y_pred, oof.assign(subject=subjects), run_dir / "traces.png",
                                               sfreq=target_sfreq, axes=axes)]
    inner = metrics["selection"].get("rule") == "inner"
    curves = reports.learning_curves_png(run_dir / "logs", run_dir / "learning_curves.png",
                                         [str(row["group"]) for row in metrics["per_subject"]],
                                         "inner split of the training fold" if inner else "scored fold, logged only")
    figures += [curves] if curves else []
    metrics["figures"] = [figure.name for figure in figures]
    return reports.write_metrics(metrics, run_dir)


def _breakdown(task: Task, oof: pd.DataFrame) -> pd.DataFrame | None:
    """The validation metric per combination of the task's breakdown columns."""
    columns = [c for c in getattr(task, "breakdown", ()) if c in oof]
    if not columns:
        return None
    rows = [{**dict(zip(columns, key if isinstance(key, tuple) else (key,))), "n_val": len(part),
             **task.score(_stack(part["true"]), _stack(part["pred"]))}
            for key, part in oof.groupby(columns, sort=True)]
    return pd.DataFrame(rows)


def _stack(values: pd.Series) -> np.ndarray:
    first = values.iloc[0]
    return np.stack(values.to_list()) if isinstance(first, np.ndarray) else values.to_numpy()


def _chance(task: Task, trials, folds) -> dict[str, float]:
    """Plain-alternative metric pooled over the folds' validation trials."""
    scores, weights = [], []
    for fold in folds:
        scores.append(task.chance(trials.y[fold.train], trials.y[fold.val]))
        weights.append(len(fold.val))
    return {k: float(np.average([s[k] for s in scores], weights=weights)) for k in scores[0]}


def _save_oof(oof: pd.DataFrame, path: Path, class_names: tuple[str, ...] | None = None) -> None:
    """The out-of-fold table as CSV; arrays as JSON lists, class names as ``true_name``/``pred_name``."""
    table = oof.copy()
    if class_names is not None:
        names = np.asarray(class_names, dtype=object)
        table["true_name"], table["pred_name"] = names[table["true"].to_numpy()], names[table["pred"].to_numpy()]
    for column in ("pred", "true"):
        if isinstance(table[column].iloc[0], np.ndarray):
            table[column] = [json.dumps(np.round(np.asarray(v, dtype=float), 4).tolist()) for v in table[column]]
    table.to_csv(path, index=False)
