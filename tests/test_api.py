"""cyborg.api.fit_decoder and cyborg.config.compose: fit -> predict -> save -> load from Python."""

from __future__ import annotations

import numpy as np
import pytest
from omegaconf import DictConfig

from cyborg.api import fit_decoder
from cyborg.config import available_tasks, compose, config_dir
from cyborg.errors import ConfigError
from cyborg.training.decoder import Decoder
from cyborg.training.fit import TrainSettings
from tests.helpers import make_trials, planted_two_class_trials

QUIET = {"enable_progress_bar": False}


def test_network_round_trip(tmp_path):
    trials = planted_two_class_trials()
    settings = TrainSettings(max_epochs=2, batch_size=16, trainer=QUIET)
    decoder = fit_decoder(trials, "compact_cnn1d", settings=settings, run_dir=tmp_path / "run")
    assert isinstance(decoder, Decoder) and [m.name for m in decoder.members] == ["all"]
    assert decoder.class_names == ("a", "b") and decoder.model_kwargs["n_chans"] == 4
    predicted = decoder.predict(trials)
    assert predicted.shape == (80,) and set(np.unique(predicted)) <= {0, 1}
    loaded = Decoder.load(decoder.save(tmp_path / "decoder.pt"))
    np.testing.assert_array_equal(loaded.predict(trials), predicted)
    np.testing.assert_allclose(loaded.predict_output(trials), decoder.predict_output(trials), rtol=1e-6)


def test_classical_round_trip_with_preprocessing(tmp_path):
    rng = np.random.default_rng(0)
    y = np.tile([0, 1], 30)
    X = rng.normal(size=(60, 4, 64))
    X[:, 1] *= 1 + 2 * y[:, None]  # class b: 3 times the amplitude on channel 1
    trials = make_trials(X, y, class_names=("a", "b"))
    steps = [{"_target_": "cyborg.preprocessing.steps.Resample", "sfreq": 250.0}]
    decoder = fit_decoder(trials, "fb_logvar_lda", preprocessing=steps)
    assert decoder.members[0].estimator is not None and decoder.n_times == 32  # 64 samples at 500 Hz -> 250 Hz
    predicted = decoder.predict(trials)
    assert (predicted == trials.y).mean() > 0.9  # log-variance tells the classes apart
    loaded = Decoder.load(decoder.save(tmp_path / "lda.pt"))
    np.testing.assert_array_equal(loaded.predict(trials), predicted)


def test_a_classical_decoder_fitted_without_a_class_gives_it_probability_zero():
    # a training fold (or an inner split) can lack a class that the task has: the output keeps every class
    rng = np.random.default_rng(1)
    y = np.tile([0, 2], 30)
    X = rng.normal(size=(60, 4, 64))
    X[:, 1] *= 1 + 2 * (y[:, None] == 2)
    decoder = fit_decoder(make_trials(X, y), "fb_logvar_lda")
    output = decoder.predict_output(make_trials(X, y))
    assert output.shape == (60, 3) and np.all(output[:, 1] == 0)
    np.testing.assert_allclose(output.sum(axis=1), 1.0)
    assert (decoder.predict(make_trials(X, y)) == y).mean() > 0.9


def test_compose_gives_the_task_defaults():
    cfg = compose("velocity")
    assert isinstance(cfg, DictConfig)
    assert cfg.model.name == "scalogram_cnn" and cfg.split.protocol == "side_transfer"
    assert cfg.task._target_ == "cyborg.tasks.velocity.VelocityTask" and cfg.objective == "val_rmse"
    trick = compose(overrides=["model=eegnet", "trainer.max_epochs=3"])
    assert trick.task_name == "trick" and trick.model.name == "eegnet" and trick.trainer.max_epochs == 3
    assert compose("trick").model.name == "xdawn_csp_stack"
    default = compose("trick", ["model=auto"])  # the task's auto: the aligned and unaligned xdawn_tangent_lda
    assert default.model.params.inner_split == "mirror"
    assert default.model.params.max_blend == 1 and compose("velocity", ["model=auto"]).model.params.max_blend == 3
    assert default.model.params.candidates[1] == {"name": "xdawn_tangent_lda", "preprocessing": "eeg_window"}
    assert compose("velocity", ["model=auto"]).model.params.inner_split == "tail"
    assert (config_dir() / "train.yaml").is_file() and {"trick", "velocity"} <= set(available_tasks())


def test_compose_refuses_an_unknown_task():
    with pytest.raises(ConfigError, match=r"compose: task: expected one of \[.*'trick'.*\], found 'tricks'"):
        compose("tricks")
