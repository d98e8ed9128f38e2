"""Generate the synthetic challenge folders once and reuse them while their parameters match."""

from __future__ import annotations

from pathlib import Path

from cyborg.simulate.folder import read_record
from cyborg.simulate.trick import simulate_trick, trick_parameters
from cyborg.simulate.velocity import simulate_velocity, velocity_parameters
from cyborg.validation import check_option

TASKS = ("trick", "velocity")


def ensure_synthetic(task: str, root: str | Path, seed: int = 0, full_size: bool = False) -> Path:
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

    Returns
    -------
    root : Path
    """
    check_option(task, TASKS, "ensure_synthetic task")
    root = Path(root)
    if task == "trick":
        wanted, simulate = trick_parameters(seed=seed, full_size=full_size), simulate_trick
    else:
        wanted, simulate = velocity_parameters(seed=seed, full_size=full_size), simulate_velocity
    if read_record(root) != wanted:
        simulate(root, seed=seed, full_size=full_size)
    return root
