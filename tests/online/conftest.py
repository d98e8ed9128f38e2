"""Fixtures shared by the live-decoding tests."""

from __future__ import annotations

import pytest
import torch

from cyborg.training.decoder import thread_pools


@pytest.fixture(autouse=True)
def one_intra_op_thread():
    """Run each test's torch ops and BLAS calls on one thread (StreamDecoder sets both), then restore them."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    with thread_pools().limit(limits=1, user_api="blas"):
        yield
    torch.set_num_threads(previous)
