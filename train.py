"""Train and validate a decoder, then write the test-set submission.

    python train.py                         # theme 1 on the synthetic default
    python train.py task=velocity           # theme 2
    python train.py task=trick data.root=/path/to/download model=eegnet
    python train.py --help                  # every config group and option

Hydra composes configs/train.yaml; results go to outputs/<task>/<time>/. A bad command line or
data folder ends in one line ``error: ...`` and exit code 2 (:func:`cyborg.cli.one_line_errors`);
a run that fails marks its folder's ``metrics.json`` with ``"status": "failed"``.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

from cyborg.cli import check_config, hydra_run_dir, one_line_errors, run_hydra_app, train_from_config


@hydra.main(config_path="configs", config_name="train", version_base="1.3")
def main(cfg: DictConfig) -> float:
    """Run one training job of the composed config; returns the objective (for sweeps)."""
    with one_line_errors(hydra_run_dir()):
        return train_from_config(cfg)


if __name__ == "__main__":
    run_hydra_app(main, "train", check=check_config)
