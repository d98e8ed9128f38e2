"""Glue between Hydra configs and the library: what ``train.py`` runs."""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import replace
from functools import partial
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from cyborg.evaluation import reports
from cyborg.experiment import ExperimentResult, Fitter, run_experiment
from cyborg.training import progress
from cyborg.training.fit import TrainSettings, fit_ensemble

log = logging.getLogger("cyborg")

#: Tasks whose embedded default is the synthetic challenge data.
SYNTHETIC_TASKS = ("trick", "velocity")


def resolve_data_root(task_name: str, data_cfg: DictConfig) -> Path | None:
    """The data folder: ``data.root`` when given, else the synthetic data (generated once)."""
    from hydra.utils import to_absolute_path

    if data_cfg.get("root"):
        return Path(to_absolute_path(str(data_cfg.root)))
    if task_name not in SYNTHETIC_TASKS:
        return None
    from cyborg.simulate import ensure_synthetic

    synthetic = data_cfg.synthetic
    size = "full" if synthetic.full_size else "default"
    scenario = str(synthetic.get("scenario") or "default")
    name = f"{task_name}-{size}-seed{synthetic.seed}" if scenario == "default" else \
        f"{task_name}-{scenario}-{size}-seed{synthetic.seed}"
    root = Path(to_absolute_path(str(synthetic.dir))) / name
    return ensure_synthetic(task_name, root, seed=int(synthetic.seed), full_size=bool(synthetic.full_size),
                            scenario=scenario)


def settings_from_config(cfg: DictConfig) -> TrainSettings:
    """TrainSettings from the ``trainer`` group (its ``lightning`` part goes to lightning.Trainer)."""
    trainer = OmegaConf.to_container(cfg.trainer, resolve=True)
    lightning = trainer.pop("lightning", {}) or {}
    return TrainSettings(**trainer, seed=int(cfg.seed), trainer=lightning)


def train_from_config(cfg: DictConfig) -> float:
    """Run one experiment from a composed ``train.yaml`` config; returns the objective value."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.utils import instantiate

    # One run makes dozens of fits: Lightning announces devices and tips at INFO for each, warns about
    # empty validation loaders, and torch's deprecation of Lightning's LeafSpec use prints twice a fit.
    for name in ("lightning.pytorch", "lightning.fabric"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message=r".*LeafSpec.* is deprecated", category=FutureWarning)
    warnings.filterwarnings("ignore", message=r"Total length of .* across ranks is zero")
    task = instantiate(cfg.task)
    settings = settings_from_config(cfg)
    # Progress bars only on a terminal: piped to a file they take megabytes; the fits' lines replace them.
    settings = replace(settings, trainer={**settings.trainer, "enable_progress_bar": progress.show_bars(
        settings.trainer.get("enable_progress_bar", True))})
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    root = resolve_data_root(task.name, cfg.data)
    log.info("task %s, data %s, model %s, run folder %s", task.name, root, cfg.model.name, run_dir)
    data = task.load(root)
    log.info("%d training trials (%d ch x %d samples @ %g Hz), %d test trials", len(data.train),
             data.train.n_chans, data.train.n_times, data.train.sfreq,
             0 if data.test is None else len(data.test))
    model_params = OmegaConf.to_container(cfg.model.params, resolve=True) or {}
    fitter, selection, model_params = make_fitter(cfg.model.name, model_params, settings,
                                                  data.train.is_classification)
    split = OmegaConf.to_container(cfg.split, resolve=True)
    ensemble = isinstance(fitter, partial) and fitter.func is fit_ensemble  # else the fit count is unknown
    split = {**split, "args": task.split_arguments(split)}
    progress.RUN.start(progress.planned_fits(data.train.metadata, split, task.subject_column,
                                             settings.members_per_fold, settings.pretrain_epochs > 0)
                       if ensemble else None)
    result = run_experiment(
        task, data, model_name=cfg.model.name, model_params=model_params,
        steps=OmegaConf.to_container(cfg.preprocessing.steps, resolve=True), fitter=fitter,
        split=split, run_dir=run_dir, write_submission=bool(cfg.write_submission), selection=selection,
        provenance={"seed": int(cfg.seed), "overrides": list(HydraConfig.get().overrides.task)})
    report(result)
    if result.submission is not None and cfg.score_against_answer and data.truth is not None:
        score_on_answer(result.submission, data.truth, run_dir)
    return float(result.overall[cfg.objective])


def make_fitter(model_name: str, model_params: dict, settings: TrainSettings,
                classification: bool) -> tuple[Fitter, dict, dict]:
    """The fitter of ``model=<model_name>``, its selection rule and the params the decoder spec keeps.

    A registry network trains with Lightning (:func:`~cyborg.training.fit.fit_ensemble`); a
    classical decoder (:mod:`cyborg.classical`) fits one estimator per fold; ``auto`` blends
    candidates chosen inside each training fold (:func:`~cyborg.training.auto.fit_auto`).
    """
    from cyborg.classical import is_classical
    from cyborg.training.auto import auto_selection, fit_auto
    from cyborg.training.estimators import ESTIMATOR_SELECTION, ClassicalFactory, fit_estimators

    if model_name == "auto":
        options = {"candidates": model_params.get("candidates") or [],
                   "inner_fraction": float(model_params.get("inner_fraction", 0.2)),
                   "max_blend": int(model_params.get("max_blend", 3))}
        return (partial(fit_auto, settings=settings, **options),
                auto_selection(options["inner_fraction"], options["max_blend"], options["candidates"]), {})
    if is_classical(model_name):
        factory = ClassicalFactory(model_name, "classification" if classification else "regression", model_params)
        return partial(fit_estimators, make_estimator=factory), ESTIMATOR_SELECTION, {}
    return partial(fit_ensemble, settings=settings), settings.describe(), model_params


def report(result: ExperimentResult) -> None:
    """Print the per-subject table, the pooled metric, and the report and submission paths."""
    print(f"\nPer subject (validation folds) -> {result.run_dir / 'per_subject.csv'}")
    print(result.per_group.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    print("Overall: " + ", ".join(f"{k}={v:.4f}" if k.startswith(("val_", "chance_")) else f"{k}={v}"
                                  for k, v in result.overall.items()))
    print(f"Report: {result.run_dir / 'report.md'}")
    if result.submission is not None:
        print(f"Submission: {result.submission}")


def score_on_answer(submission: Path, truth: Path, run_dir: Path) -> None:
    """Score the submission on the hidden answer; print it, save ``hidden_test_score.json``.

    The score is also added to the run's ``metrics.json`` and ``report.md``
    (:func:`cyborg.evaluation.reports.record_hidden_score`).
    """
    from cyborg.submission import score_submission

    score = score_submission(submission, truth, show_private=True)
    found = {"metric": score.metric, "public": score.public_score, "private": score.private_score,
             "n_public": score.n_public, "n_private": score.n_private}
    (Path(run_dir) / "hidden_test_score.json").write_text(json.dumps(found, indent=2))
    reports.record_hidden_score(run_dir, {**found, "truth": str(truth)})
    private = "none" if score.private_score is None else f"{score.private_score:.4f}"
    print(f"Score on the hidden synthetic answer ({truth}): public {score.public_score:.4f} "
          f"(n={score.n_public}), private {private} (n={score.n_private})")
    print(f"Organizers: python evaluate.py submission={submission} truth={truth}")
