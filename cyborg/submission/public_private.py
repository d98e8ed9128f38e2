"""Which test ids count for the public leaderboard and which for the private one.

The rule, fixed so anyone can reproduce a split from the ids and the seed alone:

1. each id gets the key ``SHA-256("{seed}:{id}")``, its first 8 bytes read as a
   big-endian unsigned integer;
2. the ids are sorted by (key, id);
3. the first ``floor(public_fraction * n_ids + 0.5)`` of them are public, the
   rest private.

The split depends only on the set of ids and the seed, not on their order, and a
different seed gives an unrelated split.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import numpy as np

from cyborg.errors import CyborgError
from cyborg.validation import fail


def _split_key(seed: int, sample_id: str) -> int:
    """The sort key of one id under one seed (step 1 of the module's rule)."""
    digest = hashlib.sha256(f"{seed}:{sample_id}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def n_public_ids(n_ids: int, public_fraction: float) -> int:
    """How many of ``n_ids`` ids are public: ``floor(public_fraction * n_ids + 0.5)``."""
    return math.floor(public_fraction * n_ids + 0.5)


def public_mask(ids: Sequence[str], seed: int = 0, public_fraction: float = 0.5) -> np.ndarray:
    """Mark the public ids under the module's seeded rule.

    Parameters
    ----------
    ids : sequence of str
        Test ids (theme 1 sample ids, theme 2 ``"subK/trialN"``), each once.
    seed : int
        Seed of the split.
    public_fraction : float
        Share of ids that are public, in (0, 1].

    Returns
    -------
    np.ndarray of bool, shape (n_ids,)
        True where ``ids[i]`` is public.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        fail("split seed", None, "an integer", repr(seed), CyborgError)
    if isinstance(public_fraction, bool) or not isinstance(public_fraction, (int, float, np.number)) \
            or not 0 < public_fraction <= 1:
        fail("split public_fraction", None, "a number in (0, 1]", repr(public_fraction), CyborgError)
    ids = [str(sample_id) for sample_id in ids]
    if len(set(ids)) != len(ids):
        fail("split ids", None, "each id once", f"{len(ids) - len(set(ids))} repeated", CyborgError)
    n_public = n_public_ids(len(ids), public_fraction)
    if n_public == 0:
        fail("split public_fraction", None, f"at least one public id among {len(ids)}",
             f"{public_fraction} of them rounding to 0", CyborgError)
    order = sorted(range(len(ids)), key=lambda index: (_split_key(int(seed), ids[index]), ids[index]))
    mask = np.zeros(len(ids), dtype=bool)
    mask[order[:n_public]] = True
    return mask
