"""Synthetic recordings in the challenge formats: the project's embedded default data.

:func:`simulate_trick` (theme 1, EEG) and :func:`simulate_velocity` (theme 2,
EMG) write complete challenge folders with hidden answers; :func:`ensure_synthetic`
generates one only when the cached folder does not match. Each takes a
``scenario``, a preset that moves where the class or velocity information lives
(:func:`list_scenarios`, :mod:`cyborg.simulate.scenarios`).
"""

from cyborg.simulate.cache import ensure_synthetic
from cyborg.simulate.scenarios import list_scenarios
from cyborg.simulate.trick import simulate_trick
from cyborg.simulate.velocity import simulate_velocity

__all__ = ["ensure_synthetic", "list_scenarios", "simulate_trick", "simulate_velocity"]
