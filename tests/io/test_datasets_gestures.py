"""UCI gestures loader: windows labelled by the gesture they lie in."""

from __future__ import annotations

import numpy as np
import pytest

from cyborg.errors import DataFormatError
from cyborg.io.datasets.gestures import (CLASS_NAMES, gesture_files, gesture_trials,
                                         load_gesture_recordings, load_gesture_trials)
from cyborg.windows.sliding import sample_labels


@pytest.fixture(scope="module")
def recordings(gestures_dir):
    return load_gesture_recordings(gestures_dir.parent)


def test_gesture_windows(recordings):
    trials = gesture_trials(recordings, window_s=0.2, step_s=0.1)
    assert len(recordings) == 8 and recordings[0].sfreq == 200.0
    assert trials.X.shape == (1473, 8, 40) and trials.class_names == CLASS_NAMES
    assert np.bincount(trials.y).tolist() == [240, 240, 254, 249, 251, 239]
    assert trials.info["n_candidates"] == 4452 and trials.info["n_dropped"] == 2979
    sizes = trials.metadata.groupby(["subject", "series"]).size()
    assert len(sizes) == 8 and sizes.min() >= 150
    assert set(trials.metadata["subject"]) == {"01", "05", "06", "14"}


def test_every_window_lies_inside_its_gesture(recordings):
    trials = gesture_trials(recordings[:2])
    for recording in recordings[:2]:
        labels = sample_labels(recording, CLASS_NAMES)
        rows = trials.metadata.index[trials.metadata["series"] == recording.session]
        starts = np.round(trials.metadata.loc[rows, "start_s"].to_numpy() * recording.sfreq).astype(int)
        for row, start in zip(rows, starts):
            assert (labels[start:start + 40] == trials.y[row]).all()


def test_selection_and_native_rate(gestures_dir):
    trials = load_gesture_trials(gestures_dir.parent, subjects=["05"], series=[2], sfreq=None)
    assert trials.n_times == 200 and trials.sfreq == 1000.0  # 0.2 s on the 1 kHz grid
    assert set(trials.metadata["subject"]) == {"05"} and set(trials.metadata["series"]) == {"2"}
    assert [p.parent.name for p in gesture_files(gestures_dir)] == ["01", "01", "05", "05", "06", "06", "14", "14"]


def test_no_files_is_refused(tmp_path):
    with pytest.raises(DataFormatError, match=r"expected UCI gestures files .* found none"):
        load_gesture_recordings(tmp_path)
