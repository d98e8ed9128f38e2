import mne
import numpy as np
import pytest

from cyborg.errors import DataFormatError
from cyborg.recording import Recording
from cyborg.windows import event_windows, trials_from_epochs


def _recording(n_samples=2000, onsets=(0.5, 1.0, 2.0), descriptions=("11", "13", "22")):
    sfreq = 500.0
    data = np.tile(np.arange(n_samples, dtype=float), (2, 1)) * 1e-6  # value = sample index, in volts
    raw = mne.io.RawArray(data, mne.create_info(["Cz", "Pz"], sfreq, "eeg"), verbose="error")
    raw.set_annotations(mne.Annotations(list(onsets), 0.0, list(descriptions)))
    return Recording(raw=raw, subject="subject0", session="train1", stance="goofy")


def _label(description):
    return int(description) % 10 - 1 if description != "skip" else None


def test_windows_start_0_2_s_after_the_event_like_the_test_epochs():
    trials = event_windows(_recording(), 0.2, 250, label_of=_label, class_names=("fs", "bs", "pump"))
    assert trials.X.shape == (3, 2, 250)
    # event at 0.5 s -> sample 250; the window starts 100 samples (0.2 s) later
    np.testing.assert_allclose(trials.X[0, 0], np.arange(350, 600), rtol=1e-6)
    assert trials.X[2, 0, 0] == pytest.approx(1100)
    assert list(trials.y) == [0, 2, 1]
    assert list(trials.metadata.stance) == ["goofy"] * 3


def test_margin_widens_windows_on_both_sides():
    trials = event_windows(_recording(), 0.2, 250, margin=25, label_of=_label, class_names=("a", "b", "c"))
    assert trials.n_times == 300 and trials.info["margin"] == 25
    assert trials.X[0, 0, 25] == pytest.approx(350)


def test_unlabelled_annotations_are_skipped():
    rec = _recording(onsets=(0.5, 1.0), descriptions=("11", "skip"))
    assert len(event_windows(rec, 0.2, 250, label_of=_label, class_names=("a", "b", "c"))) == 1


def test_event_too_close_to_the_end_is_reported():
    rec = _recording(n_samples=1100, onsets=(0.5, 1.9), descriptions=("11", "12"))
    with pytest.raises(DataFormatError, match=r"field 'event': expected events whose window .* found event 1 at 1.900 s"):
        event_windows(rec, 0.2, 250, label_of=_label, class_names=("a", "b", "c"))


def test_trials_from_epochs_fills_unknown_kinematics_with_nan():
    info = mne.create_info(["TA R", "TA L"], 2000.0, "emg")
    epochs = mne.EpochsArray(np.ones((4, 2, 100)), info, verbose="error")
    rec = Recording(raw=epochs, subject="0001", side="test", target_names=("vx", "vy", "vz"))
    trials = trials_from_epochs(rec, target_shape=(30, 3))
    assert trials.y.shape == (4, 30, 3) and np.isnan(trials.y).all()
    assert list(trials.metadata.side) == ["test"] * 4 and list(trials.metadata.trial) == [0, 1, 2, 3]
