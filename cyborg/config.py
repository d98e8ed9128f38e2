"""Compose the project's Hydra configs from Python, without ``train.py``.

The configs live in the repository's ``configs/`` folder (``train.py`` reads
them with ``config_path="configs"``). They ship inside the package as
``cyborg/configs``: in a checkout that is a symlink to ``../configs``, and a
built wheel holds a copy (``[tool.setuptools.package-data]`` in
``pyproject.toml``). :func:`config_dir` finds whichever is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig

from cyborg.errors import ConfigError
from cyborg.validation import check_option, fail

#: Where the configs are looked for, in order: inside the package, then the checkout's own folder.
CONFIG_DIRS = (Path(__file__).resolve().parent / "configs", Path(__file__).resolve().parents[1] / "configs")
#: The primary config every composition starts from.
PRIMARY_CONFIG = "train"


def config_dir() -> Path:
    """The folder holding ``train.yaml`` and the config groups.

    Returns
    -------
    path : Path
        ``cyborg/configs`` (installed package, or the checkout's symlink), else
        the checkout's ``configs/``.

    Raises
    ------
    ConfigError
        Neither folder holds ``train.yaml``.
    """
    found = next((c for c in CONFIG_DIRS if (c / f"{PRIMARY_CONFIG}.yaml").is_file()), None)
    if found is None:
        fail("cyborg.config", "config folder", f"{PRIMARY_CONFIG}.yaml in one of "
             f"{[str(c) for c in CONFIG_DIRS]}", "none", ConfigError)
    return found


def available_tasks() -> list[str]:
    """Names of the task configs (``configs/task/*.yaml``), sorted."""
    return sorted(path.stem for path in (config_dir() / "task").glob("*.yaml"))


def available_preprocessing() -> list[str]:
    """Names of the preprocessing configs (``configs/preprocessing/*.yaml``), sorted."""
    return sorted(path.stem for path in (config_dir() / "preprocessing").glob("*.yaml"))


def preprocessing_steps(name: str) -> list[dict]:
    """The steps ``preprocessing=<name>`` gives ``train.py``, as plain dicts with ``_target_``.

    Parameters
    ----------
    name : str
        A preprocessing config name (:func:`available_preprocessing`).

    Returns
    -------
    steps : list of dict
        ``configs/preprocessing/<name>.yaml``'s ``steps``, resolved.

    Raises
    ------
    ConfigError
        Unknown name.
    """
    from omegaconf import OmegaConf

    check_option(name, available_preprocessing(), "preprocessing", error=ConfigError)
    return OmegaConf.to_container(OmegaConf.load(config_dir() / "preprocessing" / f"{name}.yaml").steps,
                                  resolve=True)


def compose(task: str = "trick", overrides: Sequence[str] = ()) -> DictConfig:
    """The composed ``train.yaml`` config of a task, as ``python train.py task=<task> ...`` sees it.

    Uses Hydra's compose API (``hydra.initialize_config_dir`` + ``hydra.compose``);
    call it outside a running ``@hydra.main`` application.

    Parameters
    ----------
    task : str
        A task config name (:func:`available_tasks`): its defaults pick the
        preprocessing, model and split.
    overrides : sequence of str
        Further command-line style overrides, e.g. ``["model=eegnet", "trainer.max_epochs=5"]``.

    Returns
    -------
    cfg : omegaconf.DictConfig
        Without the ``hydra`` node; interpolations such as ``objective``
        resolve on access.

    Raises
    ------
    ConfigError
        Unknown task, or no config folder.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    import cyborg.config_schema  # noqa: F401  (the group schemas the yaml files start from)

    folder = config_dir()
    check_option(task, available_tasks(), "compose: task", error=ConfigError)
    with initialize_config_dir(config_dir=str(folder), version_base="1.3", job_name="cyborg"):
        return hydra_compose(config_name=PRIMARY_CONFIG, overrides=[f"task={task}", *overrides])
