"""Synthetic recordings in the challenge formats: the project's embedded default data.

:func:`simulate_trick` (theme 1, EEG) and :func:`simulate_velocity` (theme 2,
EMG) write complete challenge folders with hidden answers; :func:`ensure_synthetic`
generates one only when the cached folder does not match.
"""

from cyborg.simulate.cache import ensure_synthetic
from cyborg.simulate.trick import simulate_trick
from cyborg.simulate.velocity import simulate_velocity

__all__ = ["ensure_synthetic", "simulate_trick", "simulate_velocity"]
