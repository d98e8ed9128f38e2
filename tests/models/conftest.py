"""Fixtures shared by the model tests."""

from __future__ import annotations

import pytest
import torch

from cyborg.models import registry


@pytest.fixture(autouse=True)
def one_intra_op_thread():
    """Run each model test's torch ops on one thread, then restore the setting.

    The test models and batches are tiny: a second thread only adds
    synchronisation, which made this suite 4-5x slower when other processes
    shared the two cores.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def scratch_registry(monkeypatch):
    """A copy of the model registry, so registrations made by a test vanish afterwards."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
