"""model=auto: the blend chosen on held-out training trials, saved as one Decoder."""

import json

import numpy as np
import pandas as pd
import pytest

from cyborg.errors import ConfigError
from cyborg.evaluation.splits import make_folds
from cyborg.tasks.base import Task
from cyborg.training.auto import (Candidate, choose_blend, fit_auto, inner_score, mirrored_inner_split,
                                  rotated_inner_splits)
from cyborg.training.decoder import Blend, Decoder
from cyborg.training.fit import TrainSettings
from cyborg.training.progress import RUN
from helpers import make_trials


def test_inner_score_is_accuracy_with_a_likelihood_tie_break_or_minus_rmse():
    probabilities = np.array([[0.9, 0.1], [0.4, 0.6], [0.7, 0.3]])
    y = np.array([0, 1, 1])
    expected = 2 / 3 + 1e-3 * np.mean(np.log([0.9, 0.6, 0.3]))
    assert inner_score(probabilities, y, True) == pytest.approx(expected)
    assert inner_score(np.zeros((2, 3, 1)), np.full((2, 3, 1), 2.0), False) == pytest.approx(-2.0)


def test_the_blend_is_the_best_single_candidate_unless_a_mean_of_the_best_beats_it():
    y = np.array([0, 1, 0, 1])
    right = np.eye(2)[y] * 0.6 + 0.2                        # every trial right, 0.8 confident
    wrong_half = np.array([[0.8, 0.2], [0.8, 0.2], [0.8, 0.2], [0.8, 0.2]])
    outputs = [wrong_half, right, wrong_half]
    scores = [inner_score(o, y, True) for o in outputs]
    assert choose_blend(scores, outputs, y, True, max_blend=3)[0] == [1]
    # two complementary candidates, each right on half the trials: their mean is right on all
    a = np.array([[0.9, 0.1], [0.45, 0.55], [0.45, 0.55], [0.1, 0.9]])
    b = np.array([[0.45, 0.55], [0.1, 0.9], [0.9, 0.1], [0.45, 0.55]])
    scores = [inner_score(o, y, True) for o in (a, b)]
    chosen, score = choose_blend(scores, [a, b], y, True, max_blend=3)
    assert sorted(chosen) == [0, 1] and score > max(scores)


def test_the_mirrored_inner_split_holds_out_what_the_outer_split_holds_out():
    def meta(subjects, sessions):
        return pd.DataFrame({"subject": list(subjects), "session": list(sessions)})

    # the outer fold holds out a session: each training subject's last session is held out
    train = meta("aaaabbbb", ["s1", "s1", "s2", "s2", "s2", "s2", "s1", "s1"])
    fit_rows, check_rows, held_out = mirrored_inner_split(train, meta("ab", ["s3", "s3"]), 0.25)
    assert held_out == "session"
    assert check_rows.tolist() == [2, 3, 6, 7] and fit_rows.tolist() == [0, 1, 4, 5]
    # the outer fold holds out a subject: the training fold's last subject is held out
    fit_rows, check_rows, held_out = mirrored_inner_split(train, meta("c", ["s1"]), 0.25)
    assert (held_out, check_rows.tolist()) == ("subject", [4, 5, 6, 7])
    # validation trials from the training sessions: the end of each (subject, session)
    _, check_rows, held_out = mirrored_inner_split(train, meta("a", ["s1"]), 0.5)
    assert (held_out, check_rows.tolist()) == ("tail", [1, 3, 5, 7])
    # a new session, but a training subject with one session only: the end of each session too
    one_session = meta("aaaabbbb", ["s1"] * 6 + ["s2", "s2"])
    assert mirrored_inner_split(one_session, meta("a", ["s9"]), 0.25)[2] == "tail"


def test_the_rotated_inner_splits_hold_out_each_session_or_subject_in_turn():
    def meta(subjects, sessions):
        return pd.DataFrame({"subject": list(subjects), "session": list(sessions)})

    # subject b has a third session: it is held out alone in the third split
    train = meta("aaaabbbbbb", ["s1", "s1", "s2", "s2", "s2", "s2", "s1", "s1", "s4", "s4"])
    splits, held_out = rotated_inner_splits(train, meta("ab", ["s3", "s3"]), 0.25)
    assert held_out == "session"
    assert [check.tolist() for _, check in splits] == [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9]]
    assert all(sorted(fit.tolist() + check.tolist()) == list(range(10)) for fit, check in splits)
    splits, held_out = rotated_inner_splits(train, meta("c", ["s1"]), 0.25)
    assert (held_out, [check.tolist() for _, check in splits]) == ("subject", [[0, 1, 2, 3], [4, 5, 6, 7, 8, 9]])
    # no group to rotate: the one tail split of mirrored_inner_split
    splits, held_out = rotated_inner_splits(train, meta("a", ["s1"]), 0.5)
    assert (held_out, len(splits)) == ("tail", 1)


