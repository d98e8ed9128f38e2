"""python -m cyborg.export: ONNX graphs + plain-parameter preprocessing reproduce Decoder.predict."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch
from omegaconf import OmegaConf

from cyborg.challenge import EEG_CHANNELS, EMG_CHANNELS
from cyborg.classical import CLASSICAL_DECODERS, build_classical, list_classical
from cyborg.config import compose
from cyborg.errors import ExportError
from cyborg.export import export_decoder, export_run
from cyborg.export.__main__ import main
from cyborg.export.preprocessing import pipeline_spec
from cyborg.export.run import run_input
from cyborg.models import build_model, list_models, model_kind, registry
from cyborg.online.onnx_runtime import OnnxDecoder, preprocess
from cyborg.preprocessing import (BandPass, DeadChannels, Envelope, EuclideanAlign, Notch, Pipeline, RemoveDC,
                                  Resample, SessionScale, SubjectScale)
from cyborg.tasks.trick import TrickTask
from cyborg.tasks.velocity import VelocityTask
from cyborg.training.decoder import Blend, Decoder, Member
from cyborg.training.fit import TrainSettings, fit_member
from cyborg.training.normalize import ChannelScaler
from cyborg.trials import Trials

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


def _trials(n_chans: int, n_times: int, sfreq: float, *, target_shape=None, n: int = 24, seed: int = 0,
            ch_names=None) -> Trials:
    """Noisy windows of two subjects (subject s1's channel 1 dead), two sessions, half on the test side."""
    rng = np.random.default_rng(seed)
    X = (rng.standard_normal((n, n_chans, n_times)) * rng.uniform(0.5, 2.0, (1, n_chans, 1)) + 3.0)
    X[n // 2:, 1] = 0.0
    metadata = pd.DataFrame({"subject": ["s0"] * (n // 2) + ["s1"] * (n - n // 2),
                             "session": np.tile(["a", "b"], n // 2), "side": np.tile(["train", "train", "test"],
                                                                                      n)[:n]})
    if target_shape is None:
        y, class_names = rng.integers(0, 3, n), ("a", "b", "c")
    else:
        y, class_names = rng.standard_normal((n, *target_shape)).astype(np.float32), None
    return Trials(X=X.astype(np.float32), y=y, metadata=metadata, sfreq=sfreq,
                  ch_names=list(ch_names or [f"ch{i}" for i in range(n_chans)]), class_names=class_names,
                  target_sfreq=None if target_shape is None else 60.0)


def _assert_parity(decoder: Decoder, trials: Trials, folder) -> OnnxDecoder:
    exported = OnnxDecoder.load(folder)
    meta = trials.metadata
    for subject in ("s0", "s1", "unseen"):  # training statistics, and an unseen subject's own
        expected = decoder.predict_output(replace(trials, metadata=meta.assign(subject=subject)))
        got = exported.predict_output(trials.X, subject=subject, session=list(meta["session"]),
                                      side=list(meta["side"]))
        np.testing.assert_allclose(got, expected, **TOLERANCE)
    np.testing.assert_allclose(exported.predict(trials.X, subject="s0", session=list(meta["session"]),
                                                side=list(meta["side"])),
                               decoder.predict(replace(trials, metadata=meta.assign(subject="s0"))), **TOLERANCE)
    return exported


def _fitted_default(task_name: str, task, trials: Trials, tmp_path, overrides: tuple[str, ...] = ()) -> Decoder:
    """The task's default model and preprocessing (configs/task/<name>.yaml): one member of one epoch, and a
    copy of it whose targets were standardised (trainer.standardize_targets), so the mean runs over two."""
    cfg = compose(task_name, list(overrides))
    steps = OmegaConf.to_container(cfg.preprocessing.steps, resolve=True)
    params = OmegaConf.to_container(cfg.model.params, resolve=True) or {}
    decoder = task.decoder_template(trials, cfg.model.name, params, steps)
    settings = TrainSettings(max_epochs=1, batch_size=8,
                             trainer={"enable_progress_bar": False, "accelerator": "cpu"})
    member = fit_member(decoder, steps, trials, None, settings, tmp_path, "m0")
    decoder.members = [member, replace(member, name="m1", target_stats=None if trials.is_classification
                                       else (0.5, 2.0))]
    return decoder


def test_the_trick_network_on_its_default_preprocessing_matches_the_torch_decoder(tmp_path):
    # The trick default (xdawn_csp_stack) is classical and does not export (test below): its network is.
    trials = _trials(8, 250, 500.0, ch_names=EEG_CHANNELS[:8])
    decoder = _fitted_default("trick", TrickTask(), trials, tmp_path / "run", ("model=compact_cnn1d",))
    assert decoder.model_name == "compact_cnn1d"
    folder = export_decoder(decoder, tmp_path / "out", ch_names=trials.ch_names, sfreq=500.0, n_times=250)
    spec = json.loads((folder / "decoder.json").read_text())
    assert [s["step"] for s in spec["members"][0]["preprocessing"]] == ["dead_channels", "remove_dc", "sosfilt",
                                                                        "session_scale", "euclidean_align"]
    assert spec["members"][0]["preprocessing"][0]["bad"] == {"s0": [], "s1": [1]}
    assert spec["output"] == {"kind": "classes", "class_names": ["a", "b", "c"]}
    _assert_parity(decoder, trials, folder)


def test_the_velocity_default_matches_the_torch_decoder_on_both_sides(tmp_path):
    trials = _trials(16, 1000, 2000.0, target_shape=(30, 3), n=12, ch_names=EMG_CHANNELS)
    task = VelocityTask(swap_lr=True)  # the side rule with the stance flip, the harder case
    decoder = _fitted_default("velocity", task, trials, tmp_path / "run")
    folder = export_decoder(decoder, tmp_path / "out", ch_names=trials.ch_names, sfreq=2000.0, n_times=1000)
    exported = _assert_parity(decoder, trials, folder)
    assert exported.spec["side_transform"]["swap_pairs"][0] == [0, 1]  # "TA R" <-> "TA L"
    assert exported.spec["side_transform"]["sign"] == [-1.0, -1.0, 1.0]
    assert exported.predict(trials.X[:2]).shape == (2, 30, 3)


def test_preprocessing_steps_replay_in_numpy():
    trials = _trials(6, 400, 1000.0, n=12)
    pipeline = Pipeline([DeadChannels(), RemoveDC(), Notch(50.0), BandPass(5.0, 200.0), SubjectScale(),
                         SessionScale(), EuclideanAlign(), Envelope(20.0), Resample(250.0)])
    expected = pipeline.fit_transform(trials).X
    steps, sfreq = pipeline_spec(pipeline, trials.sfreq, "test")
    assert sfreq == 250.0
    for subjects in (trials.metadata["subject"], np.full(len(trials), "unseen")):
        subjects = np.asarray(subjects, dtype=object)
        replayed = preprocess(trials.X, steps, trials.sfreq, subjects, trials.metadata["session"].to_numpy(object))
        reference = pipeline.transform(replace(trials, metadata=trials.metadata.assign(subject=subjects))).X
        np.testing.assert_allclose(replayed, reference, rtol=1e-5, atol=1e-6)
    assert expected.shape == (12, 6, 100)


def test_a_decoder_calibrated_on_one_session_exports_its_fixed_maps():
    trials = _trials(6, 400, 1000.0, n=12)
    pipeline = Pipeline([RemoveDC(), SessionScale(), EuclideanAlign()])
    pipeline.fit(trials)
    calibrated = pipeline.calibrate(trials.subset(np.arange(6)))
    steps, _ = pipeline_spec(calibrated, trials.sfreq, "test")
    assert [step["step"] for step in steps] == ["remove_dc", "channel_divide", "spatial_filter"]
    assert np.shape(steps[2]["matrix"]) == (6, 6)
    meta = trials.metadata
    replayed = preprocess(trials.X[6:], steps, trials.sfreq, meta["subject"].to_numpy(object)[6:],
                          np.full(6, "another session", dtype=object))
    np.testing.assert_allclose(replayed, calibrated.transform(trials.subset(np.arange(6, 12))).X, rtol=1e-5, atol=1e-6)


def _random_member(name: str, trials: Trials, n_outputs: int) -> tuple[Decoder, Member]:
    torch.manual_seed(0)
    pipeline = Pipeline([RemoveDC(), BandPass(None, 40.0)])
    X = pipeline.fit_transform(trials).X
    scaler = ChannelScaler().fit(X)
    kwargs = {"n_chans": trials.n_chans, "n_times": trials.n_times, "n_outputs": n_outputs, "sfreq": trials.sfreq}
    model = build_model(name, **kwargs).train()
    with torch.no_grad():  # batch-norm statistics that are not the initial ones
        model(torch.from_numpy(scaler.transform(X)))
    member = Member(pipeline=pipeline, scaler=scaler, state_dict=model.state_dict(), name="m0")
    target_shape = None if trials.is_classification else trials.y.shape[1:]
    decoder = Decoder(model_name=name, model_kwargs=kwargs, n_times=trials.n_times,
                      class_names=trials.class_names, target_shape=target_shape, members=[member])
    return decoder, member


@pytest.mark.parametrize("name", list_models())
def test_every_registry_model_exports_or_says_why(name, tmp_path):
    if model_kind(name) == "eeg":
        trials, n_outputs = _trials(8, 128, 128.0, n=6), 3
    else:
        trials, n_outputs = _trials(4, 200, 1000.0, target_shape=(2, 3), n=6), 6
    decoder, _ = _random_member(name, trials, n_outputs)
    reason = getattr(decoder.build(), "export_unsupported_reason", None)
    if reason:
        with pytest.raises(ExportError, match=rf"model '{name}' cannot be exported to ONNX: "):
            export_decoder(decoder, tmp_path, ch_names=trials.ch_names, sfreq=trials.sfreq, n_times=trials.n_times)
        return
    folder = export_decoder(decoder, tmp_path, ch_names=trials.ch_names, sfreq=trials.sfreq, n_times=trials.n_times)
    _assert_parity(decoder, trials, folder)


@pytest.mark.parametrize("name", list_classical())
def test_classical_decoders_name_the_step_skl2onnx_cannot_convert(name, tmp_path):
    spec = CLASSICAL_DECODERS[name]
    estimator = build_classical(name, sfreq=250.0, task=spec.tasks[0])
    decoder = Decoder(model_name=name, model_kwargs={"n_chans": 4, "sfreq": 250.0}, n_times=64,
                      class_names=("a", "b"), members=[Member(pipeline=Pipeline(), estimator=estimator, name="f0")])
    # the step named is one of cyborg's or pyRiemann's feature steps on 3-D windows, never a scikit-learn one
    with pytest.raises(ExportError, match=rf"^decoder 'x', member 'f0': classical decoder '{name}': step "
                                          rf"'[\w.]+' \((cyborg|pyriemann)\.[\w.]+\) has no skl2onnx converter"):
        export_decoder(decoder, tmp_path, ch_names=["a", "b", "c", "d"], sfreq=250.0, n_times=64, name="x")
    if name == "emg_td_ridge":
        with pytest.raises(ExportError, match=r"step 'timedomainfeatures' \(cyborg.classical.emg_features."
                                              r"TimeDomainFeatures\)"):
            export_decoder(decoder, tmp_path, ch_names=["a", "b", "c", "d"], sfreq=250.0, n_times=64, name="x")


def test_what_cannot_be_exported_says_why(tmp_path):
    trials = _trials(4, 64, 100.0, n=6)
    decoder, member = _random_member("compact_cnn1d", trials, 3)
    cases = [
        (replace(decoder, aggregate="lof"), r"member aggregate: expected 'mean' .*found 'lof'"),
        (replace(decoder, members=[Member(pipeline=Pipeline(), estimator=Blend([], []), name="auto")]),
         r"member 'auto': expected a torch or scikit-learn member, found a blend of decoders \(model=auto\)"),
        (replace(decoder, members=[replace(member, pipeline=Pipeline([DeadChannels(mode="interpolate")]))]),
         r"DeadChannels\(mode='interpolate'.*expected mode 'zero'.*found mode 'interpolate'"),
        (replace(decoder, members=[replace(member, pipeline=Pipeline([SessionScale(mode="outliers")]))]),
         r"SessionScale\(wild_ratio=20.0, mode='outliers'\): expected mode 'all', found mode 'outliers'"),
    ]
    for bad, message in cases:
        with pytest.raises(ExportError, match=rf"^decoder 'x'.*{message}"):
            export_decoder(bad, tmp_path, ch_names=trials.ch_names, sfreq=100.0, n_times=64, name="x")
    with pytest.raises(ExportError, match=r"ch_names: expected 4 channel names \(the model's n_chans\), found 3"):
        export_decoder(decoder, tmp_path, ch_names=["a", "b", "c"], sfreq=100.0, n_times=64, name="x")


class _Untraceable(torch.nn.Module):
    """Output depends on a value of the input (data-dependent control flow): torch.export refuses it."""

    def __init__(self, n_chans, n_times, n_outputs, sfreq):
        super().__init__()
        self.linear = torch.nn.Linear(n_chans * n_times, n_outputs)

    def forward(self, signal):
        out = self.linear(signal.flatten(1))
        return out if float(out.sum()) > 0 else -out


class _Declined(_Untraceable):
    export_unsupported_reason = "its custom kernel has no ONNX operator"


@pytest.mark.parametrize("model, message", [
    (_Untraceable, r"model 'scratch' cannot be exported to ONNX by torch.onnx.export \(dynamo\): \w+: "),
    (_Declined, r"model 'scratch' cannot be exported to ONNX: its custom kernel has no ONNX operator$")])
def test_a_model_that_cannot_export_says_why(model, message, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    registry.register_model("scratch", kind="any")(model)
    trials = _trials(2, 16, 100.0, n=4)
    pipeline = Pipeline([RemoveDC()]).fit(trials)
    scaler = ChannelScaler().fit(pipeline.transform(trials).X)
    kwargs = {"n_chans": 2, "n_times": 16, "n_outputs": 3, "sfreq": 100.0}
    decoder = Decoder(model_name="scratch", model_kwargs=kwargs, n_times=16, class_names=("a", "b", "c"),
                      members=[Member(pipeline=pipeline, scaler=scaler, name="m0",
                                      state_dict=model(**kwargs).state_dict())])
    with pytest.raises(ExportError, match=rf"^decoder 'x', member 'm0': {message}"):
        export_decoder(decoder, tmp_path, ch_names=["a", "b"], sfreq=100.0, n_times=16, name="x")


def _run_dir(tmp_path, decoder: Decoder, trials: Trials):
    run = tmp_path / "run"
    decoder.save(run / "decoders" / "subject0.pt")
    (run / "metrics.json").write_text(json.dumps({"task": "custom", "input": {
        "ch_names": trials.ch_names, "sfreq": trials.sfreq, "n_times": trials.n_times}}))
    return run


def test_the_command_exports_each_decoder_of_a_run_and_prints_its_check(tmp_path, capsys):
    trials = _trials(4, 64, 100.0, n=6)
    decoder, _ = _random_member("eegnet", trials, 3)
    run = _run_dir(tmp_path, decoder, trials)
    main([str(run), "--format", "onnx"])
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"subject0: 1 member(s) -> {run / 'onnx' / 'subject0'} (max |onnx - torch| on 8 "
                           f"random windows: ")
    assert float(line.rsplit(": ", 1)[1].rstrip(")")) < 1e-5
    assert sorted(p.name for p in (run / "onnx" / "subject0").iterdir()) == ["decoder.json", "member0.onnx"]
    (item,) = export_run(run, tmp_path / "elsewhere")
    assert item.folder == tmp_path / "elsewhere" / "subject0" and item.n_members == 1


def test_bad_run_folders_name_the_path_and_what_was_expected(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    (tmp_path / "empty").mkdir()
    (tmp_path / "no_metrics" / "decoders").mkdir(parents=True)
    (tmp_path / "no_metrics" / "decoders" / "all.pt").write_text("")
    cases = [(tmp_path / "missing", r"missing: expected a run folder of train.py \(metrics.json and "
                                    r"decoders/\*.pt\), found nothing at that path"),
             (tmp_path / "file", r"file: expected a run folder of train.py .*found a file"),
             (tmp_path / "empty", r"empty/decoders: expected decoder files <group>.pt written by train.py, "
                                  r"found none"),
             (tmp_path / "no_metrics", r"no_metrics: expected a run folder of train.py .*found no metrics.json")]
    for path, message in cases:
        with pytest.raises(ExportError, match=message):
            export_run(path)
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "missing")])
    assert stop.value.code == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'missing'}: expected a run folder")


def test_runs_without_a_recorded_input_fall_back_to_the_challenge_geometry(tmp_path):
    (tmp_path / "metrics.json").write_text(json.dumps({"task": "velocity"}))
    assert run_input(tmp_path) == (list(EMG_CHANNELS), 2000.0, 1000)
    (tmp_path / "metrics.json").write_text(json.dumps({"task": "gestures"}))
    with pytest.raises(ExportError, match=r"metrics.json: field 'input': expected the input channels, rate and "
                                          r"window length \(written by train.py\), found none for task 'gestures'"):
        run_input(tmp_path)


def test_help_names_the_command_its_output_and_its_limits(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "python -m cyborg.export [-h] [--format {onnx}] [--out OUT] RUN_DIR" in text
    for phrase in ("RUN_DIR/decoders/<group>.pt", "OUT/<group>/", "decoder.json", "one ONNX graph per member",
                   "cyborg.online.onnx_runtime.OnnxDecoder", "classical (scikit-learn) decoders",
                   "default: RUN_DIR/onnx"):
        assert phrase in text, phrase
