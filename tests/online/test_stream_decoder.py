"""StreamDecoder: streamed chunk by chunk, it gives the offline outputs of the same windows."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import make_trials, untrained_decoder

from cyborg.errors import StreamError
from cyborg.online import RingBuffer, StreamDecoder
from cyborg.preprocessing import (BandPass, CalibratedSessionStep, DeadChannels, Envelope, EuclideanAlign, Notch,
                                  RemoveDC, Resample, SessionScale, SubjectScale)
from cyborg.preprocessing.steps import FilterStep, Step

SFREQ = 500.0
N_TIMES = 100
HOP = 0.02  # 10 samples
CHUNK_SIZES = (1, 7, 64, 1000)

#: One configured instance of every step that claims to be causal; the test below checks none is missing.
CAUSAL_STEPS = {
    RemoveDC: lambda: RemoveDC(),
    BandPass: lambda: BandPass(2.0, 40.0, 2),
    Notch: lambda: Notch(60.0, 4.0, 2),
    Envelope: lambda: Envelope(10.0, 2),
    Resample: lambda: Resample(250.0),
    DeadChannels: lambda: DeadChannels("zero"),
    SubjectScale: lambda: SubjectScale(),
    CalibratedSessionStep: lambda: EuclideanAlign().calibrate(_training_trials()),
}


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def _training_trials() -> "make_trials":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 4, N_TIMES)) * 20 + 50  # µV with an offset
    X[:, 3] = 0.0  # a dead channel for DeadChannels
    return make_trials(X, np.arange(12) % 3, SFREQ, subjects=["s0"] * 12)


def _signal(n_samples: int = 600) -> np.ndarray:
    rng = np.random.default_rng(1)
    signal = rng.normal(size=(4, n_samples)) * 20 + 50 + 30 * np.sin(2 * np.pi * 60 * np.arange(n_samples) / SFREQ)
    signal[3] = 0.0
    return signal.astype(np.float32)


def _offline(decoder, signal: np.ndarray, hop: int) -> np.ndarray:
    starts = range(0, signal.shape[1] - N_TIMES + 1, hop)
    windows = np.stack([signal[:, s:s + N_TIMES] for s in starts])
    return decoder.predict_output(make_trials(windows, np.zeros(len(windows), dtype=np.int64), SFREQ,
                                              subjects=["s0"] * len(windows), sessions=["stream"] * len(windows)))


def _stream(live: StreamDecoder, signal: np.ndarray, chunk: int) -> tuple[list[int], np.ndarray]:
    emissions = [e for start in range(0, signal.shape[1], chunk) for e in live.push(signal[:, start:start + chunk])]
    return [e.end for e in emissions], np.stack([e.output for e in emissions])


def test_every_causal_step_has_a_parity_case():
    causal = {cls for cls in _subclasses(Step) if cls.causal and cls is not FilterStep}
    assert causal == set(CAUSAL_STEPS)


@pytest.mark.parametrize("step", list(CAUSAL_STEPS), ids=lambda cls: cls.__name__)
def test_streamed_outputs_equal_offline_for_every_chunk_size(step):
    decoder = untrained_decoder(_training_trials(), [CAUSAL_STEPS[step]()])
    signal = _signal()
    live = StreamDecoder(decoder, SFREQ, subject="s0", hop=HOP)
    expected = _offline(decoder, signal, live.hop)
    assert np.ptp(expected, axis=0).max() > 1e-3  # windows differ far beyond the tolerance: a shift would show
    ends = list(range(N_TIMES, signal.shape[1] + 1, live.hop))
    for chunk in CHUNK_SIZES:
        live = StreamDecoder(decoder, SFREQ, subject="s0", hop=HOP)
        got_ends, outputs = _stream(live, signal, chunk)
        assert got_ends == ends, f"chunk {chunk}"
        np.testing.assert_allclose(outputs, expected, atol=1e-5, err_msg=f"chunk {chunk}")


def test_trick_default_pipeline_streams_with_parity_and_labels():
    steps = [DeadChannels("zero"), RemoveDC(), BandPass(None, 40.0, 2)]
    decoder = untrained_decoder(_training_trials(), steps)
    signal = _signal(1000)
    live = StreamDecoder(decoder, SFREQ, subject="s0", hop=HOP)
    _, outputs = _stream(live, signal, 37)
    np.testing.assert_allclose(outputs, _offline(decoder, signal, live.hop), atol=1e-5)
    assert live.label(outputs[0]) in ("a", "b", "c")
    assert live.count == 1000


def test_kinematics_stream_on_the_test_side_with_parity():
    from cyborg.tasks.velocity import VelocityTask

    rng = np.random.default_rng(3)
    trials = make_trials(rng.normal(size=(12, 4, N_TIMES)) * 20, rng.normal(size=(12, 30, 3)).astype(np.float32),
                         SFREQ, subjects=["s0"] * 12)
    decoder = untrained_decoder(trials, [RemoveDC(), BandPass(20.0, 200.0, 2)], task=VelocityTask(swap_lr=False))
    signal = _signal()
    live = StreamDecoder(decoder, SFREQ, subject="s0", hop=HOP, side="test")
    _, outputs = _stream(live, signal, 64)
    starts = range(0, signal.shape[1] - N_TIMES + 1, live.hop)
    windows = np.stack([signal[:, s:s + N_TIMES] for s in starts])
    offline = decoder.predict_output(make_trials(windows, np.zeros((len(windows), 30, 3), np.float32), SFREQ,
                                                 subjects=["s0"] * len(windows), side=["test"] * len(windows)))
    assert outputs.shape == (len(windows), 30, 3)
    np.testing.assert_allclose(outputs, offline, atol=1e-5)
    train_side = StreamDecoder(decoder, SFREQ, subject="s0", hop=HOP).decode_window(windows[0])
    np.testing.assert_allclose(outputs[0][:, :2], -train_side[:, :2], atol=1e-5)  # the test side negates vx, vy


@pytest.mark.parametrize("step", [SessionScale, EuclideanAlign])
def test_a_step_that_is_not_causal_refuses_to_stream(step):
    decoder = untrained_decoder(_training_trials(), [RemoveDC(), step()])
    with pytest.raises(StreamError, match=f"{step.__name__}: expected a causal step .* calibrate it first .*"
                                          r"StreamDecoder\(calibration=...\)"):
        StreamDecoder(decoder, SFREQ, subject="s0")


@pytest.mark.parametrize("step", [SessionScale, EuclideanAlign])
def test_session_steps_stream_after_calibration_with_the_offline_outputs_of_that_session(step):
    decoder = untrained_decoder(_training_trials(), [RemoveDC(), step()])
    signal = _signal(400)
    signal[1] *= 30  # this session's gain on channel 1: the session map must undo it
    # calibrated on the very signal it decodes, the stream's windows are the offline session's windows
    live = StreamDecoder(decoder, SFREQ, subject="s0", hop=HOP, calibration=signal)
    expected = _offline(decoder, signal, live.hop)
    for chunk in (1, 64):
        live = StreamDecoder(decoder, SFREQ, subject="s0", hop=HOP, calibration=signal)
        np.testing.assert_allclose(_stream(live, signal, chunk)[1], expected, atol=1e-5)
    other = StreamDecoder(decoder, SFREQ, subject="s0", hop=HOP, calibration=_signal(400))
    assert np.abs(_stream(other, signal, 64)[1] - expected).max() > 1e-3  # the calibration is what maps the session


def test_a_blend_of_decoders_with_session_steps_streams_once_calibrated():
    from dataclasses import replace

    from cyborg.preprocessing import Pipeline
    from cyborg.training.decoder import Blend, Member

    parts = [untrained_decoder(_training_trials(), [RemoveDC(), step()]) for step in (SessionScale, EuclideanAlign)]
    blend = replace(parts[0], members=[Member(pipeline=Pipeline(), estimator=Blend(parts, [0.25, 0.75]),
                                              name="auto")])
    with pytest.raises(StreamError, match="SessionScale: expected a causal step"):
        StreamDecoder(blend, SFREQ, subject="s0")
    signal = _signal(400)
    live = StreamDecoder(blend, SFREQ, subject="s0", hop=HOP, calibration=signal)
    expected = 0.25 * _offline(parts[0], signal, live.hop) + 0.75 * _offline(parts[1], signal, live.hop)
    np.testing.assert_allclose(_stream(live, signal, 64)[1], expected, atol=1e-5)


def test_the_parts_of_blends_run_each_fitted_step_once(monkeypatch):
    from dataclasses import replace

    from cyborg.preprocessing import Pipeline
    from cyborg.training.decoder import Blend, Member

    same = [untrained_decoder(_training_trials(), [RemoveDC(), BandPass(None, 40.0)]) for _ in range(3)]
    other = untrained_decoder(_training_trials(), [RemoveDC()])
    members = [Member(pipeline=Pipeline(), estimator=Blend([same[0], other], [0.5, 0.5]), name="fold 1"),
               Member(pipeline=Pipeline(), estimator=Blend([same[1]], [1.0]), name="fold 2"),
               Member(pipeline=Pipeline(), estimator=Blend([same[2], other], [0.5, 0.5]), name="fold 3")]
    decoder = replace(same[0], members=members)
    trials = make_trials(np.random.default_rng(0).standard_normal((2, 4, 200)))
    separately = np.mean([0.5 * same[0].predict_output(trials) + 0.5 * other.predict_output(trials),
                          same[1].predict_output(trials),
                          0.5 * same[2].predict_output(trials) + 0.5 * other.predict_output(trials)], axis=0)
    calls = []
    for step in (RemoveDC, BandPass):
        original = step.transform
        monkeypatch.setattr(step, "transform", lambda self, t, original=original: calls.append(type(self).__name__)
                            or original(self, t))
    np.testing.assert_allclose(decoder.predict_output(trials), separately, atol=1e-6)
    assert sorted(calls) == ["BandPass", "RemoveDC"]  # once each, not once per part: both pipelines start alike


def test_members_with_one_fitted_pipeline_share_one_calibrated_pipeline():
    from dataclasses import replace

    from cyborg.online import calibration_windows

    decoder = untrained_decoder(_training_trials(), [RemoveDC(), EuclideanAlign()])
    other = untrained_decoder(_training_trials(), [RemoveDC(), EuclideanAlign(shrinkage=0.5)]).members[0]
    member = decoder.members[0]
    decoder = replace(decoder, members=[member, replace(member, name="fold 2"), other])
    windows = calibration_windows(_signal(300), N_TIMES, 10, SFREQ, [f"ch{i}" for i in range(4)],
                                  {"subject": ["s0"], "session": ["stream"]})
    calibrated = decoder.calibrate(windows).members
    assert calibrated[0].pipeline is calibrated[1].pipeline
    assert calibrated[2].pipeline is not calibrated[0].pipeline
    maps = [m.pipeline.steps[1].session_map for m in (calibrated[0], calibrated[2])]
    assert np.abs(maps[0] - maps[1]).max() > 1e-3  # the other shrinkage gives its own map


def test_a_calibration_shorter_than_one_window_is_refused():
    decoder = untrained_decoder(_training_trials(), [EuclideanAlign()])
    with pytest.raises(StreamError, match=r"stream: field 'calibration samples': expected >= 100 \(one window\), "
                                          "found 99"):
        StreamDecoder(decoder, SFREQ, subject="s0", calibration=_signal(99))
    with pytest.raises(StreamError, match=r"field 'calibration': expected shape \(4, T\), found \(3, 200\)"):
        StreamDecoder(decoder, SFREQ, subject="s0", calibration=_signal(200)[:3])
    broken = _signal(200)
    broken[2, 50] = np.nan
    with pytest.raises(StreamError, match=r"field 'calibration': expected finite values, "
                                          r"found 1 NaN/inf \(first at index \(2, 50\)\)"):
        StreamDecoder(decoder, SFREQ, subject="s0", calibration=broken)


def test_a_subject_not_seen_in_fit_refuses_to_stream():
    decoder = untrained_decoder(_training_trials(), [DeadChannels()])
    with pytest.raises(StreamError, match=r"DeadChannels: expected a subject seen in fit \['s0'\], found 's9'"):
        StreamDecoder(decoder, SFREQ, subject="s9")


def test_stream_rate_and_chunk_shape_are_checked():
    decoder = untrained_decoder(_training_trials(), [RemoveDC()])
    rate = "field 'sfreq': expected a stream at the training rate 500 Hz, found 1000 Hz"
    with pytest.raises(StreamError, match=rate):
        StreamDecoder(decoder, 1000.0, subject="s0")
    live = StreamDecoder(decoder, SFREQ, subject="s0")
    with pytest.raises(StreamError, match=r"stream: field 'chunk': expected shape \(4, T\), found \(3, 10\)"):
        live.push(np.zeros((3, 10), np.float32))
    assert live.push(np.zeros((4, 0), np.float32)) == []


def test_ring_buffer_keeps_the_latest_samples_in_order():
    ring = RingBuffer(2, 5)
    block = np.arange(14, dtype=np.float32).reshape(2, 7)
    ring.write(block[:, :3])
    ring.write(block[:, 3:7])
    np.testing.assert_array_equal(ring.latest(np.empty((2, 5), np.float32)), block[:, 2:7])


def test_import_cyborg_and_cyborg_online_leave_lsl_and_onnx_out():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, cyborg, cyborg.online; print(sorted(m for m in sys.modules if m.split('.')[0] in " \
           "('mne_lsl', 'onnx', 'onnxruntime', 'skl2onnx')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
