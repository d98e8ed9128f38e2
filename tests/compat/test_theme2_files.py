"""Theme 2 files read the way published competitor code reads the originals (CHALLENGE.md 2.2, 2.7).

scipy.io.loadmat, subject keys, one 1x1 struct per key, fields by position ``mat[sub][0][0][i]``,
float64 arrays, the stance as a 1-element array. Expectations are written out from the published
descriptions, not taken from cyborg's constants.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.io import loadmat

SUBJECTS = ["0001", "0002", "0003", "0004"]
STANCES = {"goofy", "regular"}


def _keys(mat: dict) -> list[str]:
    return sorted(key for key in mat if not key.startswith("__"))


def _scalar(field: np.ndarray) -> str:
    """A 1-element field as code reads it: ``arr.flatten()[0]``."""
    assert len(field.flatten()) == 1
    return str(field.flatten()[0])


@pytest.fixture(scope="module")
def mats(velocity_root):
    return {name: loadmat(velocity_root / f"{name}.mat") for name in ("train", "test", "reference")}


def test_folder_files_and_keys(velocity_root, mats):
    assert {"train.mat", "test.mat", "reference.mat", "sample_submit.json"} <= {p.name for p in velocity_root.iterdir()}
    assert _keys(mats["train"]) == SUBJECTS and _keys(mats["test"]) == SUBJECTS
    assert _keys(mats["reference"]) == ["0005"]
    for name, mat in mats.items():
        for key in _keys(mat):
            assert mat[key].shape == (1, 1), (name, key)


def test_train_fields_by_position(mats):
    for sub in SUBJECTS:
        emg, velocity, stance = (mats["train"][sub][0][0][i] for i in range(3))
        n = emg.shape[0]
        assert emg.shape == (n, 16, 1000) and emg.dtype == np.float64
        assert velocity.shape == (n, 3, 30) and velocity.dtype == np.float64
        assert np.transpose(velocity, (0, 2, 1)).shape == (n, 30, 3)
        assert _scalar(stance) in STANCES


def test_test_struct_has_three_fields_and_the_stance_where_code_reads_it(mats):
    for sub in SUBJECTS:
        struct = mats["test"][sub][0][0]
        emg, _, _ = struct  # exactly three fields
        assert emg.shape[1:] == (16, 1000) and emg.dtype == np.float64
        assert emg.shape[0] == mats["train"][sub][0][0][0].shape[0]  # as many test as train trials
        stance = _scalar(struct[2])
        assert stance in STANCES
        # read as the second-to-last field, first element compared to the stance name
        assert struct[-2].size > 0 and struct[-2][0] == stance
        assert (struct[-2][0] == "regular") == (stance == "regular")
        assert stance == _scalar(mats["train"][sub][0][0][2])


def test_reference_fields_by_position(mats):
    struct = mats["reference"]["0005"][0][0]
    assert len(struct) == 5
    for emg_index in (0, 2):
        assert struct[emg_index].shape[1:] == (16, 1000) and struct[emg_index].dtype == np.float64
        n = struct[emg_index].shape[0]
        velocity = struct[emg_index + 1]
        assert velocity.shape == (n, 3, 30) and velocity.dtype == np.float64
    assert _scalar(struct[4]) in STANCES


def test_velocity_values_are_in_the_published_range(mats):
    """Velocity values lie roughly within ±3.6 m/s."""
    struct = mats["reference"]["0005"][0][0]
    for velocity in (struct[1], struct[3], *(mats["train"][sub][0][0][1] for sub in SUBJECTS)):
        assert np.abs(velocity).max() < 5.0


def test_sample_submission_layout(velocity_root, mats):
    """{"sub1": {"trial1": 30 x [vx, vy, vz], ...}, ...}: subK = key 000K, trials 1-based in test order."""
    sample = json.loads((velocity_root / "sample_submit.json").read_text())
    assert list(sample) == ["sub1", "sub2", "sub3", "sub4"]
    for k, sub in enumerate(SUBJECTS, start=1):
        n = mats["test"][sub][0][0][0].shape[0]
        assert list(sample[f"sub{k}"]) == [f"trial{i}" for i in range(1, n + 1)]
        for trajectory in sample[f"sub{k}"].values():
            assert np.asarray(trajectory, dtype=float).shape == (30, 3)


def test_full_size_counts_are_the_originals():
    from cyborg.simulate.velocity import velocity_parameters

    counts = velocity_parameters(full_size=True)["counts"]
    assert counts == {"0001": 319, "0002": 300, "0003": 320, "0004": 320, "0005": 320}
    assert sum(counts[sub] for sub in SUBJECTS) == 1259
