"""Fixtures for the readers' tests: the shared real recordings, skipped when absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyborg.io.datasets import shared_data_root


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Root of the shared real datasets; skips the test when the folder is absent."""
    root = shared_data_root()
    if not root.is_dir():
        pytest.skip(f"shared real data not found at {root} (a fresh clone has no ../shared/data; "
                    f"set CYBORG_SHARED_DATA to its location)")
    return root


def _dataset(root: Path, name: str) -> Path:
    folder = root / name
    if not folder.is_dir():
        pytest.skip(f"shared dataset {name}/ not found under {root}")
    return folder


@pytest.fixture(scope="session")
def eegmmidb_dir(shared_data: Path) -> Path:
    return _dataset(shared_data, "eegmmidb_S001")


@pytest.fixture(scope="session")
def mne_testfiles_dir(shared_data: Path) -> Path:
    return _dataset(shared_data, "mne_python_testfiles")


@pytest.fixture(scope="session")
def lower_limb_dir(shared_data: Path) -> Path:
    return _dataset(shared_data, "uci_lower_limb_emg")


@pytest.fixture(scope="session")
def gestures_dir(shared_data: Path) -> Path:
    return _dataset(shared_data, "uci_emg_gestures")


@pytest.fixture(scope="session")
def c3d_file(shared_data: Path) -> Path:
    return _dataset(shared_data, "pyomeca_emg_mocap") / "markers_analogs.c3d"
