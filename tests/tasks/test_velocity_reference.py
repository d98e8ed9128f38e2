"""task=velocity validates on the subject reference.mat holds, whatever its key."""

from __future__ import annotations

import numpy as np
import pytest
from hydra.utils import instantiate

from cyborg.config import compose
from cyborg.errors import CyborgError
from cyborg.evaluation.splits import make_folds
from cyborg.io.challenge_velocity import REFERENCE_FIELDS, TEST_FIELDS, TRAIN_FIELDS, write_velocity_file
from cyborg.tasks.velocity import VelocityTask

SPLIT = {"protocol": "side_transfer", "per_subject": False, "args": {"reference_subject": None}}


def _arrays(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 16, 1000)) * 0.01, rng.uniform(-3.0, 3.0, (n, 3, 30))


def _folder(root, reference_keys: tuple[str, ...]):
    emg, velocity = _arrays(3, 0)
    write_velocity_file(root / "train.mat", {"0001": [emg, velocity, "goofy"]}, "5", TRAIN_FIELDS)
    write_velocity_file(root / "test.mat", {"0001": [emg, "goofy", "goofy"]}, "5", TEST_FIELDS)
    reference = {}
    for i, key in enumerate(reference_keys, start=1):
        (train_emg, train_velocity), (test_emg, test_velocity) = _arrays(2, 2 * i), _arrays(2, 2 * i + 1)
        reference[key] = [train_emg, train_velocity, test_emg, test_velocity, "regular"]
    write_velocity_file(root / "reference.mat", reference, "5", REFERENCE_FIELDS)
    return root


def test_the_config_default_reads_the_reference_subject_from_the_file():
    cfg = compose("velocity")
    assert cfg.task.reference_subject is None and cfg.split.args.reference_subject is None
    assert instantiate(cfg.task).reference_subject is None


def test_a_reference_subject_under_another_key_is_validated_on(tmp_path):
    task = VelocityTask()
    data = task.load(_folder(tmp_path, ("0007",)))
    args = task.split_arguments(SPLIT)
    assert args == {"reference_subject": "0007"}
    (fold,) = make_folds("side_transfer", data.train.metadata, **args)
    assert fold.name == "val=0007/test-side" and len(fold.val) == 2 and len(fold.train) == 5


def test_explicit_names_win_over_the_file(tmp_path):
    task = VelocityTask(reference_subject="0005")
    task.load(_folder(tmp_path, ("0007",)))
    assert task.split_arguments(SPLIT) == {"reference_subject": "0005"}
    named = {**SPLIT, "args": {"reference_subject": "0008"}}
    assert task.split_arguments(named) == {"reference_subject": "0008"}
    assert VelocityTask().split_arguments({"protocol": "leave_one_subject_out"}) == {}


def test_several_reference_subjects_need_a_name(tmp_path):
    task = VelocityTask()
    data = task.load(_folder(tmp_path, ("0005", "0006")))
    with pytest.raises(CyborgError, match=r"reference.mat: expected one subject key .*found \['0005', '0006'\]; "
                                          r"set split.args.reference_subject"):
        task.split_arguments(SPLIT)
    args = task.split_arguments({**SPLIT, "args": {"reference_subject": "0006"}})
    (fold,) = make_folds("side_transfer", data.train.metadata, **args)
    assert fold.name == "val=0006/test-side" and len(fold.val) == 2
