"""evaluate.py run as the organizers run it: a subprocess from another folder."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cyborg.challenge import TRICK_CLASSES
from cyborg.submission import trick_sample_ids, write_trick_submission, write_velocity_submission

SCRIPT = Path(__file__).resolve().parents[1] / "evaluate.py"
IDS = trick_sample_ids(0, 4) + trick_sample_ids(1, 4)
TRUTH = ["pumping", "backside_kickturn", "frontside_kickturn", "pumping"] * 2
# right on rows 0, 1, 3, 4, 7: 5 of 8
GUESS = ["pumping", "backside_kickturn", "pumping", "pumping", "pumping", "pumping", "pumping", "pumping"]


def _run(folder, *overrides):
    return subprocess.run([sys.executable, str(SCRIPT), *overrides], cwd=folder, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def trick_folder(tmp_path):
    (tmp_path / "answer").mkdir()
    write_trick_submission(tmp_path / "answer" / "test_labels.csv", IDS, TRUTH)
    write_trick_submission(tmp_path / "submit.csv", IDS, GUESS)
    return tmp_path


def test_good_trick_submission_prints_public_score_only(trick_folder):
    before = sorted(path.name for path in trick_folder.iterdir())
    done = _run(trick_folder, "submission=submit.csv", "truth=answer/test_labels.csv",
                "split.public_fraction=1.0")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "public accuracy: 0.6250 (n=8)\n"
    assert done.stderr == ""
    assert sorted(path.name for path in trick_folder.iterdir()) == before  # no outputs/, .hydra/, logs


def test_private_score_is_printed_only_when_asked(trick_folder):
    done = _run(trick_folder, "submission=submit.csv", "truth=answer/test_labels.csv", "private=true",
                "split.seed=3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == ["public accuracy", "private accuracy"]
    assert lines[0].endswith("(n=4)") and lines[1].endswith("(n=4)")
    hidden = _run(trick_folder, "submission=submit.csv", "truth=answer/test_labels.csv", "split.seed=3")
    assert hidden.stdout.splitlines() == lines[:1]


def test_velocity_submission_prints_rmse(tmp_path):
    truth = {"sub1": np.zeros((2, 30, 3)), "sub2": np.ones((2, 30, 3))}
    write_velocity_submission(tmp_path / "test_answer.json", truth)
    # every step off by (0, 0.6, 0.8): error 1.0 per trial
    write_velocity_submission(tmp_path / "submit.json",
                              {key: value + [0.0, 0.6, 0.8] for key, value in truth.items()})
    done = _run(tmp_path, "submission=submit.json", "truth=test_answer.json")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "public rmse_3d: 1.0000 (n=2)\n"


@pytest.mark.parametrize("overrides, message", [
    (["submission=submit.csv", "truth=answer/test_labels.csv"],
     r"submit.csv, line 3: field 'sample_id': expected an id of the test set \(8 ids\), "
     r"found unknown id 'subject0_777'"),
    (["submission=missing.csv", "truth=answer/test_labels.csv"],
     r"missing.csv: expected an existing file, found nothing at that path"),
    (["submission=submit.csv", "truth=answer/nothing.csv"],
     r"unusable truth file: .*nothing.csv: expected an existing file"),
    (["truth=answer/test_labels.csv"], r"missing submission=FILE \(usage: python evaluate.py"),
    (["submission=submit.csv", "truth=answer/test_labels.csv", "private=yes"],
     r"private: expected true or false, found 'yes'"),
])
def test_bad_input_ends_in_one_error_line(trick_folder, overrides, message):
    lines = (trick_folder / "submit.csv").read_text().splitlines()
    lines[2] = "subject0_777,pumping"
    (trick_folder / "submit.csv").write_text("\n".join(lines) + "\n")
    done = _run(trick_folder, *overrides)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith("error: ")
    assert re.search(message, done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    assert not any(label in done.stderr for label in TRICK_CLASSES)
