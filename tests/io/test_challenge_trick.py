"""Theme 1 files: every layout variant round-trips; every check fails with a clear message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cyborg.challenge import EEG_CHANNELS
from cyborg.errors import DataFormatError
from cyborg.io.challenge_trick import (load_trick, read_trick_session, read_trick_test, write_trick_session,
                                       write_trick_test)
from cyborg.io.matfile import load_mat, save_mat

N_TIMES = 1000  # 2 s at 500 Hz


def _session(start_ms: float = 0.0):
    rng = np.random.default_rng(3)
    times = start_ms + 2.0 * np.arange(N_TIMES)
    data = (rng.standard_normal((72, N_TIMES)) * 20 + 3000).astype(np.float32)
    events = pd.DataFrame({"init_index": [250, 500, 750], "type": [11, 23, 12],
                           "init_time": start_ms / 1000 + np.array([0.5, 1.0, 1.5])})
    return times, data, events


@pytest.mark.parametrize("version", ["5", "7.3"])
@pytest.mark.parametrize("event_layout", ["struct_of_arrays", "struct_array"])
@pytest.mark.parametrize("times_layout", ["row", "column"])
def test_session_round_trip(tmp_path, version, event_layout, times_layout):
    times, data, events = _session()
    path = write_trick_session(tmp_path / "train" / "subject3" / "train2.mat", times, data, EEG_CHANNELS, events,
                               version=version, event_layout=event_layout, times_layout=times_layout)
    recording = read_trick_session(path)

    assert (recording.subject, recording.session, recording.stance) == ("subject3", "train2", "regular")
    assert recording.ch_names == list(EEG_CHANNELS)
    assert recording.sfreq == 500.0
    np.testing.assert_allclose(recording.raw.get_data() * 1e6, data, rtol=1e-6)
    assert set(recording.raw.get_channel_types()) == {"eeg"}
    np.testing.assert_allclose(recording.raw.annotations.onset, [0.5, 1.0, 1.5])
    assert list(recording.raw.annotations.description) == ["11", "23", "12"]
    table = recording.extra["events"]
    assert table["init_index"].tolist() == [250, 500, 750]
    assert table["class_index"].tolist() == [0, 2, 1]
    assert table["direction"].tolist() == ["LED", "Laser", "LED"]
    cz = recording.raw.get_montage().get_positions()["ch_pos"]["Cz"]
    assert np.linalg.norm(cz) > 0.05


def test_onsets_are_relative_to_the_first_sample(tmp_path):
    times, data, events = _session(start_ms=1000.0)
    recording = read_trick_session(write_trick_session(tmp_path / "s.mat", times, data, EEG_CHANNELS, events),
                                   subject="subject0", session="a")
    np.testing.assert_allclose(recording.raw.annotations.onset, [0.5, 1.0, 1.5])
    assert recording.extra["times_start_s"] == 1.0
    assert (recording.subject, recording.session, recording.stance) == ("subject0", "a", "goofy")


def test_labels_are_written_as_space_padded_char_matrix(tmp_path):
    times, data, events = _session()
    content = load_mat(write_trick_session(tmp_path / "s.mat", times, data, EEG_CHANNELS, events))
    assert content["ch_labels"][:2] == ["Fp1 ", "Fp2 "]
    assert content["times"].shape == (1, N_TIMES)
    assert list(content["event"]) == ["init_index", "type", "init_time"]


def _mapping() -> dict:
    times, data, events = _session()
    return {"times": times[None, :], "data": data, "ch_labels": list(EEG_CHANNELS),
            "event": {name: events[name].to_numpy(dtype=float)[None, :] for name in events}}


def _broken(mapping: dict, **changes) -> dict:
    mapping = dict(mapping)
    for key, value in changes.items():
        if value is None:
            del mapping[key]
        else:
            mapping[key] = value
    return mapping


BAD_SESSIONS = {
    "missing key": (lambda m: _broken(m, event=None), r"field 'event': expected key 'event', found keys"),
    "channel count": (lambda m: _broken(m, data=m["data"][:71]),
                      r"field 'data': expected 72 channels \(one per ch_labels\), found 71 rows"),
    "data not 2-D": (lambda m: _broken(m, data=m["data"][None]), r"field 'data': expected a 2-D array"),
    "times length": (lambda m: _broken(m, times=m["times"][:, :-1]),
                     r"field 'times': expected 1000 values \(one per data column\), found 999"),
    "sampling step": (lambda m: _broken(m, times=m["times"] * 2),
                      r"field 'times': expected sampling rate 500 Hz, found 250 Hz"),
    "irregular step": (lambda m: _broken(m, times=np.where(np.arange(N_TIMES) < 500, m["times"], m["times"] + 1)),
                       r"field 'times': expected a constant 2 ms step, found steps from 2 to 3 ms"),
    "NaN": (lambda m: _broken(m, data=np.where(np.arange(N_TIMES) == 7, np.nan, m["data"]).astype(np.float32)),
            r"field 'data': expected finite values, found 72 NaN/inf \(first at index \(0, 7\)\)"),
    "event type": (lambda m: _broken(m, event={**m["event"], "type": np.array([[11.0, 14.0, 12.0]])}),
                   r"field 'event.type': expected event types among \[11, 12, 13, 21, 22, 23\], found \[14\]"),
    "event outside": (lambda m: _broken(m, event={**m["event"], "init_time": np.array([[0.5, 1.0, 2.5]])}),
                      r"field 'event.init_time': expected event times within the recording \[0.000, 1.998\] s, "
                      r"found 1 outside \(first at 2.500 s\)"),
    "event field": (lambda m: _broken(m, event={"type": m["event"]["type"], "init_time": m["event"]["init_time"]}),
                    r"field 'event': expected fields \['init_index', 'type', 'init_time'\], found fields"),
    "event lengths": (lambda m: _broken(m, event={**m["event"], "type": np.array([[11.0, 12.0]])}),
                      r"field 'event': expected fields of one length"),
    "labels": (lambda m: _broken(m, ch_labels=["Fp1"] * 72), r"field 'ch_labels': expected unique, non-empty"),
}


@pytest.mark.parametrize("case", list(BAD_SESSIONS))
def test_bad_session_raises_one_clear_error(tmp_path, case):
    make, message = BAD_SESSIONS[case]
    path = save_mat(tmp_path / "bad.mat", make(_mapping()))
    with pytest.raises(DataFormatError, match=r"bad\.mat: " + message):
        read_trick_session(path)


def test_truncated_session_file_raises(tmp_path):
    times, data, events = _session()
    whole = write_trick_session(tmp_path / "whole.mat", times, data, EEG_CHANNELS, events)
    cut = tmp_path / "train1.mat"
    cut.write_bytes(whole.read_bytes()[:5000])
    with pytest.raises(DataFormatError, match=r"train1\.mat: expected a complete MATLAB v5 file"):
        read_trick_session(cut)


@pytest.mark.parametrize("version", ["5", "7.3"])
def test_test_file_round_trip(tmp_path, version):
    epochs = np.random.default_rng(1).standard_normal((4, 72, 250)).astype(np.float32)
    recording = read_trick_test(write_trick_test(tmp_path / "test" / "subject1.mat", epochs, EEG_CHANNELS, version))
    assert recording.is_epoched
    assert (recording.subject, recording.session, recording.stance) == ("subject1", "test", "regular")
    assert recording.raw.tmin == pytest.approx(0.2)
    np.testing.assert_allclose(recording.raw.get_data() * 1e6, epochs, rtol=1e-6)
    assert recording.raw.metadata["sample_id"].tolist() == [f"subject1_{i:03d}" for i in range(4)]


def test_test_file_with_wrong_shape_raises(tmp_path):
    path = write_trick_test(tmp_path / "subject0.mat", np.zeros((3, 72, 200), np.float32), EEG_CHANNELS)
    with pytest.raises(DataFormatError, match=r"subject0\.mat: field 'data': expected shape \(N, 72, 250\), "
                                              r"found \(3, 72, 200\)"):
        read_trick_test(path)
    path = write_trick_test(tmp_path / "subject1.mat", np.zeros((3, 72, 250), np.float32), EEG_CHANNELS[:71])
    with pytest.raises(DataFormatError, match=r"subject1\.mat: field 'ch_labels': expected 72 names \(one per "
                                              r"data channel\), found 71"):
        read_trick_test(path)


def test_load_trick_sorts_naturally_and_reads_test(tmp_path):
    times, data, events = _session()
    for subject in ("subject10", "subject2"):
        for session in ("train2", "train1"):
            write_trick_session(tmp_path / "train" / subject / f"{session}.mat", times, data, EEG_CHANNELS, events)
        write_trick_test(tmp_path / "test" / f"{subject}.mat", np.zeros((2, 72, 250), np.float32), EEG_CHANNELS)
    loaded = load_trick(tmp_path)
    assert [(r.subject, r.session) for r in loaded["train"]] == [
        ("subject2", "train1"), ("subject2", "train2"), ("subject10", "train1"), ("subject10", "train2")]
    assert [r.subject for r in loaded["test"]] == ["subject2", "subject10"]


def test_load_trick_without_train_folder_names_what_was_expected(tmp_path):
    (tmp_path / "test").mkdir()
    with pytest.raises(DataFormatError, match=r"expected a folder 'train' holding subject\{k\}/train\{n\}\.mat "
                                              r"\(theme 1 layout\), found \['test'\]"):
        load_trick(tmp_path)
