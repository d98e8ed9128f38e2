"""cyborg.inspect: summary facts on a recording with planted problems, plots, command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mne
import numpy as np
import pytest

from cyborg.inspect import format_summary, main, save_plots, summarize
from cyborg.recording import Recording

SFREQ = 500.0
SECONDS = 20


@pytest.fixture(scope="module")
def recording() -> Recording:
    """EEG with 50 Hz mains on every channel, one flat, one clipped, one NaN; EMG with 60 Hz."""
    rng = np.random.default_rng(3)
    times = np.arange(int(SFREQ * SECONDS)) / SFREQ
    eeg = rng.standard_normal((5, len(times))) * 10e-6 + 20e-6 * np.sin(2 * np.pi * 50 * times)
    eeg[2] = 5e-6  # flat
    eeg[3] = np.clip(eeg[3], -15e-6, 15e-6)  # saturated amplifier
    eeg[4, 1000:1010] = np.nan
    emg = rng.standard_normal((1, len(times))) * 1e-4 + 3e-4 * np.sin(2 * np.pi * 60 * times)
    info = mne.create_info(["Cz", "C3", "C4", "Pz", "Oz", "EMG"], SFREQ, ["eeg"] * 5 + ["emg"])
    raw = mne.io.RawArray(np.vstack([eeg, emg]), info, verbose="error")
    raw.set_annotations(mne.Annotations([1.0, 5.0, 9.0, 12.0], [0.5] * 4, ["a", "a", "a", "b"]))
    targets = np.c_[np.sin(times[::5]), np.cos(times[::5])]
    targets[7] = np.nan
    return Recording(raw=raw, subject="s9", session="r2", targets=targets, target_sfreq=SFREQ / 5,
                     target_names=("sin", "cos"), extra={"issues": ["something the reader saw"]})


def test_summary_reports_the_planted_facts(recording):
    summary = summarize(recording)
    assert summary["channels_by_type"] == {"eeg": ["Cz", "C3", "C4", "Pz", "Oz"], "emg": ["EMG"]}
    assert summary["n_channels"] == 6 and summary["sfreq"] == SFREQ
    assert summary["duration_s"] == SECONDS and summary["n_times"] == SFREQ * SECONDS
    assert summary["event_counts"] == {"a": 3, "b": 1}
    assert summary["flat_channels"] == ["C4"] and summary["nan_channels"] == ["Oz"]
    assert list(summary["clipped_channels"]) == ["Pz"] and summary["clipped_channels"]["Pz"] > 0.05
    noise = summary["line_noise_db"]
    assert noise["eeg"]["50"] > 15 and abs(noise["eeg"]["60"]) < 3
    assert noise["emg"]["60"] > 15 and abs(noise["emg"]["50"]) < 3
    assert summary["targets"] == {"shape": [2000, 2], "sfreq": 100.0, "names": ["sin", "cos"],
                                  "n_invalid": 1}
    assert summary["issues"] == ["something the reader saw"]
    json.dumps(summary)  # plain types only


def test_summary_text_is_readable(recording):
    text = format_summary(summarize(recording))
    assert "6 channels at 500 Hz, 20.00 s (10000 samples)" in text
    assert "events: a x3, b x1" in text
    assert "flat channels: ['C4']" in text and "NaN channels: ['Oz']" in text
    assert "clipped channels: Pz (" in text and "eeg 50 Hz +" in text
    assert "issue: something the reader saw" in text


def test_summary_of_epochs_counts_events_by_id():
    data = np.random.default_rng(0).standard_normal((4, 2, 100)) * 1e-6
    events = np.array([[0, 0, 1], [100, 0, 2], [200, 0, 1], [300, 0, 1]])
    epochs = mne.EpochsArray(data, mne.create_info(["Cz", "Pz"], 100.0, "eeg"), events=events,
                             event_id={"left": 1, "right": 2}, verbose="error")
    summary = summarize(Recording(raw=epochs, subject="s"))
    assert summary["kind"] == "epochs" and summary["n_epochs"] == 4 and summary["n_times"] == 100
    assert summary["duration_s"] == 4.0 and summary["event_counts"] == {"left": 3, "right": 1}


def test_save_plots_writes_pngs(recording, tmp_path):
    paths = save_plots(recording, tmp_path / "plots")
    names = sorted(p.name for p in paths)
    assert names == ["s9_r2_events.png", "s9_r2_psd_eeg.png", "s9_r2_psd_emg.png", "s9_r2_targets.png",
                     "s9_r2_traces.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_command_line_prints_summary_and_plot_paths(recording, tmp_path, capsys):
    path = tmp_path / "sub-01_ses-2_raw.fif"
    recording.raw.save(path, verbose="error")
    assert main([str(path), "--out", str(tmp_path / "out"), "--seconds", "2"]) == 0
    printed = capsys.readouterr().out
    assert "subject 01, session 2, raw" in printed and "events: a x3, b x1" in printed
    assert printed.count("wrote ") == 4 and str(tmp_path / "out" / "sub-01_ses-2_raw_traces.png") in printed
    assert main([str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["event_counts"] == {"a": 3, "b": 1}


def test_command_line_reports_unreadable_files(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        main([str(tmp_path / "absent.edf")])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and len(error.splitlines()) == 1 and "absent.edf: expected an existing recording file" in error


def test_module_help_runs():
    repository = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-m", "cyborg.inspect", "--help"], capture_output=True,
                            text=True, timeout=60, cwd=repository)
    assert result.returncode == 0
    assert "usage: python -m cyborg.inspect" in result.stdout and "--out DIR" in result.stdout


# ---------------------------------------------------------------- challenge .mat files, captions

def _caption(path: Path) -> str:
    from PIL import Image

    with Image.open(path) as image:
        return image.text["Description"]


@pytest.fixture(scope="module")
def trick_root(tmp_path_factory) -> Path:
    from cyborg.simulate.trick import simulate_trick

    return simulate_trick(tmp_path_factory.mktemp("trick") / "theme1", n_subjects=1, events_per_session=6,
                          n_test=4)


@pytest.fixture(scope="module")
def velocity_root(tmp_path_factory) -> Path:
    from cyborg.simulate.velocity import simulate_velocity

    return simulate_velocity(tmp_path_factory.mktemp("velocity") / "theme2", n_trials=4)


def test_theme1_session_and_test_files(trick_root, tmp_path, capsys):
    session = trick_root / "train" / "subject0" / "train1.mat"
    assert main([str(session), "--out", str(tmp_path), "--seconds", "2"]) == 0
    printed = capsys.readouterr().out
    assert "subject subject0, session train1, raw" in printed and "72 channels at 500 Hz" in printed
    captions = {p.name: _caption(p) for p in tmp_path.glob("*.png")}
    assert "16 of 72 channels shown" in captions["train1_traces.png"]
    assert "first 2.0 s of " in captions["train1_traces.png"]
    assert "all 72 eeg channels" in captions["train1_psd_eeg.png"]
    assert captions["train1_events.png"].startswith("train1: all 6 events")
    assert f"wrote {tmp_path / 'train1_traces.png'}: train1: traces, 16 of 72 channels shown" in printed

    assert main([str(trick_root / "test" / "subject0.mat"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["kind"] == "epochs" and summary["n_epochs"] == 4 and summary["n_times"] == 250


def test_theme2_files_give_one_summary_per_subject_and_side(velocity_root, tmp_path, capsys):
    assert main([str(velocity_root / "reference.mat"), "--json"]) == 0
    summaries = json.loads(capsys.readouterr().out)
    assert [s["side"] for s in summaries] == ["train", "test"]
    assert summaries[0]["n_epochs"] == 4 and summaries[0]["targets"]["shape"] == [4, 30, 3]
    assert main([str(velocity_root / "train.mat"), "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("side train, epochs") == len(summaries_from(printed)) == 4  # subjects 0001-0004
    first = sorted(tmp_path.glob("train_*_targets.png"))[0]
    assert _caption(first).endswith("targets, all 4 epochs, all 3 axes")
    traces = _caption(sorted(tmp_path.glob("train_*_traces.png"))[0])
    assert "all 16 channels" in traces and "all 4 epochs (2.0 of 2.0 s)" in traces


def summaries_from(printed: str) -> list[str]:
    return [line for line in printed.splitlines() if line.startswith("  subject ")]


def test_plots_say_what_they_leave_out(tmp_path):
    data = np.random.default_rng(1).standard_normal((64, 3000)) * 1e-6
    raw = mne.io.RawArray(data, mne.create_info([f"E{i}" for i in range(64)], 100.0, "eeg"), verbose="error")
    targets = np.random.default_rng(2).standard_normal((300, 8))
    paths = save_plots(Recording(raw=raw, subject="s", session="x", targets=targets, target_sfreq=10.0),
                       tmp_path, seconds=5.0)
    captions = {p.name: _caption(p) for p in paths}
    assert captions["s_x_traces.png"] == ("s_x: traces, 16 of 64 channels shown, first 5.0 s of 30.0 s "
                                          "(each trace scaled to its 99th percentile)")
    assert captions["s_x_psd_eeg.png"] == "s_x: PSD, all 64 eeg channels, all 30.0 s"
    assert captions["s_x_targets.png"].startswith("s_x: targets, 6 of 8 axes shown")


def test_unknown_mat_name_is_refused(tmp_path, capsys):
    path = tmp_path / "session.mat"
    path.write_bytes(b"MATLAB")
    with pytest.raises(SystemExit) as stop:
        main([str(path)])
    assert stop.value.code == 2
    error = capsys.readouterr().err
    assert "session.mat: field 'file name': expected a challenge .mat file: train<N>.mat" in error
