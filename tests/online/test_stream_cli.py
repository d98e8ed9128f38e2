"""``python -m cyborg.stream``: replay a file and decode it live over LSL on the loopback interface."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from helpers import make_trials, untrained_decoder

from cyborg.online import calibration_windows
from cyborg.preprocessing import BandPass, DeadChannels, EuclideanAlign, RemoveDC
from cyborg.stream import main

ROOT = Path(__file__).resolve().parents[2]
SFREQ = 500.0
N_TIMES = 100
HOP = 10  # samples: 20 ms


def _liblsl_problem() -> str | None:
    try:
        from mne_lsl.lsl import library_version

        library_version()
    except Exception as error:  # liblsl is a shared library: any failure to load it means no LSL here
        return f"liblsl cannot load: {type(error).__name__}: {error}"
    return None


pytestmark = pytest.mark.skipif(_liblsl_problem() is not None, reason=str(_liblsl_problem()))


def _lsl_env(tmp_path: Path) -> dict[str, str]:
    """Environment of a child process whose liblsl stays on this machine, in a session of its own."""
    config = tmp_path / "lsl_api.cfg"
    config.write_text("[ports]\nIPv6 = disable\n[multicast]\nResolveScope = machine\n"
                      f"[lab]\nKnownPeers = {{127.0.0.1}}\nSessionID = cyborg-test-{uuid.uuid4().hex}\n")
    return {**os.environ, "LSLAPICFG": str(config), "PYTHONPATH": os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}


def _recording(path: Path) -> np.ndarray:
    """Write 4 s of 4-channel EEG with events to a FIF file; returns its data in µV, (4, n_samples)."""
    import mne

    rng = np.random.default_rng(2)
    data_uv = rng.normal(size=(4, int(4 * SFREQ))) * 20 + 40
    data_uv[3] = 0.0
    raw = mne.io.RawArray(data_uv * 1e-6, mne.create_info([f"ch{i}" for i in range(4)], SFREQ, "eeg"),
                          verbose="error")
    raw.set_annotations(mne.Annotations([0.5, 1.5, 2.5], [0.0] * 3, ["frontside_kickturn", "pumping", "pumping"]))
    raw.save(path, verbose="error")
    return raw.get_data() * 1e6


#: A subscriber to decode's outlet: writes what it received (outputs and stamps) to argv[2] as .npz.
LISTENER = """
import sys, time
import numpy as np
from mne_lsl.lsl import StreamInlet, resolve_streams
found, deadline = [], time.monotonic() + 60
while not found and time.monotonic() < deadline:
    found = resolve_streams(timeout=1.0, name=sys.argv[1])
inlet = StreamInlet(found[0])
inlet.open_stream(timeout=10)
rows, stamps, last = [], [], time.monotonic()
while time.monotonic() - last < 3:
    data, ts = inlet.pull_chunk(timeout=0.0)
    if len(ts):  # copies: mne_lsl hands out views of buffers it reuses on the next pull
        rows.append(data.copy())
        stamps.append(ts.copy())
        last = time.monotonic()
    time.sleep(0.005)
