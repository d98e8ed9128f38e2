"""Run a classical baseline under the same task, data and split as train.py.

    python baselines/run.py                         # theme 1: tangent space + logistic regression
    python baselines/run.py task=velocity           # theme 2: EMG envelope + ridge
    python baselines/run.py baseline=tangent_space task=trick data.root=DIR
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from baselines import estimators
from cyborg.cli import report, resolve_data_root, score_on_answer
from cyborg.experiment import run_experiment
from cyborg.training.estimators import ESTIMATOR_SELECTION, fit_estimators


@hydra.main(config_path="../configs", config_name="baseline", version_base="1.3")
def main(cfg: DictConfig) -> float:
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
        run_dir=Path(HydraConfig.get().runtime.output_dir), write_submission=bool(cfg.write_submission),
        selection=ESTIMATOR_SELECTION,
        provenance={"seed": int(cfg.seed), "overrides": list(HydraConfig.get().overrides.task)})
    report(result)
    if result.submission is not None and cfg.score_against_answer and data.truth is not None:
        score_on_answer(result.submission, data.truth, result.run_dir)
    return float(result.overall[cfg.objective])


if __name__ == "__main__":
    main()
