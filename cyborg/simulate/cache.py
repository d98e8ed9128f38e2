"""Generate the synthetic challenge folders once and reuse them while their parameters match."""

from __future__ import annotations

import os
from pathlib import Path

from cyborg.simulate.folder import read_record
from cyborg.simulate.scenarios import TASKS
from cyborg.simulate.trick import simulate_trick, trick_parameters
from cyborg.simulate.velocity import simulate_velocity, velocity_parameters
from cyborg.validation import check_option

#: Environment variable naming the folder where cyborg keeps the data it generates.
DATA_DIR_ENV = "CYBORG_DATA"


def synthetic_data_dir() -> Path:
    """The folder that holds the generated synthetic folders, whatever the working folder.

    Returns
    -------
    folder : Path
        ``$CYBORG_DATA/synthetic`` when the variable is set, else ``synthetic``
        in the user cache folder (``platformdirs.user_cache_dir("cyborg")``,
        e.g. ``~/.cache/cyborg/synthetic`` on Linux). It may not exist yet.
    """
    from platformdirs import user_cache_dir

    configured = os.environ.get(DATA_DIR_ENV)
    base = Path(configured).expanduser() if configured else Path(user_cache_dir("cyborg"))
    return base.resolve() / "synthetic"


def ensure_synthetic(task: str, root: str | Path, seed: int = 0, full_size: bool = False,
                     scenario: str = "default") -> Path:
    """Return a synthetic folder for ``task``, generating it only when needed.

    The folder is (re)generated, with the simulator's defaults otherwise, when
    it is missing or its ``simulation.json`` differs from the parameters asked
    for (including the generator version).

    Parameters
    ----------
    task : {"trick", "velocity"}
        Theme 1 (:func:`~cyborg.simulate.trick.simulate_trick`) or theme 2
        (:func:`~cyborg.simulate.velocity.simulate_velocity`).
    root : str | Path
        The folder.
    seed : int
        Simulator seed.
    full_size : bool
        Original sizes instead of the quick default.
    scenario : str
        Simulator preset, one of :func:`~cyborg.simulate.scenarios.list_scenarios`
        for ``task``.

    Returns
    -------
    root : Path
    """
    check_option(task, TASKS, "ensure_synthetic task")
    root = Path(root)
    if task == "trick":
        wanted, simulate = trick_parameters(seed=seed, full_size=full_size, scenario=scenario), simulate_trick
    else:
        wanted = velocity_parameters(seed=seed, full_size=full_size, scenario=scenario)
        simulate = simulate_velocity
    if read_record(root) != wanted:
        simulate(root, seed=seed, full_size=full_size, scenario=scenario)
    return root
