"""Run reports: metrics.json and report.md from an out-of-fold table, figures, oof label names."""

import json

import numpy as np
import pandas as pd
import pytest

from cyborg.evaluation import reports
from cyborg.experiment import _save_oof, write_report

CLASSES = ("frontside_kickturn", "backside_kickturn", "pumping")


def oof_table() -> pd.DataFrame:
    """Two subjects; class 0: 3 of 4 right, class 1: 0 of 2, class 2: 2 of 2 (accuracy 5/8)."""
    true = [0, 0, 0, 0, 1, 1, 2, 2]
    pred = [0, 0, 0, 1, 0, 0, 2, 2]
    return pd.DataFrame({"subject": ["s1"] * 4 + ["s2"] * 4, "trial": range(8), "fold": "val=train1",
                         "true": true, "pred": pred, "group": ["s1"] * 4 + ["s2"] * 4})


def record(tmp_path, **provenance) -> dict:
    per_group = [{"group": "s1", "n_val": 4, "val_accuracy": 0.75}, {"group": "s2", "n_val": 4, "val_accuracy": 0.5}]
    metrics = {"task": "trick", "model": "compact_cnn1d", "run": reports.provenance(**provenance),
               "overall": {"val_accuracy": 0.625, "fit_seconds": 1.5}, "selection": {"rule": "last",
                                                                                   "description": "last epoch"},
               "per_subject": per_group}
    write_report(metrics, oof_table(), tmp_path, class_names=CLASSES, target_sfreq=60.0)
    return json.loads((tmp_path / "metrics.json").read_text())


def test_metrics_json_has_per_class_scores_and_balanced_accuracy_of_the_oof_table(tmp_path):
    found = record(tmp_path)["classification"]
    per_class = found["per_class"]
    assert per_class["frontside_kickturn"] == pytest.approx({"precision": 3 / 5, "recall": 3 / 4,
                                                             "f1": 2 / 3, "support": 4})
    assert per_class["backside_kickturn"] == pytest.approx({"precision": 0.0, "recall": 0.0,
                                                            "f1": 0.0, "support": 2})
    assert per_class["pumping"] == pytest.approx({"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2})
    assert found["balanced_accuracy"] == pytest.approx((3 / 4 + 0 + 1) / 3)
    assert found["macro_f1"] == pytest.approx((2 / 3 + 0 + 1) / 3)
    # s1: only class 0 is true (recall 3/4); s2: class 1 recall 0, class 2 recall 1
    assert found["balanced_accuracy_per_group"] == pytest.approx({"s1": 3 / 4, "s2": 1 / 2})


def test_report_names_seed_overrides_commit_and_versions(tmp_path):
    metrics = record(tmp_path, seed=7, overrides=["model=eegnet", "trainer.max_epochs=3"])
    run = metrics["run"]
    assert run["seed"] == 7 and run["overrides"] == ["model=eegnet", "trainer.max_epochs=3"]
    assert set(run["versions"]) == set(reports.PACKAGES)
    assert run["git_commit"]
    text = (tmp_path / "report.md").read_text()
    assert "- seed: 7" in text
    assert "- overrides: `model=eegnet` `trainer.max_epochs=3`" in text
    assert f"- git commit: {run['git_commit']}" in text
    assert f"torch {run['versions']['torch']}" in text and f"scikit-learn {run['versions']['scikit-learn']}" in text
    for section in ("## Run", "## Per subject", "## Overall", "## Per class", "## Figures"):
        assert section in text
    assert "| backside_kickturn | 0.0000 | 0.0000 | 0.0000 | 2 |" in text
    assert "![confusion](confusion.png)" in text and (tmp_path / "confusion.png").stat().st_size > 0


def test_a_python_caller_without_seed_or_overrides_outside_a_checkout_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(reports, "_git", lambda repo, *args: None)
    run = record(tmp_path)["run"]
    assert run["seed"] is None and run["overrides"] is None
    assert run["git_commit"] == "not a git checkout" and run["git_modified"] is None
    text = (tmp_path / "report.md").read_text()
    assert "- seed: not recorded" in text and "- git commit: not a git checkout" in text
    assert "- overrides: not recorded" in text


def test_the_hidden_test_score_is_added_to_metrics_and_report(tmp_path):
    record(tmp_path, seed=0, overrides=[])
    assert "## Hidden test set" not in (tmp_path / "report.md").read_text()
    reports.record_hidden_score(tmp_path, {"metric": "accuracy", "public": 0.8, "private": None,
                                           "n_public": 10, "n_private": 10})
    assert json.loads((tmp_path / "metrics.json").read_text())["hidden_test"]["public"] == 0.8
    text = (tmp_path / "report.md").read_text()
    assert "- public accuracy: 0.8000 (n=10)" in text and "- private accuracy: not shown" in text
    assert "- overrides: none" in text


def test_oof_predictions_carry_the_class_names(tmp_path):
    _save_oof(oof_table(), tmp_path / "oof.csv", CLASSES)
    saved = pd.read_csv(tmp_path / "oof.csv")
    assert saved.true_name.tolist()[3:6] == ["frontside_kickturn", "backside_kickturn", "backside_kickturn"]
    assert saved.pred_name.tolist()[3:6] == ["backside_kickturn", "frontside_kickturn", "frontside_kickturn"]


def test_velocity_report_draws_traces_named_by_trial_and_unit(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.normal(size=(6, 30, 3)).astype(np.float32)
    oof = pd.DataFrame({"subject": ["0001"] * 3 + ["0002"] * 3, "side": "train", "trial": [1, 2, 3] * 2,
                        "fold": "f", "group": "all", "true": list(y), "pred": list(y + 0.1)})
    metrics = {"task": "velocity", "model": "m", "run": reports.provenance(), "overall": {"val_rmse": 0.17},
               "selection": {}, "per_subject": [{"group": "all", "val_rmse": 0.17}]}
    write_report(metrics, oof, tmp_path, class_names=None, target_sfreq=60.0, target_names=("vx", "vy", "vz"))
    assert json.loads((tmp_path / "metrics.json").read_text())["figures"] == ["traces.png"]
    assert "classification" not in json.loads((tmp_path / "metrics.json").read_text())
    assert reports.trial_label(oof.iloc[4]) == "0002, side train, trial 2"
    assert (reports.target_unit("vy"), reports.target_unit("knee_angle")) == ("m/s", "degrees")
