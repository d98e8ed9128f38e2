"""read_c3d: EMG analogs + marker targets on one clock, units, gaps, damaged files."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

import ezc3d
import numpy as np
import pytest

from cyborg.errors import DataFormatError
from cyborg.io import c3d as c3d_module
from cyborg.io.c3d import read_c3d
from cyborg.io.formats import read_recording

MUSCLES = ("Delt_ant", "Delt_med", "Delt_post", "Biceps", "Triceps", "Trap_sup", "Trap_inf",
           "Gd_dent", "Supra", "Infra", "Subscap", "Pec", "Gd_dors")


def test_pyomeca_trial_matches_source(c3d_file):
    recording = read_recording(c3d_file)
    assert len(recording.ch_names) == 38 and recording.sfreq == 2000.0
    assert recording.raw.n_times == 11_600  # 5.8 s
    types = recording.raw.get_channel_types()
    assert Counter(types) == {"emg": 32, "misc": 6}
    assert [n for n in recording.ch_names if n.startswith("Voltage")] == [f"Voltage.{i}" for i in range(1, 7)]
    for muscle in MUSCLES:
        assert sum(n.split(".")[0] == muscle for n in recording.ch_names) == 1, muscle
    # 51 markers x (x, y, z) at 100 Hz, 580 frames: same 5.8 s as the analogs
    assert recording.targets.shape == (580, 153) and recording.target_sfreq == 100.0
    assert recording.raw.n_times / recording.sfreq == len(recording.targets) / recording.target_sfreq
    assert recording.subject == "Daphnee" and recording.session == "markers_analogs"
    assert recording.target_names[:3] == ("gauche_ext_x", "gauche_ext_y", "gauche_ext_z")
    # mm -> m: a person-sized capture volume
    assert 0.1 < np.nanmax(np.abs(recording.targets)) < 5.0
    assert recording.extra["marker_gaps"]["Daphnee:SCAP_CP"] == 92
    assert any("occluded" in issue for issue in recording.extra["issues"])
    assert any("flat" in issue and "Sensor 12.EMG12" in issue for issue in recording.extra["issues"])


def test_marker_selection_and_velocity(c3d_file):
    position = read_c3d(c3d_file, markers=["WRIST", "Daphnee:INDEX"], isolate=False)
    velocity = read_c3d(c3d_file, markers=["WRIST", "Daphnee:INDEX"], target="velocity", isolate=False)
    assert position.target_names == ("WRIST_x", "WRIST_y", "WRIST_z", "INDEX_x", "INDEX_y", "INDEX_z")
    expected = (position.targets[2:] - position.targets[:-2]) / 2 * 100.0  # central difference, m/s
    np.testing.assert_allclose(velocity.targets[1:-1], expected)
    assert velocity.extra["target_unit"] == "m/s"


def test_unknown_marker_is_refused(c3d_file):
    with pytest.raises(DataFormatError, match=r"markers_analogs\.c3d: field 'POINT:LABELS': expected "
                                              r"marker 'NOSE'"):
        read_c3d(c3d_file, markers=["NOSE"], isolate=False)


def _write_c3d(path: Path, n_frames: int = 50, analog_ratio: int = 10) -> None:
    """Two markers (mm) and two analog channels (V) with known values."""
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [100]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = ("subj:A", "subj:B")
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    c3d["parameters"]["ANALOG"]["RATE"]["value"] = [100 * analog_ratio]
    c3d["parameters"]["ANALOG"]["LABELS"]["value"] = ("Biceps.EMG1", "Force")
    c3d["parameters"]["ANALOG"]["UNITS"]["value"] = ("mV", "V")
    points = np.ones((4, 2, n_frames))
    points[0, 0] = np.arange(n_frames)  # marker A moves 1 mm per frame along x
    points[:3, 1, 10] = np.nan  # marker B occluded in frame 10
    c3d["data"]["points"] = points
    analogs = np.zeros((1, 2, n_frames * analog_ratio))
    analogs[0, 0] = np.arange(n_frames * analog_ratio)  # a ramp in mV
    analogs[0, 1] = 1.0
    c3d["data"]["analogs"] = analogs
    c3d.write(str(path))


def test_synthetic_round_trip_units_and_alignment(tmp_path):
    path = tmp_path / "trial.c3d"
    _write_c3d(path)
    recording = read_c3d(path)
    assert recording.ch_names == ["Biceps.EMG1", "Force"]
    assert recording.raw.get_channel_types() == ["emg", "misc"]
    np.testing.assert_allclose(recording.raw.get_data()[0, :4], [0, 1e-3, 2e-3, 3e-3])  # mV -> V
    np.testing.assert_allclose(recording.targets[:3, 0], [0, 1e-3, 2e-3])  # mm -> m
    # analog sample 10 k and frame k are the same instant: ramp value 10 k mV <-> marker at k mm
    k = 7
    assert recording.raw.get_data()[0, 10 * k] * 1e3 == pytest.approx(10 * recording.targets[k, 0] * 1e3)
    assert np.isnan(recording.targets[10, 3:]).all() and np.isfinite(recording.targets[11]).all()
    assert recording.extra["marker_gaps"] == {"subj:B": 1}
    assert recording.subject == "trial"  # no SUBJECTS parameter: the file stem


def test_truncated_c3d_is_refused(tmp_path):
    path = tmp_path / "trial.c3d"
    _write_c3d(path, n_frames=200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 2000])
    with pytest.raises(DataFormatError, match=r"trial\.c3d: field 'data': expected 200 frames "
                                              r"\(header\), found \d+: file truncated"):
        read_c3d(path)


def test_not_a_c3d_file_is_refused(tmp_path):
    path = tmp_path / "fake.c3d"
    path.write_bytes(b"\x02\x00" + bytes(1022))
    with pytest.raises(DataFormatError, match=r"fake\.c3d: field 'header': expected a C3D header"):
        read_c3d(path)


def _hang(path: str) -> dict:
    time.sleep(30)
    return {}


def _crash(path: str) -> dict:
    os._exit(139)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child inherits the patch via fork")
@pytest.mark.timeout(20)
def test_isolated_reader_turns_hang_and_crash_into_errors(tmp_path, monkeypatch):
    path = tmp_path / "trial.c3d"
    _write_c3d(path)
    monkeypatch.setattr(c3d_module, "_read_content", _hang)
    with pytest.raises(DataFormatError, match=r"trial\.c3d: .*did not finish within 0\.5 s"):
        read_c3d(path, timeout_s=0.5)
    monkeypatch.setattr(c3d_module, "_read_content", _crash)
    with pytest.raises(DataFormatError, match=r"trial\.c3d: .*ezc3d crashed \(exit code 139"):
        read_c3d(path)
