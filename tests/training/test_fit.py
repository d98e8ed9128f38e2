"""Learning checks and contracts of the Lightning fitting path on planted-signal data."""

from functools import partial

import numpy as np
import pandas as pd
import pytest
import torch

from cyborg.evaluation.splits import make_folds
from cyborg.experiment import run_experiment
from cyborg.preprocessing import RemoveDC
from cyborg.preprocessing.side import SideTransform
from cyborg.tasks.base import Task, TaskData
from cyborg.training.decoder import Decoder
from cyborg.training.fit import TrainSettings, fit_ensemble
from cyborg.trials import Trials
from helpers import make_trials

QUIET = {"enable_progress_bar": False, "accelerator": "cpu"}


def _planted_classes(n=90, seed=0):
    rng = np.random.default_rng(seed)
    y = np.tile([0, 1, 2], n // 3)
    X = rng.normal(size=(n, 8, 150)) + 40.0          # offsets that RemoveDC takes away
    X[:, 2] += (y[:, None] - 1) * np.linspace(-3, 3, 150)  # a class-dependent slow drift
    trials = make_trials(X, y, sessions=np.repeat(["train1", "train2", "train3"], n // 3))
    trials.info["margin"] = 0
    return trials


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run")
    settings = TrainSettings(max_epochs=30, seed=0, trainer=QUIET)
    result = run_experiment(
        Task(), TaskData(train=_planted_classes()), model_name="compact_cnn1d", model_params={},
        steps=[RemoveDC()], fitter=partial(fit_ensemble, settings=settings),
        split={"protocol": "leave_one_session_out", "per_subject": True}, run_dir=run_dir)
    return result


def test_classifier_beats_chance_on_held_out_sessions(fitted):
    overall = fitted.overall
    assert overall["chance_accuracy"] == pytest.approx(1 / 3, abs=0.01)
    assert overall["val_accuracy"] > overall["chance_accuracy"] + 0.25


def test_run_folder_holds_metrics_manifest_report_and_decoder(fitted):
    names = {p.name for p in fitted.run_dir.iterdir()}
    assert {"metrics.json", "per_subject.csv", "split_manifest.csv", "oof_predictions.csv",
            "report.md", "confusion.png", "decoders"} <= names
    manifest = pd.read_csv(fitted.run_dir / "split_manifest.csv")
    for _, fold in manifest.groupby("fold"):
        train = set(fold[fold.role == "train"].session)
        assert train.isdisjoint(fold[fold.role == "val"].session)


def test_decoder_save_load_reproduces_predictions(fitted, tmp_path):
    decoder = fitted.decoders["s0"]
    trials = _planted_classes(n=30, seed=1)
    before = decoder.predict_output(trials)
    again = Decoder.load(decoder.save(tmp_path / "decoder.pt")).predict_output(trials)
    np.testing.assert_array_equal(before, again)
    assert before.shape == (30, 3) and np.allclose(before.sum(1), 1, atol=1e-5)


def test_normalisation_statistics_come_from_the_training_fold_only(fitted):
    decoder = fitted.decoders["s0"]
    trials = _planted_classes()
    everything = RemoveDC().transform(trials).X.std(axis=(0, 2))
    for member in decoder.members:
        held_out = member.name.split("val-")[1]
        training_fold = RemoveDC().transform(trials.subset((trials.metadata.session != held_out).to_numpy()))
        np.testing.assert_allclose(member.scaler.scale_[:, 0], training_fold.X.std(axis=(0, 2)), rtol=1e-4)
        assert not np.allclose(member.scaler.scale_[:, 0], everything, rtol=1e-3)


def test_regressor_learns_and_side_transform_maps_the_other_side(tmp_path):
    rng = np.random.default_rng(0)
    n, steps = 120, 5
    amplitude = rng.uniform(-1, 1, size=(n, 3))
    X = rng.normal(scale=0.3, size=(n, 2, 100))
    X[:, 0] += amplitude[:, 0, None]                 # right channel drives vx
    X[:, 1] += amplitude[:, 1, None]                 # left channel drives vy
    y = np.repeat(amplitude[:, None, :], steps, axis=1).astype(np.float32)
    y[..., 2] = 0.0
    side = np.array(["train"] * 100 + ["test"] * 20)
    subject = np.array(["0001"] * 100 + ["0005"] * 20)
    # the other side: stance flipped (channels swapped) and x, y negated
    X[side == "test"] = X[side == "test"][:, ::-1]
    y[side == "test"] *= np.array([-1, -1, 1], dtype=np.float32)
    trials = Trials(X=X.astype(np.float32), y=y, sfreq=200.0, ch_names=["TA R", "TA L"],
                    metadata=pd.DataFrame({"subject": subject, "side": side, "trial": np.arange(n)}),
                    target_names=("vx", "vy", "vz"))

    class SideTask(Task):
        def decoder_template(self, trials, model_name, model_params, steps=None):
            decoder = super().decoder_template(trials, model_name, model_params, steps)
            decoder.side_transform = SideTransform()
            return decoder

    settings = TrainSettings(max_epochs=40, lr=3e-3, seed=0, trainer=QUIET)
    result = run_experiment(
        SideTask(), TaskData(train=trials), model_name="tcn", model_params={},
        steps=[], fitter=partial(fit_ensemble, settings=settings),
        split={"protocol": "side_transfer", "per_subject": False, "args": {"reference_subject": "0005"}},
        run_dir=tmp_path)
    assert result.overall["val_rmse"] < 0.6 * result.overall["chance_rmse"]


def test_pretraining_on_other_subjects_gives_every_fold_its_weights(tmp_path):
    trials = _planted_classes(n=60)
    others = _planted_classes(n=30, seed=2)
    decoder = Task().decoder_template(trials, "compact_cnn1d", {})
    settings = TrainSettings(max_epochs=0, pretrain_epochs=2, seed=0, trainer=QUIET)
    folds = make_folds("leave_one_session_out", trials.metadata)
    fitted, _ = fit_ensemble(decoder, trials, folds, tmp_path, steps=[], settings=settings, others=others)
    fresh = decoder.build().state_dict()
    first = fitted.members[0].state_dict
    changed = [k for k in first if first[k].dtype.is_floating_point and not torch.equal(first[k], fresh[k])]
    assert changed, "pre-training left the weights at their initial values"
    for member in fitted.members[1:]:
        assert all(torch.equal(member.state_dict[k], first[k]) for k in first)


def test_standardised_targets_are_undone_at_prediction(tmp_path):
    rng = np.random.default_rng(3)
    angle = rng.uniform(20, 80, size=60)                      # degrees, far from zero
    X = rng.normal(scale=0.2, size=(60, 2, 50)) + ((angle - 50) / 30)[:, None, None]
    trials = Trials(X=X.astype(np.float32), y=angle[:, None, None].astype(np.float32), sfreq=100.0,
                    ch_names=["a", "b"], metadata=pd.DataFrame({"subject": "s", "trial": np.arange(60)}),
                    target_names=("knee_angle",))
    decoder = Task().decoder_template(trials, "compact_cnn1d", {})
    settings = TrainSettings(max_epochs=30, lr=3e-3, loss="mse", standardize_targets=True, seed=0, trainer=QUIET)
    from cyborg.training.fit import fit_member
    member = fit_member(decoder, [], trials.subset(range(45)), trials.subset(range(45, 60)), settings, tmp_path, "m")
    assert member.target_stats[0] == pytest.approx(angle[:45].mean(), rel=1e-5)
    decoder.members.append(member)
    predicted = decoder.predict(trials.subset(range(45, 60)))[:, 0, 0]
    error = np.sqrt(np.mean((predicted - angle[45:]) ** 2))
    assert error < 0.5 * angle[45:].std()                     # in degrees again, and learnt


def test_the_model_is_built_for_the_window_the_steps_produce():
    from cyborg.preprocessing import Resample

    rng = np.random.default_rng(4)
    trials = make_trials(rng.normal(size=(6, 4, 300)), np.tile([0, 1, 2], 2), sfreq=500.0)
    trials.info["margin"] = 25
    plain = Task().decoder_template(trials, "compact_cnn1d", {})
    assert (plain.n_times, plain.model_kwargs["sfreq"]) == (250, 500.0)
    resampled = Task().decoder_template(trials, "compact_cnn1d", {}, steps=[Resample(sfreq=250.0)])
    assert (resampled.n_times, resampled.model_kwargs["sfreq"]) == (125, 250.0)



def test_windows_shorter_than_the_model_input_are_refused():
    from cyborg.errors import DataFormatError
    from cyborg.preprocessing import Pipeline
    from cyborg.training.decoder import Member

    decoder = Task().decoder_template(make_trials(np.zeros((3, 4, 100)), np.arange(3)), "compact_cnn1d", {})
    short = make_trials(np.zeros((3, 4, 80)), np.arange(3))
    with pytest.raises(DataFormatError, match=r"window samples after preprocessing': expected >= 100, found 80"):
        decoder.model_input(Member(pipeline=Pipeline(), name="m"), short)
