"""Theme 1 files read the way published competitor code reads the originals (CHALLENGE.md 1.2-1.7).

Every expectation is written out here from the published descriptions, not taken from cyborg's own
constants, so a change of ours that breaks such code fails here.
"""

from __future__ import annotations

import csv
import re

import numpy as np
from pymatreader import read_mat
from scipy.io import loadmat

# CHALLENGE.md 1.4, file order.
CHANNELS = """Fp1 Fp2 F3 F4 C3 C4 P3 P4 O1 O2 F7 F8 T7 T8 P7 P8 Fz Cz Pz Oz FC1 FC2 CP1 CP2 FC5 FC6 CP5 CP6 FT9 FT10
FCz AFz F1 F2 C1 C2 P1 P2 AF3 AF4 FC3 FC4 CP3 CP4 PO3 PO4 F5 F6 C5 C6 P5 P6 AF7 AF8 FT7 FT8 TP7 TP8 PO7 PO8 Fpz
CPz POz Iz F9 F10 P9 P10 PO9 PO10 O9 O10""".split()
LABELS = {"frontside_kickturn", "backside_kickturn", "pumping"}
TYPES = {11, 12, 13, 21, 22, 23}


def test_folder_layout(trick_root):
    for k in range(5):
        assert sorted(p.name for p in (trick_root / "train" / f"subject{k}").iterdir()) == [
            "train1.mat", "train2.mat", "train3.mat"]
        assert (trick_root / "test" / f"subject{k}.mat").is_file()
    assert (trick_root / "sample_submit.csv").is_file()


def test_train_file_read_with_pymatreader(trick_root):
    """Keys times/data/ch_labels/event; event fields by name; 500 Hz times in ms from 0; µV (72, T)."""
    mat = read_mat(str(trick_root / "train" / "subject0" / "train1.mat"))
    assert {"times", "data", "ch_labels", "event"} <= set(mat)
    data, times = np.asarray(mat["data"]), np.asarray(mat["times"]).ravel()
    assert data.shape == (72, times.size)
    np.testing.assert_allclose(np.diff(times), 2.0)
    assert times[0] == 0.0
    event = mat["event"]
    assert {"init_index", "type", "init_time"} <= set(event)
    types = np.asarray(event["type"]).astype(int).ravel()
    assert set(types) <= TYPES and set(types % 10) <= {1, 2, 3}
    init_time = np.asarray(event["init_time"], dtype=float).ravel()
    # sample of an event = (init_time [s] * 1000 + offset [ms]) // 2, with times starting at 0
    samples = (init_time * 1000 + 200) // 2
    np.testing.assert_allclose(times[samples.astype(int)], init_time * 1000 + 200, atol=2.0)
    assert np.all(samples + 250 <= times.size)


def test_train_event_struct_read_with_scipy(trick_root):
    mat = loadmat(trick_root / "train" / "subject1" / "train2.mat")
    event = mat["event"]
    assert set(event.dtype.names) >= {"init_index", "type", "init_time"}
    types = np.concatenate([np.ravel(item) for item in event["type"].ravel()]).astype(int)
    assert set(types) <= TYPES and len(types) == 4


def test_channel_labels_are_space_padded_and_stripped_give_the_72_names(trick_root):
    for path in (trick_root / "train" / "subject2" / "train3.mat", trick_root / "test" / "subject2.mat"):
        raw = [str(label) for label in read_mat(str(path))["ch_labels"]]
        assert len(raw) == 72 and all(len(label) >= 4 for label in raw)
        assert "Fp1 " in raw and "F7  " in raw
        assert [label.strip() for label in raw] == CHANNELS
        scipy_labels = loadmat(path)["ch_labels"]
        assert [str(label).strip() for label in scipy_labels] == CHANNELS


def test_test_file_has_data_and_labels_only_with_epochs_of_72_by_250(trick_root):
    for k in range(5):
        mat = loadmat(trick_root / "test" / f"subject{k}.mat")
        assert sorted(key for key in mat if not key.startswith("__")) == ["ch_labels", "data"]
        assert mat["data"].shape == (30, 72, 250)


def test_sample_submission_layout(trick_root):
    """No header, sample_id,label; subject{k}_{index:03d} in test order; the three label spellings."""
    rows = list(csv.reader((trick_root / "sample_submit.csv").read_text().splitlines()))
    assert all(len(row) == 2 for row in rows)
    assert rows[0][0] == "subject0_000"  # no header line
    assert [row[0] for row in rows] == [f"subject{k}_{i:03d}" for k in range(5) for i in range(30)]
    assert all(re.fullmatch(r"subject\d_\d{3}", row[0]) for row in rows)
    labels = [row[1] for row in rows]
    assert set(labels) == LABELS  # random, like the original's 267/247/232, not one class
    for k in range(5):
        n = loadmat(trick_root / "test" / f"subject{k}.mat")["data"].shape[0]
        assert sum(row[0].startswith(f"subject{k}_") for row in rows) == n


def test_full_size_counts_are_the_originals():
    from cyborg.simulate.trick import trick_parameters

    params = trick_parameters(full_size=True)
    assert params["test_counts"] == {"subject0": 160, "subject1": 118, "subject2": 160, "subject3": 149,
                                     "subject4": 159}
    assert sum(params["test_counts"].values()) == 746
