"""train.py, baselines/run.py and evaluate.py end to end on tiny synthetic challenge folders."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cyborg.simulate.trick import simulate_trick
from cyborg.simulate.velocity import simulate_velocity
from cyborg.training.decoder import Decoder

REPO = Path(__file__).resolve().parents[1]
FAST = ["trainer.max_epochs=2", "trainer.lightning.enable_progress_bar=false"]


def run(script: str, *overrides: str, cwd: Path) -> subprocess.CompletedProcess:
    # this checkout first on the path: baselines/run.py would otherwise import an installed cyborg
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, str(REPO / script), *overrides], cwd=cwd,
                          capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def trick_root(tmp_path_factory):
    return simulate_trick(tmp_path_factory.mktemp("trick"), n_subjects=2, events_per_session=12, n_test=10, seed=1)


@pytest.fixture(scope="module")
def velocity_root(tmp_path_factory):
    return simulate_velocity(tmp_path_factory.mktemp("velocity"), n_trials=24, seed=1)


def test_train_trick_writes_a_submission_that_evaluate_scores(trick_root, tmp_path):
    out = tmp_path / "run"
    done = run("train.py", f"data.root={trick_root}", f"hydra.run.dir={out}", "model=auto", *FAST, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    submission = out / "submission.csv"
    assert f"Submission: {submission}" in done.stdout
    rows = pd.read_csv(submission, header=None, names=["sample_id", "label"])
    assert len(rows) == 20 and rows.sample_id.iloc[0] == "subject0_000"
    assert set(rows.label) <= {"frontside_kickturn", "backside_kickturn", "pumping"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert [row["group"] for row in metrics["per_subject"]] == ["subject0", "subject1"]
    manifest = pd.read_csv(out / "split_manifest.csv")
    assert set(manifest.fold) == {"val=train1", "val=train2", "val=train3"}

    # model=auto with the task's two candidates (the default before xdawn_csp_stack): per fold two inner fits,
    # then one refit per blended candidate, counted as the blends decide them; then the same once more on all
    # three sessions (split.refit), whose decoder alone is saved. With 12 trials a session, xDAWN may not fit
    # the one training session the mirrored split leaves (a singular signal covariance): such a fold chooses on
    # the end of each session instead.
    fits = [line.split(" - ", 1)[1].split(" | ") for line in done.stdout.splitlines()
            if "cyborg.training.progress" in line]
    counts = [line[0].removeprefix("fit ").split("/") for line in fits]
    assert [int(n) for n, _ in counts] == list(range(1, len(fits) + 1)) and int(counts[-1][1]) == len(fits)
    assert all(line[3] == "xdawn_tangent_lda" and line[-1].startswith("ETA") for line in fits)
    choices = [c for s in (0, 1) for name in (f"subject{s}_choices.json", f"subject{s}_refit_choices.json")
               for c in json.loads((out / "auto_choices" / name).read_text())]
    assert [c["fold"] for c in choices if "refit" in c["fold"]] == ["subject0_refit_all", "subject1_refit_all"]
    assert [m.name for m in Decoder.load(out / "decoders" / "subject1.pt").members] == ["subject1_refit_all"]
    assert len(fits) == sum(len(c["inner_scores"]) + len(c["blend"]) for c in choices)
    fallbacks = done.stdout.count("no candidate fitted on 12 trials; choosing on the end of each session instead")
    assert fallbacks >= 1 and [c["inner_split"] for c in choices].count("tail") == fallbacks

    scored = run("evaluate.py", f"submission={submission}", f"truth={trick_root / 'answer' / 'test_labels.csv'}",
                 cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    hidden = json.loads((out / "hidden_test_score.json").read_text())
    assert scored.stdout.startswith(f"public accuracy: {hidden['public']:.4f} (n={hidden['n_public']})")


def test_train_velocity_writes_a_json_submission_in_the_test_frame(velocity_root, tmp_path):
    out = tmp_path / "run"
    done = run("train.py", "task=velocity", "model=compact_cnn1d", f"data.root={velocity_root}",
               f"hydra.run.dir={out}", *FAST, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    submission = json.loads((out / "submission.json").read_text())
    assert sorted(submission) == ["sub1", "sub2", "sub3", "sub4"]
    assert len(submission["sub1"]) == 24 and len(submission["sub1"]["trial1"]) == 30
    scored = run("evaluate.py", f"submission={out / 'submission.json'}",
                 f"truth={velocity_root / 'answer' / 'test_answer.json'}", "private=true", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert "public rmse" in scored.stdout and "private rmse" in scored.stdout


def test_baseline_runs_under_the_same_split_and_writes_a_submission(trick_root, tmp_path):
    out = tmp_path / "run"
    done = run("baselines/run.py", f"data.root={trick_root}", f"hydra.run.dir={out}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (out / "submission.csv").is_file()
    assert json.loads((out / "metrics.json").read_text())["model"] == "baseline:tangent_space"


def test_a_wrong_data_root_is_one_clear_error(tmp_path):
    done = run("train.py", f"data.root={tmp_path / 'missing'}", *FAST, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert str(tmp_path / "missing") in done.stderr + done.stdout


def test_optuna_sweep_runs_two_trials_and_records_the_best(trick_root, tmp_path):
    done = run("train.py", "-m", "hparams_search=optuna", "hydra.sweeper.n_trials=2", "model=compact_cnn1d",
               f"data.root={trick_root}", "trainer.max_epochs=1",
               "trainer.lightning.enable_progress_bar=false", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "alembic" not in done.stdout + done.stderr
    (sweep,) = (tmp_path / "multirun" / "trick").iterdir()      # the documented default folder
    results = (sweep / "optimization_results.yaml").read_text()
    assert "best_params" in results and "best_value" in results
    assert len(list(sweep.glob("[0-9]*/metrics.json"))) == 2
    assert not list(sweep.glob("*/submission.csv"))               # the sweep config turns submissions off


def test_model_auto_blends_candidates_chosen_inside_each_training_fold(trick_root, tmp_path):
    out = tmp_path / "run"
    done = run("train.py", "model=auto", "auto_candidates=[compact_cnn1d,fb_logvar_lda,xdawn_tangent_space]",
               f"data.root={trick_root}", f"hydra.run.dir={out}", *FAST, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == "auto" and metrics["selection"]["rule"] == "auto"
    assert metrics["selection"]["candidates"] == ["compact_cnn1d", "fb_logvar_lda", "xdawn_tangent_space"]
    choices = json.loads((out / "auto_choices" / "subject0_choices.json").read_text())
    assert [c["fold"] for c in choices] == ["subject0_val-train1", "subject0_val-train2", "subject0_val-train3"]
    for choice in choices:
        assert set(choice["inner_scores"]) == {"compact_cnn1d", "fb_logvar_lda", "xdawn_tangent_space"}
        assert 1 <= len(choice["blend"]) <= 3
    assert len(pd.read_csv(out / "submission.csv", header=None)) == 20


def test_a_classical_decoder_is_a_model_like_any_other(velocity_root, tmp_path):
    out = tmp_path / "run"
    done = run("train.py", "task=velocity", "model=emg_td_ridge", f"data.root={velocity_root}",
               f"hydra.run.dir={out}", *FAST, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["model"] == "emg_td_ridge" and metrics["selection"]["rule"] == "estimator"
    assert metrics["overall"]["val_rmse"] < metrics["overall"]["chance_rmse"]
    assert (out / "submission.json").is_file()
