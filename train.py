"""Train and validate a decoder, then write the test-set submission.

    python train.py                         # theme 1 on the synthetic default
    python train.py task=velocity           # theme 2
    python train.py task=trick data.root=/path/to/download model=eegnet
    python train.py --help                  # every config group and option

Hydra composes configs/train.yaml; results go to outputs/<task>/<time>/.
"""

from __future__ import annotations

import logging
import sys

import hydra
from omegaconf import DictConfig

from cyborg.cli import train_from_config
from cyborg.errors import CyborgError

log = logging.getLogger("cyborg")


@hydra.main(config_path="configs", config_name="train", version_base="1.3")
def main(cfg: DictConfig) -> float:
    try:
        return train_from_config(cfg)
    except CyborgError as error:  # bad data or config: one clear line, no traceback
        log.error("%s", error)
        sys.exit(2)


if __name__ == "__main__":
    main()
