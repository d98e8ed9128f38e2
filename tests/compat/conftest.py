"""Tiny synthetic folders for the compatibility tests (generated once per session)."""

from __future__ import annotations

import pytest

from cyborg.simulate import simulate_trick, simulate_velocity


@pytest.fixture(scope="session")
def trick_root(tmp_path_factory):
    return simulate_trick(tmp_path_factory.mktemp("compat_trick"), n_subjects=5, events_per_session=4, n_test=30,
                          seed=0)


@pytest.fixture(scope="session")
def velocity_root(tmp_path_factory):
    return simulate_velocity(tmp_path_factory.mktemp("compat_velocity"), n_trials=3, seed=0)
