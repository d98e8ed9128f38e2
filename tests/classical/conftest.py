"""Fixtures shared by the classical decoder tests."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True)
def one_thread():
    """Run each test on one BLAS and one OpenMP thread.

    The test data are tiny: with other processes on the two cores, extra
    threads only wait on each other (gradient boosting's OpenMP loops were
    ~70x slower, pyRiemann's alternating numpy/scipy calls ~10x).
    """
    with threadpool_limits(1):
        yield