np.savez(sys.argv[2], outputs=np.concatenate(rows), stamps=np.concatenate(stamps))
"""


@pytest.mark.parametrize("calibrate", [None, 1.0], ids=["causal steps", "session step calibrated"])
def test_replay_then_decode_matches_offline_windows_and_drops_nothing(tmp_path, calibrate):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 4, N_TIMES)) * 20 + 40
    X[:, 3] = 0.0
    trials = make_trials(X, np.arange(12) % 3, SFREQ, subjects=["s0"] * 12)
    steps = [DeadChannels(), RemoveDC(), BandPass(None, 40.0, 2)] + ([EuclideanAlign()] if calibrate else [])
    decoder = untrained_decoder(trials, steps)
    run = tmp_path / "run"
    decoder.save(run / "decoders" / "s0.pt")
    signal = _recording(tmp_path / "rec_raw.fif")
    env = _lsl_env(tmp_path)
    name = f"cyborg-test-{uuid.uuid4().hex[:8]}"
    log, received_path = tmp_path / "live.csv", tmp_path / "received.npy"
    decoding = subprocess.Popen(
        [sys.executable, "-m", "cyborg.stream", "decode", str(run), "--stream", name, "--outlet", f"{name}-out",
         "--log", str(log), "--save-signal", str(received_path), "--idle", "1.5", "--wait", "30",
         *(["--calibrate", str(calibrate)] if calibrate else [])],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    while not any("waiting for LSL stream" in line for line in lines):  # the decoder is loaded and listening
        lines.append(decoding.stdout.readline())
        assert lines[-1] or decoding.poll() is None, "".join(lines)
    listener = subprocess.Popen([sys.executable, "-c", LISTENER, f"{name}-out", str(tmp_path / "outlet.npz")],
                                env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    replay = subprocess.run([sys.executable, "-m", "cyborg.stream", "replay", str(tmp_path / "rec_raw.fif"),
                             "--name", name], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    out = "".join(lines) + decoding.communicate(timeout=120)[0]
    listened = listener.communicate(timeout=120)[0]
    assert replay.returncode == 0, replay.stderr
    assert "4 channels at 500 Hz, 4.0 s, 3 events ['frontside_kickturn', 'pumping']" in replay.stdout
    assert decoding.returncode == 0, out
    assert "decoded " in out and "latency p50" in out

    # nothing dropped: the received samples are one unbroken stretch of the file, through its end
    received = np.load(received_path)
    offset = signal.shape[1] - received.shape[1]
    assert received.shape[1] > 2 * N_TIMES
    np.testing.assert_allclose(received, signal[:, offset:], rtol=1e-6, atol=1e-4)

    # every hop after the calibration decoded, and each output is the offline output of the same window
    # (by the decoder calibrated on the stream's first seconds, cut as the stream cuts them)
    n_calibration = int((calibrate or 0) * SFREQ)
    if calibrate:
        assert f"calibrating: collecting 1 s ({n_calibration} samples)" in out
        decoder = decoder.calibrate(calibration_windows(received[:, :n_calibration], N_TIMES, HOP, SFREQ,
                                                        [f"ch{i}" for i in range(4)],
                                                        {"subject": ["s0"], "session": ["stream"]}))
    with open(log) as handle:
        rows = list(csv.DictReader(handle))
    ends = [int(row["end_sample"]) for row in rows]
    assert ends == list(range(n_calibration + N_TIMES, received.shape[1] + 1, HOP))
    windows = np.stack([received[:, end - N_TIMES:end] for end in ends])
    offline = decoder.predict_output(make_trials(windows, np.zeros(len(ends), dtype=np.int64), SFREQ,
                                                 subjects=["s0"] * len(ends), sessions=["stream"] * len(ends)))
    streamed = np.array([[float(row[f"p_{c}"]) for c in ("a", "b", "c")] for row in rows])
    np.testing.assert_allclose(streamed, offline, atol=1e-5)
    assert [row["prediction"] for row in rows] == [("a", "b", "c")[i] for i in offline.argmax(1)]

    # the outlet carried the logged outputs, each stamped with its window's last sample (a subscriber that
    # joins once the outlet exists may miss the first few, and liblsl may hand it the latest one first)
    assert listener.returncode == 0, listened
    heard = np.load(tmp_path / "outlet.npz")
    logged_stamps = np.array([float(row["timestamp"]) for row in rows])
    assert len(np.unique(heard["stamps"])) > len(rows) // 2
    at = np.searchsorted(logged_stamps, heard["stamps"] - 1e-6)
    np.testing.assert_allclose(logged_stamps[at], heard["stamps"], atol=2e-6)
    np.testing.assert_allclose(heard["outputs"], streamed[at], atol=1e-6)


def test_decode_help_and_a_missing_decoder_read_clearly(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["decode", "--help"])
    help_text = capsys.readouterr().out
    assert "--hop HOP" in help_text and "CSV" in help_text and "--save-signal" in help_text
    assert "--calibrate SECONDS" in help_text
    (tmp_path / "run" / "decoders").mkdir(parents=True)
    with pytest.raises(SystemExit) as ended:
        main(["decode", str(tmp_path / "run")])
    assert ended.value.code == 2
    assert capsys.readouterr().err.strip() == (f"error: {tmp_path / 'run' / 'decoders'}: expected one decoder file "
                                               "or --decoder NAME, found 0 files []")
