"""Fixtures shared by the live-decoding tests."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def one_intra_op_thread():
    """Run each test's torch ops on one thread (StreamDecoder sets it too), then restore the setting."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
