"""The leak audit passes on the synthetic default and finds a planted order leak and a planted duplicate."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from cyborg.challenge import EEG_CHANNELS
from cyborg.host.audit import audit_competition, load_trick_audit
from cyborg.io.challenge_trick import write_trick_test
from cyborg.io.matfile import load_mat
from cyborg.simulate import simulate_trick, simulate_velocity

from .serving import run_cli


def _competition(root, theme: str, truth: str):
    root.mkdir()
    (root / "competition.yaml").write_text(json.dumps({
        "theme": theme, "truth": truth, "data": "release",
        "phases": [{"name": "main", "start": "2020-01-01", "end": "2099-01-01"}]}))
    return root


@pytest.fixture(scope="module")
def trick_release(tmp_path_factory):
    """The synthetic default scenario, smaller: 2 subjects, 30 events per session, 30 test epochs."""
    return simulate_trick(tmp_path_factory.mktemp("trick") / "release", n_subjects=2, events_per_session=30,
                          n_test=30)


def _copy(release, tmp_path):
    root = _competition(tmp_path / "competition", "trick", "release/answer/test_labels.csv")
    shutil.copytree(release, root / "release")
    return root


def test_synthetic_default_passes(trick_release, tmp_path):
    root = _copy(trick_release, tmp_path)
    result = run_cli("audit", str(root), check=False)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0].split() == ["check", "scope", "measured", "passes", "when", "result"]
    assert "FINDING" not in result.stdout and result.stdout.rstrip().endswith("0 finding(s) in 7 checks")


def test_planted_order_leak_and_duplicate_are_found(trick_release, tmp_path):
    root = _copy(trick_release, tmp_path)
    release = root / "release"
    truth = release / "answer" / "test_labels.csv"
    rows = [line.split(",") for line in truth.read_text().split()]
    # subject0's test epochs sorted by class (the answer in the file order)
    epochs = load_mat(release / "test" / "subject0.mat")["data"]
    labels = np.array([label for i, label in rows if i.startswith("subject0_")])
    order = np.argsort(labels, kind="stable")
    write_trick_test(release / "test" / "subject0.mat", epochs[order], EEG_CHANNELS)
    # subject1's epoch 5 is a training epoch, copied
    train = load_trick_audit(release, truth)
    copied = np.flatnonzero(train.train_subjects == "subject1")[3]
    epochs = load_mat(release / "test" / "subject1.mat")["data"]
    epochs[5] = train.train_X[copied]
    write_trick_test(release / "test" / "subject1.mat", epochs, EEG_CHANNELS)
    truth.write_text("".join(f"subject0_{k:03d},{labels[j]}\n" for k, j in enumerate(order))
                     + "".join(f"{i},{label}\n" for i, label in rows if not i.startswith("subject0_")))

    checks = {(c.check, c.scope): c for c in audit_competition(root)}
    assert not checks["order", "subject0"].passed and checks["order", "subject1"].passed
    assert not checks["duplicates", "all"].passed
    assert checks["duplicates", "all"].value == "1 test trials equal a training trial (subject1_005)"
    assert [key for key, c in checks.items() if not c.passed] == [("order", "subject0"), ("duplicates", "all")]
    result = run_cli("audit", str(root), check=False)
    assert result.returncode == 1 and result.stdout.count("FINDING") == 2


def test_velocity_default_passes_and_a_missing_release_is_one_line(tmp_path):
    root = _competition(tmp_path / "velocity", "velocity", "release/answer/test_answer.json")
    simulate_velocity(root / "release", n_trials=30)
    checks = audit_competition(root)
    assert all(c.passed for c in checks), [c for c in checks if not c.passed]
    assert {c.check for c in checks} == {"order", "duplicates", "adversarial AUC", "split balance"}
    (root / "release" / "test.mat").unlink()
    result = run_cli("audit", str(root), check=False)
    assert result.returncode == 2 and result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
