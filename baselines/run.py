"""Run a classical baseline under the same task, data and split as train.py.

    python baselines/run.py                         # theme 1: tangent space + logistic regression
    python baselines/run.py task=velocity           # theme 2: EMG envelope + ridge
    python baselines/run.py baseline=tangent_space task=trick data.root=DIR

Errors end as in train.py: one line ``error: ...``, exit code 2, a failed run folder marked.
"""

from __future__ import annotations

from functools import partial

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from baselines import estimators
from cyborg.cli import (check_config, hydra_run_dir, one_line_errors, report, resolve_data_root,
                        run_hydra_app, score_on_answer)
from cyborg.experiment import run_experiment
from cyborg.training.estimators import ESTIMATOR_SELECTION, fit_estimators


def run_baseline(cfg: DictConfig) -> float:
    """Fit and validate ``cfg.baseline`` on the task's data; returns the objective."""
    check_config(cfg)
    task = instantiate(cfg.task)
    root = resolve_data_root(task.name, cfg.data)
    data = task.load(root)
    make_estimator = partial(estimators.build_baseline, cfg.baseline.name,
                             **OmegaConf.to_container(cfg.baseline.params, resolve=True))
    result = run_experiment(
        task, data, model_name=f"baseline:{cfg.baseline.name}", model_params={},
        steps=OmegaConf.to_container(cfg.baseline.steps, resolve=True),
        fitter=partial(fit_estimators, make_estimator=make_estimator),
        split=OmegaConf.to_container(cfg.split, resolve=True),
        run_dir=hydra_run_dir(), write_submission=bool(cfg.write_submission),
        selection=ESTIMATOR_SELECTION,
        provenance={"seed": int(cfg.seed), "overrides": list(HydraConfig.get().overrides.task)})
    report(result)
    if result.submission is not None and cfg.score_against_answer and data.truth is not None:
        score_on_answer(result.submission, data.truth, result.run_dir)
    return float(result.overall[cfg.objective])


@hydra.main(config_path="../configs", config_name="baseline", version_base="1.3")
def main(cfg: DictConfig) -> float:
    """Run one baseline job of the composed config; returns the objective (for sweeps)."""
    with one_line_errors(hydra_run_dir()):
        return run_baseline(cfg)


if __name__ == "__main__":
    run_hydra_app(main, "baseline", check=check_config)
