"""The Codabench bundle: a valid competition.yaml, and a scoring program that is cyborg's scorer, standalone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile

import yaml

from cyborg.submission import score_submission

from .serving import make_competition, run_cli, submission_text, truth_rows


def test_bundle_scores_like_the_library(tmp_path):
    root = make_competition(tmp_path / "competition")
    out = tmp_path / "bundle.zip"
    assert run_cli("export-codabench", str(root), "--out", str(out)).stdout == f"wrote {out}\n"
    with zipfile.ZipFile(out) as bundle:
        names = set(bundle.namelist())
        bundle.extractall(tmp_path / "bundle")
    config = yaml.safe_load((tmp_path / "bundle" / "competition.yaml").read_text())
    assert config["version"] == 2 and config["phases"][0]["max_submissions_per_day"] == 3
    assert [c["key"] for c in config["leaderboards"][0]["columns"]] == ["public", "private"]
    for task in config["tasks"]:
        assert f"{task['reference_data']}/test_labels.csv" in names and task["scoring_program"] == "scoring_program"

    rows = truth_rows(root)
    program = tmp_path / "bundle" / "scoring_program"
    work = tmp_path / "run"
    (work / "input" / "res").mkdir(parents=True)
    (work / "input" / "ref").symlink_to(tmp_path / "bundle" / "reference_data" / "main")
    submission = work / "input" / "res" / "submission.csv"
    submission.write_bytes(submission_text(rows, wrong={rows[0][0], rows[5][0], rows[30][0]}))
    # -S: no site-packages .pth (so no installed cyborg); numpy and pandas from site-packages on PYTHONPATH
    env = {"PYTHONPATH": sysconfig.get_paths()["purelib"], "PATH": os.environ.get("PATH", "")}
    command = [sys.executable, "-S", str(program / "score.py"), str(work / "input"), str(work / "output")]
    check = [sys.executable, "-S", "-c", "import sys; sys.path.insert(0, sys.argv[1]); import cyborg; "
             "print(cyborg.__file__)", str(program)]
    assert subprocess.run(check, env=env, capture_output=True, text=True, check=True).stdout.startswith(str(program))
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    expected = score_submission(submission, root / "answer" / "test_labels.csv", show_private=True)
    assert json.loads((work / "output" / "scores.json").read_text()) == {
        "public": expected.public_score, "private": expected.private_score}

    submission.write_text("subject0_000,ollie\n")
    failed = subprocess.run(command, env=env, capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stderr.startswith(f"error: {submission}, line 1: field 'label'")
    assert "Traceback" not in failed.stderr