def test_a_candidate_entry_is_a_name_or_a_mapping():
    assert Candidate.parse("fb_logvar_lda") == Candidate("fb_logvar_lda")
    assert Candidate.parse({"name": "tcn", "params": {"depth": 2}}) == Candidate("tcn", {"depth": 2})
    with pytest.raises(ConfigError, match="model.params.candidates"):
        Candidate.parse({"params": {}})
    own = Candidate.parse({"name": "xdawn_tangent_lda", "preprocessing": "eeg_window"})
    assert own.label == "xdawn_tangent_lda preprocessing=eeg_window"
    assert [step["_target_"].rsplit(".", 1)[1] for step in own.steps([])] == ["DeadChannels", "RemoveDC", "BandPass"]
    assert Candidate("fb_logvar_lda").steps(["shared"]) == ["shared"]
    with pytest.raises(ConfigError, match=r"xdawn_tangent_lda: preprocessing.*eeg_windwo"):
        Candidate.parse({"name": "xdawn_tangent_lda", "preprocessing": "eeg_windwo"})
    with pytest.raises(ConfigError, match="model.params.candidates"):
        Candidate.parse({"name": "xdawn_tangent_lda", "preprocesing": "eeg_window"})


def test_fit_auto_learns_planted_band_power_and_saves_one_decoder(tmp_path):
    rng = np.random.default_rng(0)
    y = np.tile([0, 1], 45)
    X = rng.normal(size=(90, 6, 250))
    X[y == 0, 0] *= 2.0                                      # class 0: more power on channel 0
    X[y == 1, 1] *= 2.0
    trials = make_trials(X, y, sfreq=250.0, class_names=("a", "b"),
                         sessions=np.repeat(["s1", "s2", "s3"], 30))
    template = Task().decoder_template(trials, "auto", {})
    folds = make_folds("leave_one_session_out", trials.metadata)
    settings = TrainSettings(max_epochs=2, seed=0, trainer={"enable_progress_bar": False, "accelerator": "cpu"})
    fitted, oof = fit_auto(template, trials, folds, tmp_path, "s0_", steps=[], settings=settings,
                           candidates=["compact_cnn1d", "fb_logvar_lda"])
    assert (oof["pred"] == oof["true"]).mean() > 0.85
    assert all(isinstance(m.estimator, Blend) for m in fitted.members)
    again = Decoder.load(fitted.save(tmp_path / "auto.pt"))
    np.testing.assert_array_equal(again.predict_output(trials), fitted.predict_output(trials))
    assert (tmp_path / "auto_choices" / "s0_choices.json").is_file()


@pytest.mark.parametrize("inner_split, inner_folds", [("mirror", 1), ("rotate", 2)])
def test_a_candidate_with_its_own_preprocessing_is_fitted_and_predicts_through_it(tmp_path, inner_split, inner_folds):
    """The same decoder after the run's steps and after its own: the run's DeadChannels zeroes the one
    (wildly large) channel whose amplitude tells the classes apart, the candidate without it reads it,
    and the blend keeps that candidate's pipeline."""
    rng = np.random.default_rng(1)
    y = np.tile([0, 1], 75)
    X = rng.normal(size=(150, 4, 250))
    X[:, 0] *= np.where(y == 1, 200.0, 100.0)[:, None]       # channel 0: 100-200x the others, louder for class 1
    trials = make_trials(X, y, sfreq=250.0, class_names=("a", "b"), sessions=np.repeat(["s1", "s2", "s3"], 50))
    template = Task().decoder_template(trials, "auto", {})
    folds = make_folds("leave_one_session_out", trials.metadata)
    zero_wild = [{"_target_": "cyborg.preprocessing.DeadChannels", "mode": "zero", "wild_ratio": 20.0}]
    candidates = ["xdawn_tangent_lda", {"name": "xdawn_tangent_lda", "preprocessing": "none"}]
    fitted, oof = fit_auto(template, trials, folds, tmp_path, "s0_", steps=zero_wild,
                           settings=TrainSettings(max_epochs=1, seed=0), candidates=candidates, inner_split=inner_split)
    choices = json.loads((tmp_path / "auto_choices" / "s0_choices.json").read_text())
    for fold in choices:
        assert fold["inner_split"] == "session"                # the outer folds hold out sessions
        assert fold["inner_folds"] == inner_folds              # the training fold's two sessions in turn
        scores = fold["inner_scores"]
        assert scores["xdawn_tangent_lda preprocessing=none"] > scores["xdawn_tangent_lda"] + 0.2
        assert fold["blend"][0] == "xdawn_tangent_lda preprocessing=none"
    assert all(m.estimator.parts[0].members[0].pipeline.steps == [] for m in fitted.members)
    assert (oof["pred"] == oof["true"]).mean() > 0.9


