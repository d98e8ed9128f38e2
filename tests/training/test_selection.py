"""Honest selection: nothing that is chosen (epoch, checkpoint, early stop) sees the fold that is scored."""

import json
from functools import partial

import numpy as np
import pandas as pd
import pytest
import torch

from cyborg.errors import ConfigError
from cyborg.experiment import run_experiment
from cyborg.tasks.base import Task, TaskData
from cyborg.training.fit import TrainSettings, fit_ensemble, fit_member, inner_split
from helpers import make_trials, planted_two_class_trials

QUIET = {"enable_progress_bar": False, "accelerator": "cpu"}


def _noise_trials(n=90, seed=0):
    """Labels with no relation to the signal: any score above chance is selection luck."""
    rng = np.random.default_rng(seed)
    trials = make_trials(rng.normal(size=(n, 6, 64)), rng.integers(0, 2, n), class_names=("a", "b"),
                         sessions=np.repeat(["s1", "s2", "s3"], n // 3))
    trials.info["margin"] = 0
    return trials


@pytest.mark.parametrize("selection", ["last", "inner"])
def test_the_scored_folds_labels_do_not_change_the_fitted_weights(tmp_path, selection):
    trials = planted_two_class_trials(seed=2)
    decoder = Task().decoder_template(trials, "compact_cnn1d", {})
    settings = TrainSettings(max_epochs=6, lr=3e-3, batch_size=16, seed=0, selection=selection, trainer=QUIET)
    train, val = trials.subset(range(60)), trials.subset(range(60, 80))
    flipped = val.subset(range(len(val)))
    flipped.y = 1 - flipped.y
    first = fit_member(decoder, [], train, val, settings, tmp_path / "a", "m")
    second = fit_member(decoder, [], train, flipped, settings, tmp_path / "b", "m")
    assert all(torch.equal(first.state_dict[k], second.state_dict[k]) for k in first.state_dict)


def test_reported_scores_are_the_last_epoch_not_the_best_on_the_scored_fold(tmp_path):
    settings = TrainSettings(max_epochs=20, lr=3e-3, batch_size=16, seed=0, trainer=QUIET)
    result = run_experiment(
        Task(), TaskData(train=_noise_trials()), model_name="compact_cnn1d", model_params={}, steps=[],
        fitter=partial(fit_ensemble, settings=settings),
        split={"protocol": "leave_one_session_out", "per_subject": True}, run_dir=tmp_path,
        selection=settings.describe())
    oof = pd.read_csv(tmp_path / "oof_predictions.csv")
    best, last, reported = [], [], []
    for fold, part in oof.groupby("fold"):
        log = pd.read_csv(tmp_path / "logs" / f"s0_{fold.replace('=', '-')}" / "metrics.csv")
        curve = log.dropna(subset=["val_acc"]).set_index("epoch")["val_acc"]
        best.append(curve.max())
        last.append(curve.iloc[-1])
        reported.append((part["pred"] == part["true"]).mean())
    # what the run reports is what the last epoch scored ...
    np.testing.assert_allclose(reported, last, atol=1e-6)
    # ... while picking each fold's best epoch on that fold would have looked better on pure noise
    assert np.mean(best) > np.mean(reported) + 0.05
    assert abs(result.overall["val_accuracy"] - 0.5) < 0.2
    recorded = json.loads((tmp_path / "metrics.json").read_text())["selection"]
    assert recorded["rule"] == "last" and "nothing chosen on validation data" in recorded["description"]


def test_inner_split_holds_out_the_end_of_every_session():
    metadata = pd.DataFrame({"subject": "s", "session": ["a"] * 10 + ["b"] * 5})
    fit_rows, check_rows = inner_split(metadata, 0.2)
    np.testing.assert_array_equal(check_rows, [8, 9, 14])
    np.testing.assert_array_equal(fit_rows, [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13])


def test_inner_split_refuses_a_fold_too_small_to_hold_out():
    with pytest.raises(ConfigError, match="trainer.inner_fraction"):
        inner_split(pd.DataFrame({"session": ["a"]}), 0.2)


def test_early_stopping_without_an_inner_split_is_refused():
    with pytest.raises(ConfigError, match=r"'trainer.early_stopping_patience': expected trainer.selection=inner"):
        TrainSettings(early_stopping_patience=5)
    with pytest.raises(ConfigError, match=r"trainer.selection: expected one of \['last', 'inner'\], found 'best'"):
        TrainSettings(selection="best")


def test_a_seed_ensemble_per_fold_is_scored_as_one(tmp_path):
    trials = planted_two_class_trials(seed=3)
    trials.metadata["session"] = np.repeat(["s1", "s2"], 40)
    trials.info["margin"] = 0
    settings = TrainSettings(max_epochs=3, lr=3e-3, batch_size=16, seed=4, members_per_fold=2, trainer=QUIET)
    result = run_experiment(
        Task(), TaskData(train=trials), model_name="compact_cnn1d", model_params={}, steps=[],
        fitter=partial(fit_ensemble, settings=settings),
        split={"protocol": "leave_one_session_out", "per_subject": True}, run_dir=tmp_path)
    decoder = result.decoders["s0"]
    assert [m.name for m in decoder.members] == ["s0_val-s1", "s0_val-s1_seed5", "s0_val-s2", "s0_val-s2_seed5"]
    held_out = trials.where(session="s1")
    from dataclasses import replace
    both = replace(decoder, members=decoder.members[:2]).predict(held_out)
    oof = pd.read_csv(tmp_path / "oof_predictions.csv").query("fold == 'val=s1'")
    np.testing.assert_array_equal(oof["pred"].to_numpy(), both)
    with pytest.raises(ConfigError, match="trainer.members_per_fold"):
        TrainSettings(members_per_fold=0)
