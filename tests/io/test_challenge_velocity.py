"""Theme 2 files: fields read by position, every check fails with a clear message."""

from __future__ import annotations

import numpy as np
import pytest

from cyborg.challenge import EMG_CHANNELS
from cyborg.errors import DataFormatError
from cyborg.io.challenge_velocity import (REFERENCE_FIELDS, TEST_FIELDS, TRAIN_FIELDS, load_velocity,
                                          read_velocity_file, write_velocity_file)


def _trials(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    emg = (rng.standard_normal((n, 16, 1000)) * 0.01).astype(np.float32)
    velocity = rng.uniform(-3, 3, (n, 3, 30)).astype(np.float32)
    return emg, velocity


def _write_folder(root, version: str = "5") -> dict:
    emg1, vel1 = _trials(3, 1)
    emg2, vel2 = _trials(2, 2)
    emg_test, _ = _trials(3, 3)
    ref_train, ref_vel_train = _trials(2, 4)
    ref_test, ref_vel_test = _trials(2, 5)
    write_velocity_file(root / "train.mat", {"0001": [emg1, vel1, "goofy"], "0002": [emg2, vel2, "regular"]},
                        version, TRAIN_FIELDS)
    write_velocity_file(root / "test.mat", {"0001": [emg_test, np.zeros((0, 0)), "goofy"]}, version, TEST_FIELDS)
    write_velocity_file(root / "reference.mat",
                        {"0005": [ref_train, ref_vel_train, ref_test, ref_vel_test, "regular"]}, version,
                        REFERENCE_FIELDS)
    return {"emg1": emg1, "vel1": vel1, "emg_test": emg_test, "ref_vel_test": ref_vel_test, "ref_test": ref_test}


@pytest.mark.parametrize("version", ["5", "7.3"])
def test_folder_round_trip(tmp_path, version):
    written = _write_folder(tmp_path, version)
    loaded = load_velocity(tmp_path)

    assert [(r.subject, r.side, r.stance, len(r.raw)) for r in loaded["train"]] == [
        ("0001", "train", "goofy", 3), ("0002", "train", "regular", 2)]
    first = loaded["train"][0]
    assert first.ch_names == list(EMG_CHANNELS)
    assert set(first.raw.get_channel_types()) == {"emg"}
    assert first.sfreq == 2000.0
    assert first.extra["emg_unit"] == "file unit"
    np.testing.assert_allclose(first.raw.get_data(), written["emg1"], rtol=1e-6)  # no scaling
    assert first.targets.shape == (3, 30, 3) and first.targets.dtype == np.float32
    assert first.targets[1, 7, 2] == written["vel1"][1, 2, 7]
    assert (first.target_names, first.target_sfreq) == (("vx", "vy", "vz"), 60.0)
    assert first.raw.metadata["trial"].tolist() == [1, 2, 3]

    (test,) = loaded["test"]
    assert (test.subject, test.side, test.stance, test.targets) == ("0001", "test", "goofy", None)
    np.testing.assert_allclose(test.raw.get_data(), written["emg_test"], rtol=1e-6)

    assert [(r.subject, r.side) for r in loaded["reference"]] == [("0005", "train"), ("0005", "test")]
    np.testing.assert_allclose(loaded["reference"][1].raw.get_data(), written["ref_test"], rtol=1e-6)
    np.testing.assert_array_equal(loaded["reference"][1].targets, written["ref_vel_test"].transpose(0, 2, 1))


@pytest.mark.parametrize("version", ["5", "7.3"])
def test_fields_are_read_by_position_not_by_name(tmp_path, version):
    emg, velocity = _trials(2, 7)
    path = write_velocity_file(tmp_path / "train.mat", {"0003": [emg, velocity, "regular"]}, version,
                               field_names=("zz", "yy", "aa"))
    (recording,) = read_velocity_file(path, "train")
    np.testing.assert_array_equal(recording.targets, velocity.transpose(0, 2, 1))
    assert recording.stance == "regular"
    assert recording.extra["field_names"] == ["zz", "yy", "aa"]


def _bad(tmp_path, kind: str, fields: list):
    return write_velocity_file(tmp_path / f"{kind}.mat", {"0002": fields})


def test_bad_files_raise_naming_file_subject_and_field(tmp_path):
    emg, velocity = _trials(2, 0)
    cases = [
        ("train", [emg[:, :15], velocity, "goofy"],
         r"train\.mat: subject '0002': field '\[0\] EMG': expected shape \(N, 16, 1000\), found \(2, 15, 1000\)"),
        ("train", [emg, velocity[:1], "goofy"],
         r"field '\[1\] velocity': expected shape \(2, 3, 30\), found \(1, 3, 30\)"),
        ("train", [emg, velocity.transpose(0, 2, 1), "goofy"],
         r"field '\[1\] velocity': expected shape \(2, 3, 30\), found \(2, 30, 3\)"),
        ("train", [np.where(emg > 0.02, np.nan, emg).astype(np.float32), velocity, "goofy"],
         r"field '\[0\] EMG': expected finite values, found \d+ NaN/inf"),
        ("train", [emg, velocity, "mongo"], r"field '\[2\] stance': expected one of \['regular', 'goofy'\], "
                                            r"found 'mongo'"),
        ("train", [emg, velocity], r"subject '0002': expected a struct with at least 3 fields, found 2 fields"),
        ("test", [emg, np.zeros((0, 0)), "sideways"], r"test\.mat: subject '0002': field '\[2\] stance'"),
        ("reference", [emg, velocity, emg, velocity[:, :2], "goofy"],
         r"reference\.mat: subject '0002': field '\[3\] velocity': expected shape \(2, 3, 30\)"),
    ]
    for kind, fields, message in cases:
        with pytest.raises(DataFormatError, match=message):
            read_velocity_file(_bad(tmp_path, kind, fields), kind)


def test_subject_that_is_not_a_struct_raises(tmp_path):
    from cyborg.io.matfile import save_mat

    path = save_mat(tmp_path / "train.mat", {"0001": np.zeros((2, 2))})
    with pytest.raises(DataFormatError, match=r"train\.mat: subject '0001': expected a 1x1 struct, found ndarray"):
        read_velocity_file(path, "train")


def test_load_velocity_without_train_file_names_what_was_expected(tmp_path):
    (tmp_path / "readme.md").write_text("x")
    with pytest.raises(DataFormatError, match=r"expected a folder with train\.mat, test\.mat and reference\.mat "
                                              r"\(theme 2 layout\), found \['readme\.md'\]"):
        load_velocity(tmp_path)


@pytest.mark.parametrize("version", ["5", "7.3"])
@pytest.mark.parametrize("field1", ["goofy", np.zeros((0, 0)), np.array([1.0, 2.0])])
def test_test_file_field1_holds_anything_and_float64_is_read(tmp_path, version, field1):
    """The original test.mat's field [1] is not empty (stance as read by some code); arrays are float64."""
    emg, _ = _trials(2, 9)
    path = write_velocity_file(tmp_path / "test.mat", {"0001": [emg.astype(np.float64), field1, "goofy"]},
                               version, TEST_FIELDS)
    (recording,) = read_velocity_file(path, "test")
    assert (recording.stance, recording.side, recording.targets) == ("goofy", "test", None)
    np.testing.assert_array_equal(recording.raw.get_data(), emg.astype(np.float64))


@pytest.mark.parametrize("version", ["5", "7.3"])
def test_float64_velocity_is_read_as_float32(tmp_path, version):
    emg, velocity = _trials(2, 10)
    path = write_velocity_file(tmp_path / "train.mat", {"0002": [emg.astype(np.float64),
                                                                 velocity.astype(np.float64), "regular"]},
                               version, TRAIN_FIELDS)
    (recording,) = read_velocity_file(path, "train")
    assert recording.targets.dtype == np.float32
    np.testing.assert_array_equal(recording.targets, velocity.transpose(0, 2, 1))