@pytest.mark.parametrize("inner_split", ["mirror", "rotate"])
def test_a_candidate_that_cannot_fit_the_inner_trials_is_left_out_of_that_fold(tmp_path, inner_split):
    """8 trials a session: xDAWN's signal covariance of one session (8 windows of 72 channels, 0.5 s, projected
    on their cosines below 5 Hz) is singular, so it cannot fit a held-out-session split; log-variance LDA can.
    The progress plan (every candidate on one inner split, one refit) ends equal to the fits made."""
    rng = np.random.default_rng(2)
    y = np.tile([0, 1], 12)
    X = rng.normal(size=(24, 72, 250))
    X[:, :4] *= np.where(y == 1, 3.0, 1.0)[:, None, None]
    trials = make_trials(X, y, sfreq=500.0, class_names=("a", "b"), sessions=np.repeat(["s1", "s2", "s3"], 8))
    template = Task().decoder_template(trials, "auto", {})
    folds = make_folds("leave_one_session_out", trials.metadata)
    RUN.start({"s0": len(folds) * 3})
    try:
        fit_auto(template, trials, folds, tmp_path, "s0_", steps=[], settings=TrainSettings(max_epochs=1, seed=0),
                 candidates=["xdawn_tangent_lda", "fb_logvar_lda"], inner_split=inner_split)
        assert RUN.done == RUN.total == len(folds) * (2 if inner_split == "mirror" else 3)
    finally:
        RUN.start()
    for fold in json.loads((tmp_path / "auto_choices" / "s0_choices.json").read_text()):
        assert fold["inner_split"] == "session" and fold["inner_folds"] == (1 if inner_split == "mirror" else 2)
        assert list(fold["not_fitted"]) == ["xdawn_tangent_lda"]
        assert "not positive definite" in fold["not_fitted"]["xdawn_tangent_lda"]
        assert list(fold["inner_scores"]) == ["fb_logvar_lda"] and fold["blend"] == ["fb_logvar_lda"]


def test_split_refit_saves_one_decoder_chosen_and_fitted_on_every_trial_beside_the_folds_scores(tmp_path):
    """``split.refit``: the out-of-fold table is the folds' own, the saved decoder is the same auto fit (its
    choice included) made once more on every trial, and the progress plan counts that fit."""
    from functools import partial

    from cyborg.evaluation.splits import refit_fold
    from cyborg.experiment import run_experiment
    from cyborg.tasks.base import TaskData
    from cyborg.training.progress import planned_fits

    rng = np.random.default_rng(1)
    y = np.tile([0, 1], 60)
    X = rng.normal(size=(120, 4, 250))
    X[:, 0] *= np.where(y == 1, 200.0, 100.0)[:, None]
    trials = make_trials(X, y, sfreq=250.0, class_names=("a", "b"), sessions=np.repeat(["s1", "s2", "s3"], 40))
    trials.info["margin"] = 0
    candidates = ["xdawn_tangent_lda", {"name": "xdawn_tangent_lda", "preprocessing": "none"}]
    fitter = partial(fit_auto, settings=TrainSettings(max_epochs=1, seed=0), candidates=candidates,
                     inner_split="mirror")
    runs = {}
    for refit in (False, True):
        split = {"protocol": "leave_one_session_out", "per_subject": True, "refit": refit}
        RUN.start(planned_fits(trials.metadata, split, "subject", len(candidates) + 1))
        try:
            runs[refit] = run_experiment(Task(), TaskData(train=trials), model_name="auto", model_params={},
                                         steps=[], fitter=fitter, split=split, run_dir=tmp_path / str(refit))
            assert RUN.done == RUN.total == (3 + refit) * 3
        finally:
            RUN.start()
    folds, refitted = runs[False].decoders["s0"], runs[True].decoders["s0"]
    assert [m.name for m in folds.members] == ["s0_val-s1", "s0_val-s2", "s0_val-s3"]
    assert [m.name for m in refitted.members] == ["s0_refit_all"]
    oof = [pd.read_csv(tmp_path / str(refit) / "oof_predictions.csv") for refit in (False, True)]
    pd.testing.assert_frame_equal(*oof)
    assert runs[True].overall["val_accuracy"] == runs[False].overall["val_accuracy"] > 0.9
    choice, = json.loads((tmp_path / "True" / "auto_choices" / "s0_refit_choices.json").read_text())
    assert (choice["fold"], choice["inner_split"]) == ("s0_refit_all", "session")   # s3 held out of s1-s3
    alone, _ = fit_auto(Task().decoder_template(trials, "auto", {}), trials, [refit_fold(len(trials))],
                        tmp_path / "alone", "s0_refit_", steps=[], settings=TrainSettings(max_epochs=1, seed=0),
                        candidates=candidates, inner_split="mirror")
    np.testing.assert_array_equal(refitted.predict_output(trials), alone.predict_output(trials))
    assert not np.array_equal(refitted.predict_output(trials), folds.predict_output(trials))
    recorded = json.loads((tmp_path / "True" / "metrics.json").read_text())["selection"]
    assert "all of the group's trials" in recorded["refit"]
    assert f"- refit: {recorded['refit']}" in (tmp_path / "True" / "report.md").read_text()
    assert "refit" not in json.loads((tmp_path / "False" / "metrics.json").read_text())["selection"]
