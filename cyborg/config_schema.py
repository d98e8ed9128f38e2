"""Typed schemas of the ``trainer``, ``data`` and ``split`` config groups, in Hydra's ConfigStore.

Each group's yaml files start from their schema (``defaults: [/schema/trainer, _self_]``), so
Hydra refuses a value of the wrong type while it composes the config
(``trainer.max_epochs=abc``), before any data is read. The schemas fix the keys and their
types only; the defaults stay in the yaml files, and the allowed values and ranges are checked
by the code that uses them (:class:`cyborg.training.fit.TrainSettings`,
:data:`cyborg.evaluation.splits.PROTOCOLS`; see :func:`cyborg.cli.check_config`).

Importing this module registers the schemas (:func:`register_schemas`); ``train.py``,
``baselines/run.py`` and :func:`cyborg.config.compose` import it before they compose.
"""

# No ``from __future__ import annotations``: OmegaConf reads these annotations as types.
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING

#: ConfigStore group holding the schemas (``schema/<config group>``).
SCHEMA_GROUP = "schema"


@dataclass
class TrainerSchema:
    """Keys of ``configs/trainer/*.yaml`` (see :class:`cyborg.training.fit.TrainSettings`)."""

    max_epochs: int = MISSING
    lr: float = MISSING
    weight_decay: float = MISSING
    batch_size: int = MISSING
    amplitude_scale: float = MISSING
    mirror: bool = MISSING
    selection: str = MISSING
    inner_fraction: float = MISSING
    early_stopping_patience: Optional[int] = MISSING
    loss: str = MISSING
    standardize_targets: bool = MISSING
    pretrain_epochs: int = MISSING
    members_per_fold: int = MISSING
    member_aggregate: str = MISSING
    lightning: Dict[str, Any] = field(default_factory=dict)


@dataclass
class SyntheticSchema:
    """Keys of ``data.synthetic``: the generated challenge-format data."""

    dir: Optional[str] = MISSING
    seed: int = MISSING
    full_size: bool = MISSING
    scenario: str = MISSING


@dataclass
class DataSchema:
    """Keys of ``configs/data/*.yaml``."""

    root: Optional[str] = MISSING
    synthetic: SyntheticSchema = field(default_factory=SyntheticSchema)


@dataclass
class SplitSchema:
    """Keys of ``configs/split/*.yaml`` (see :func:`cyborg.evaluation.splits.make_folds`)."""

    protocol: str = MISSING
    per_subject: bool = MISSING
    args: Dict[str, Any] = field(default_factory=dict)
    refit: bool = False


#: Config group -> its schema.
SCHEMAS = {"trainer": TrainerSchema, "data": DataSchema, "split": SplitSchema}


def register_schemas() -> None:
    """Store each schema as ``schema/<group>`` in Hydra's ConfigStore, placed at the group's key."""
    store = ConfigStore.instance()
    for group, schema in SCHEMAS.items():
        store.store(group=SCHEMA_GROUP, name=group, node=schema, package=group)


register_schemas()
