"""Scoring a submission file against a truth file, with known scores."""

import numpy as np
import pytest

from cyborg.errors import CyborgError
from cyborg.submission import (
    ScoreResult,
    detect_task,
    public_mask,
    read_trick_submission,
    score_submission,
    trick_sample_ids,
    write_trick_submission,
    write_velocity_submission,
)

IDS = trick_sample_ids(0, 5) + trick_sample_ids(2, 3)
TRUTH = ["pumping", "pumping", "backside_kickturn", "frontside_kickturn", "pumping",
         "backside_kickturn", "pumping", "frontside_kickturn"]
# 5 of 8 right: rows 0, 1, 3, 5, 6
GUESS = ["pumping", "pumping", "pumping", "frontside_kickturn", "backside_kickturn",
         "backside_kickturn", "pumping", "pumping"]
CORRECT = np.array([True, True, False, True, False, True, True, False])


@pytest.fixture
def trick_files(tmp_path):
    return (write_trick_submission(tmp_path / "submit.csv", IDS, GUESS),
            write_trick_submission(tmp_path / "test_labels.csv", IDS, TRUTH))


@pytest.fixture
def velocity_files(tmp_path):
    """sub1: 3 trials off by (3, 4, 0) -> error 5 each; sub2: 1 trial off by (0, 0, 1) -> error 1."""
    rng = np.random.default_rng(0)
    truth = {"sub1": rng.normal(size=(3, 30, 3)), "sub2": rng.normal(size=(1, 30, 3))}
    submission = {"sub1": truth["sub1"] + [3.0, 4.0, 0.0], "sub2": truth["sub2"] + [0.0, 0.0, 1.0]}
    return (write_velocity_submission(tmp_path / "submit.json", submission),
            write_velocity_submission(tmp_path / "test_answer.json", truth))


def test_trick_whole_test_set_accuracy(trick_files):
    result = score_submission(*trick_files, public_fraction=1.0, show_private=True)
    assert result == ScoreResult(task="trick", metric="accuracy", public_score=5 / 8, private_score=None,
                                 n_public=8, n_private=0, n_total=8)
    assert result.higher_is_better


def test_trick_public_and_private_scores_follow_the_split(trick_files):
    mask = public_mask(IDS, seed=4, public_fraction=0.5)
    hidden = score_submission(*trick_files, split_seed=4)
    shown = score_submission(*trick_files, split_seed=4, show_private=True)
    assert hidden.private_score is None
    assert (shown.n_public, shown.n_private, shown.n_total) == (4, 4, 8)
    assert shown.public_score == hidden.public_score == CORRECT[mask].mean()
    assert shown.private_score == CORRECT[~mask].mean()


def test_trick_score_ignores_row_order(tmp_path, trick_files):
    submission, truth = trick_files
    frame = read_trick_submission(submission).iloc[::-1]
    shuffled = write_trick_submission(tmp_path / "reversed.csv", frame["sample_id"], frame["label"])
    assert score_submission(shuffled, truth, public_fraction=1.0).public_score == 5 / 8


def test_velocity_pooled_and_per_subject_scores(velocity_files):
    pooled = score_submission(*velocity_files, public_fraction=1.0)
    assert (pooled.task, pooled.metric, pooled.n_total) == ("velocity", "rmse_3d", 4)
    assert not pooled.higher_is_better
    assert pooled.public_score == pytest.approx((5 + 5 + 5 + 1) / 4)
    per_subject = score_submission(*velocity_files, public_fraction=1.0, average="groups")
    assert per_subject.public_score == pytest.approx((5 + 1) / 2)


def test_velocity_private_score_uses_the_other_trials(velocity_files):
    ids = ["sub1/trial1", "sub1/trial2", "sub1/trial3", "sub2/trial1"]
    errors = np.array([5.0, 5.0, 5.0, 1.0])
    mask = public_mask(ids, seed=0, public_fraction=0.5)
    result = score_submission(*velocity_files, show_private=True)
    assert result.public_score == pytest.approx(errors[mask].mean())
    assert result.private_score == pytest.approx(errors[~mask].mean())


def test_detect_task_reads_content_for_other_suffixes(tmp_path, velocity_files, trick_files):
    assert detect_task(trick_files[1]) == "trick"
    assert detect_task(velocity_files[1]) == "velocity"
    answer = tmp_path / "answer.txt"
    answer.write_bytes(velocity_files[1].read_bytes())
    assert detect_task(answer) == "velocity"
    labels = tmp_path / "labels.txt"
    labels.write_bytes(trick_files[1].read_bytes())
    assert detect_task(labels) == "trick"


def test_bad_average_is_rejected(velocity_files):
    with pytest.raises(CyborgError, match=r"average: expected one of \['trials', 'groups'\], found 'subjects'"):
        score_submission(*velocity_files, average="subjects")
