"""Plain-text EMG readers: the UCI lower-limb and gestures layouts, real files and quirks."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest

from cyborg.errors import DataFormatError
from cyborg.io.formats import read_recording
from cyborg.io.text_emg import read_text_emg, read_uci_gestures, read_uci_lower_limb

# ---------------------------------------------------------------- real lower-limb files

#: Files whose goniometer is negative-going (measured: |min| > |max| of FX).
NEGATIVE_GOING = {"3Nmar", "3Npie", "3Nsen", "4Nmar", "4Npie", "4Nsen", "6Nmar", "6Npie", "6Nsen",
                  "7Npie", "7Nsen"}


def test_lower_limb_files_match_source(lower_limb_dir):
    paths = sorted((lower_limb_dir / "N_TXT").glob("*.txt"))
    assert len(paths) == 33  # 11 normal subjects x 3 exercises
    flipped = set()
    for path in paths:
        recording = read_recording(path)
        header_count = int(re.search(r"(\d+) values", path.read_text("latin-1").splitlines()[1]).group(1))
        assert recording.ch_names == ["RF", "BF", "VM", "ST"], path.name
        assert recording.sfreq == 1000.0 and recording.raw.n_times == header_count, path.name
        assert 5.0 <= recording.raw.n_times / 1000 <= 37.0, path.name
        assert recording.targets.shape == (recording.raw.n_times, 1)
        assert recording.target_sfreq == 1000.0 and recording.target_names == ("knee_angle",)
        angle = recording.targets[:, 0]
        assert np.nanmax(angle) > abs(np.nanmin(angle)), path.name  # flexion positive after "auto"
        if recording.extra["angle_flipped"]:
            flipped.add(path.stem)
        assert recording.extra["group"] == "normal" and recording.session == path.stem[-3:]
    assert flipped == NEGATIVE_GOING


def test_lower_limb_known_quirks(lower_limb_dir):
    folder = lower_limb_dir / "N_TXT"
    first = read_uci_lower_limb(folder / "1Nmar.txt")
    assert (first.subject, first.session) == ("N01", "mar")
    assert first.raw.n_times == 5681  # the 19 trailing angle-only rows are dropped
    assert any("'7.5V'" in issue for issue in first.extra["issues"])  # stray token reported
    assert any("19 trailing angle-only rows" in issue for issue in first.extra["issues"])
    np.testing.assert_allclose(first.raw.get_data()[:, 0], [0.0007e-3, -0.0083e-3, 0.0045e-3, -0.0091e-3])
    assert first.targets[0, 0] == 57.6
    spanish = read_uci_lower_limb(folder / "7Nmar.txt")  # 'Recto Femoral' ... 'Flexo-Extension'
    assert spanish.ch_names == ["RF", "BF", "VM", "ST"] and spanish.raw.n_times == 8147
    short_target = read_uci_lower_limb(folder / "4Nsen.txt")  # last EMG row has no angle
    assert np.isnan(short_target.targets[-1, 0]) and np.isfinite(short_target.targets[:-1]).all()
    assert any("target shorter than the signal by 1" in issue for issue in short_target.extra["issues"])
    duplicate = read_uci_lower_limb(folder / "2Npie.txt")
    assert duplicate.extra["data_sha1"] == read_uci_lower_limb(folder / "1Npie.txt").extra["data_sha1"]
    as_recorded = read_uci_lower_limb(folder / "3Nmar.txt", angle_sign="as_recorded")
    assert np.nanmin(as_recorded.targets) == -67.0 and not as_recorded.extra["angle_flipped"]


# ---------------------------------------------------------------- real gesture files


def test_gesture_files_match_source(gestures_dir):
    paths = sorted(gestures_dir.glob("*/*.txt"))
    assert len(paths) == 8  # subjects 01 05 06 14 x 2 series
    for path in paths:
        recording = read_recording(path)
        assert len(recording.ch_names) == 8 and recording.sfreq == 1000.0
        assert 48.0 <= recording.raw.n_times / recording.sfreq <= 66.0, path.name
        descriptions = list(recording.raw.annotations.description)
        # 6 gestures x 2 repetitions; each mark is 1-3 s long
        assert sorted(set(descriptions)) == ["fist", "radial_deviation", "rest", "ulnar_deviation",
                                             "wrist_extension", "wrist_flexion"]
        assert len(descriptions) == 12 and all(descriptions.count(d) == 2 for d in descriptions)
        assert ((recording.raw.annotations.duration > 1.0) & (recording.raw.annotations.duration < 3.0)).all()
        assert np.abs(recording.raw.get_data()).max() <= 0.00128 + 1e-12
        assert 0.85 < recording.extra["repeated_row_fraction"] < 0.95
        assert recording.subject == path.parent.name and recording.session == path.name[0]


# ---------------------------------------------------------------- synthetic lower-limb files


def _lower_limb_text(n_emg: int = 100, *, rate_to: int = 1000, fx_values: int | None = None,
                     trailing_fx: int = 0, fx=None, newline: str = "\r\n", names=("RF", "BF", "VM", "ST", "FX"),
                     emg_unit: str = "mV", stray: dict | None = None) -> str:
    """A file in the UCI lower-limb layout: EMG ramps in mV and a known angle."""
    fx = np.linspace(10.0, 60.0, n_emg + trailing_fx) if fx is None else np.asarray(fx)
    fx_values = fx_values if fx_values is not None else (n_emg + trailing_fx) // 20
    lines = ["File Name: 5Nsen.log"]
    for i, name in enumerate(names[:4]):
        lines.append(f"Channel {i + 1}: '{name}', {n_emg} values, engineering units: {emg_unit}, no filters.")
    lines.append(f"Channel 5: '{names[4]}', {fx_values} values, engineering units: deg, no filters, "
                 f"extrapolated from 50 to {rate_to} samples per second.")
    lines.append("")
    for row in range(n_emg + trailing_fx):
        emg = [f"{0.001 * (row + c):g}" for c in range(4)] if row < n_emg else [""] * 4
        angle = f"{fx[row]:.1f}" if row < len(fx) and np.isfinite(fx[row]) else ""
        lines.append("\t".join([*emg, angle]))
    for row, token in (stray or {}).items():
        cells = lines[7 + row].split("\t")
        cells[4] = token
        lines[7 + row] = "\t".join(cells)
    lines.append("\t\t\t\t")
    return newline.join(lines) + newline


def _write(tmp_path: Path, text: str, name: str = "5Nsen.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    return path


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_lower_limb_round_trip(tmp_path, newline):
    path = _write(tmp_path, _lower_limb_text(100, trailing_fx=20, newline=newline))
    recording = read_text_emg(path)
    assert (recording.subject, recording.session) == ("N05", "sen")
    assert recording.raw.n_times == 100 and recording.targets.shape == (100, 1)
    np.testing.assert_allclose(recording.raw.get_data()[:, 3], np.array([3, 4, 5, 6]) * 1e-6)  # mV -> V
    np.testing.assert_allclose(recording.targets[:, 0], np.round(np.linspace(10, 60, 120)[:100], 1))
    assert "20 trailing angle-only rows after the EMG dropped" in recording.extra["issues"]
    assert recording.extra["file_units"]["RF"] == "mV" and not recording.extra["angle_flipped"]


def test_lower_limb_truncated_file_is_refused(tmp_path):
    text = _lower_limb_text(100)
    path = _write(tmp_path, text[: text.index("\r\n0.05\t") + 2])  # rows 0-49 kept
    with pytest.raises(DataFormatError, match=r"5Nsen\.txt: field 'data': expected 100 EMG rows "
                                              r"\(header\), found 50: file truncated"):
        read_uci_lower_limb(path)


def test_lower_limb_rate_disagreeing_with_1khz_is_refused(tmp_path):
    path = _write(tmp_path, _lower_limb_text(100, rate_to=2000, fx_values=2))
    with pytest.raises(DataFormatError, match=r"5Nsen\.txt: field 'FX header': expected rows at the "
                                              r"documented 1000 Hz, found 2000 samples per second"):
        read_uci_lower_limb(path)
    trusted = read_uci_lower_limb(path, sfreq=None)  # trust the header instead
    assert trusted.sfreq == 2000.0 and trusted.target_sfreq == 2000.0


def test_lower_limb_angle_count_disagreeing_with_rows_is_refused(tmp_path):
    path = _write(tmp_path, _lower_limb_text(100, fx_values=9))  # 9 x 20 = 180 rows promised
    with pytest.raises(DataFormatError, match=r"field 'FX': expected about 180 angle rows .* found 100: "
                                              r"timing disagrees"):
        read_uci_lower_limb(path)


def test_lower_limb_short_target_is_padded_with_nan(tmp_path, caplog):
    fx = np.r_[np.linspace(10, 60, 97), [np.nan] * 3]
    path = _write(tmp_path, _lower_limb_text(100, fx=fx, fx_values=5))
    with caplog.at_level(logging.WARNING, logger="cyborg.io"):
        recording = read_uci_lower_limb(path)
    assert np.isnan(recording.targets[97:, 0]).all() and np.isfinite(recording.targets[:97]).all()
    assert any("5Nsen.txt" in r.getMessage() and "shorter than the signal by 3" in r.getMessage()
               for r in caplog.records)


def test_lower_limb_stray_and_unreadable_tokens(tmp_path):
    path = _write(tmp_path, _lower_limb_text(200, stray={5: "33.3V", 9: "abc"}))
    recording = read_uci_lower_limb(path)
    assert recording.targets[5, 0] == 33.3 and np.isnan(recording.targets[9, 0])
    assert any("'33.3V'" in issue for issue in recording.extra["issues"])
    assert any("damaged rows" in issue and "line 17" in issue for issue in recording.extra["issues"])
    assert "1 blank or unreadable angle cells inside the recording (NaN targets)" in recording.extra["issues"]


def test_lower_limb_many_damaged_rows_are_refused(tmp_path):
    path = _write(tmp_path, _lower_limb_text(100, stray={i: "x" for i in range(0, 100, 10)}))
    with pytest.raises(DataFormatError, match=r"5Nsen\.txt: field 'data': expected tab-separated numbers "
                                              r"in 5 columns, found 10 damaged rows \(first at line 8\)"):
        read_uci_lower_limb(path)


def test_lower_limb_sign_and_offset_normalisation(tmp_path):
    fx = -np.linspace(5.0, 80.0, 100)  # negative-going goniometer
    path = _write(tmp_path, _lower_limb_text(100, fx=fx, fx_values=5))
    flipped = read_uci_lower_limb(path)
    kept = read_uci_lower_limb(path, angle_sign="as_recorded")
    zeroed = read_uci_lower_limb(path, zero_angle=True)
    np.testing.assert_allclose(flipped.targets[:, 0], -np.round(fx, 1))
    np.testing.assert_allclose(kept.targets[:, 0], np.round(fx, 1))
    assert flipped.extra["angle_flipped"] and not kept.extra["angle_flipped"]
    assert any("sign flipped" in issue for issue in flipped.extra["issues"])
    offset = np.percentile(-np.round(fx, 1), 1)
    np.testing.assert_allclose(zeroed.targets[:, 0], -np.round(fx, 1) - offset)
    assert zeroed.extra["angle_offset_deg"] == pytest.approx(offset)


def test_lower_limb_unknown_column_or_unit_is_refused(tmp_path):
    path = _write(tmp_path, _lower_limb_text(40, names=("RF", "BF", "XX", "ST", "FX")))
    with pytest.raises(DataFormatError, match=r"field 'header': expected a channel in .* found 'XX'"):
        read_uci_lower_limb(path)
    path = _write(tmp_path, _lower_limb_text(40, emg_unit="furlong"))
    with pytest.raises(DataFormatError, match=r"field 'RF unit': expected one of .* found 'furlong'"):
        read_uci_lower_limb(path)


def test_lower_limb_blank_emg_cell_is_nan_and_reported(tmp_path):
    text = _lower_limb_text(60).replace("\r\n0.01\t", "\r\n\t", 1)  # row 10: RF blank
    recording = read_uci_lower_limb(_write(tmp_path, text))
    assert np.isnan(recording.raw.get_data()[0, 10])
    assert "1 rows with blank EMG cells inside the signal (NaN)" in recording.extra["issues"]
    assert "channels with NaN/inf samples: ['RF']" in recording.extra["issues"]


# ---------------------------------------------------------------- synthetic gesture files


def _pathology_text(n_rows: int = 60, digital: list[int] | None = None) -> str:
    """The header variant of the knee-pathology files 9A-11A: 'Flexo', a 'Digitals combined' line and
    a sixth column; FX has one value per row; trailing rows of empty cells."""
    digital = digital or [31] * n_rows
    lines = ["File Name: 10Amar.log"]
    for i, name in enumerate(("Recto femoral", "Biceps Femoral", "Vasto Medial", "Semitendinoso")):
        lines.append(f"Channel {i + 1}: '{name}', {n_rows} values, engineering units: mV, no filters.")
    lines.append(f"Channel 5: 'Flexo', {n_rows} values, engineering units: deg, no filters.")
    lines.append(f"Digitals combined (event=16, d=8, c=4, b=2, a=1): {n_rows} values, .")
    lines.append("")
    for row in range(n_rows):
        emg = [f"{0.001 * (row + c):g}" for c in range(4)]
        lines.append("\t".join([*emg, f"{20 + row * 0.5:.1f}", str(digital[row])]))
    lines += ["\t\t\t\t\t"] * 9
    return "\r\n".join(lines) + "\r\n"


def test_lower_limb_pathology_header_variant(tmp_path, caplog):
    path = _write(tmp_path, _pathology_text(60), "10Amar.txt")
    with caplog.at_level(logging.INFO, logger="cyborg.io"):
        recording = read_recording(path)
    assert (recording.subject, recording.session, recording.extra["group"]) == ("A10", "mar", "pathology")
    assert recording.ch_names == ["RF", "BF", "VM", "ST", "DIGITAL"]
    assert recording.raw.get_channel_types() == ["emg"] * 4 + ["stim"]
    assert recording.raw.n_times == 60 and recording.targets.shape == (60, 1)
    np.testing.assert_allclose(recording.targets[:, 0], 20 + np.arange(60) * 0.5)  # 'Flexo' is the angle
    np.testing.assert_allclose(recording.raw.get_data(picks="emg")[:, 2], np.array([2, 3, 4, 5]) * 1e-6)
    assert recording.extra["digital_codes"] == [31] and len(recording.raw.annotations) == 0
    assert any("digital inputs constant at code 31" in m for m in caplog.messages)
    assert recording.extra["file_units"]["DIGITAL"].startswith("bit code (event=16")


def test_lower_limb_digital_code_changes_become_annotations(tmp_path):
    codes = [31] * 20 + [15] * 10 + [31] * 30  # the event bit (16) drops for 10 ms at 20 ms
    recording = read_uci_lower_limb(_write(tmp_path, _pathology_text(60, codes), "9Asen.txt"))
    annotations = recording.raw.annotations
    assert list(annotations.description) == ["digital 15", "digital 31"]
    np.testing.assert_allclose(annotations.onset, [0.020, 0.030])
    assert recording.extra["digital_codes"] == [15, 31]


def test_lower_limb_unknown_extra_header_line_is_refused(tmp_path):
    text = _pathology_text(20).replace("Digitals combined (event=16, d=8, c=4, b=2, a=1)", "Marker line")
    with pytest.raises(DataFormatError, match=r"10Amar\.txt: field 'header': expected \"Channel n: .*"
                                              r"or \"Digitals combined \(\.\.\.\): N values\", "
                                              r"found 'Marker line: 20 values, \.'"):
        read_uci_lower_limb(_write(tmp_path, text, "10Amar.txt"))


def _gesture_text(times_ms, classes, values=None) -> str:
    values = np.tile(np.arange(1, 9) * 1e-5, (len(times_ms), 1)) if values is None else values
    lines = ["time\tchannel1\tchannel2\tchannel3\tchannel4\tchannel5\tchannel6\tchannel7\tchannel8\tclass"]
    for t, row, c in zip(times_ms, values, classes):
        lines.append("\t".join([str(t), *(f"{v:g}" for v in row), str(c)]))
    return "\n".join(lines) + "\n"


def _gesture_file(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "07"
    folder.mkdir(exist_ok=True)
    path = folder / "2_raw_data_10-00_01.01.16.txt"
    path.write_text(text)
    return path


def test_gestures_grid_hold_and_annotations(tmp_path):
    times = np.r_[np.arange(1, 101), np.arange(104, 301)]  # a 3 ms gap after t = 100 ms
    classes = np.r_[np.zeros(50, int), np.full(100, 2), np.zeros(147, int)]
    values = np.arange(len(times))[:, None] * np.ones(8) * 1e-5
    recording = read_uci_gestures(_gesture_file(tmp_path, _gesture_text(times, classes, values)))
    assert (recording.subject, recording.session) == ("07", "2")
    assert recording.raw.n_times == 300  # t = 1 .. 300 ms on a 1 kHz grid
    signal = recording.raw.get_data()[0]
    assert signal[99] == signal[100] == signal[101] == signal[102] == pytest.approx(99e-5)  # held over the gap
    assert signal[103] == pytest.approx(100e-5)
    annotations = recording.raw.annotations
    assert list(annotations.description) == ["fist"]
    assert annotations.onset[0] == pytest.approx(0.050) and annotations.duration[0] == pytest.approx(0.103)
    assert recording.extra["n_gap_samples"] == 3


@pytest.mark.parametrize("times, classes, message", [
    ([1, 2, 2, 3], [0, 0, 0, 0], r"field 'time': expected increasing time stamps, found a step of 0 ms"),
    ([0.001, 0.002, 0.003, 0.004], [0, 0, 0, 0], r"field 'time': expected rows every 1 ms \(1000 Hz\)"),
    ([1, 2, 3, 4], [0, 9, 9, 0], r"field 'class': expected codes 0-7, found \[9\]"),
])
def test_gestures_bad_content_is_refused(tmp_path, times, classes, message):
    path = _gesture_file(tmp_path, _gesture_text(times, classes))
    with pytest.raises(DataFormatError, match=message):
        read_uci_gestures(path)


def test_gestures_wrong_header_is_refused(tmp_path):
    text = _gesture_text(np.arange(1, 11), np.zeros(10, int))
    unknown_layout = _gesture_file(tmp_path, text.replace("time\t", "t_ms\t"))
    with pytest.raises(DataFormatError, match=r"field 'first line': expected 'File Name: \.\.\.' \(UCI "
                                              r"lower limb\) or .* found 't_ms"):
        read_text_emg(unknown_layout)
    renamed_channel = _gesture_file(tmp_path, text.replace("channel8", "emg8"))
    with pytest.raises(DataFormatError, match=r"field 'header': expected \['time', 'channel1', .* "
                                              r"found \['time', .*'emg8', 'class'\]"):
        read_text_emg(renamed_channel)


def test_gestures_truncated_last_row_is_dropped(tmp_path):
    text = _gesture_text(np.arange(1, 201), np.zeros(200, int))
    path = _gesture_file(tmp_path, text[: text.rindex("\t", 0, len(text) - 10)])
    recording = read_uci_gestures(path)
    assert recording.raw.n_times == 199
    assert any("1 damaged rows (dropped)" in issue for issue in recording.extra["issues"])
