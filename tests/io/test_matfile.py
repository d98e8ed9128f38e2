"""MATLAB v5 / v7.3 reading and writing: round trips, field order, MATLAB layout, bad files."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import scipy.io
from pymatreader import read_mat

from cyborg.errors import CyborgError, DataFormatError
from cyborg.io.matfile import load_mat, save_mat

VERSIONS = ("5", "7.3")


def _example() -> dict:
    return {
        "data": np.arange(24, dtype=np.float32).reshape(4, 6),
        "cube": np.arange(60, dtype=np.float64).reshape(3, 4, 5) / 7.0,
        "counts": np.array([[1, -2, 3]], dtype=np.int32),
        "name": "goofy",
        "labels": ["Fp1 ", "F7  ", "Cz  "],
        # field order deliberately not alphabetical: readers must keep it
        "0001": {"zeta": np.ones((2, 3, 4)), "alpha": np.zeros((0, 0)), "mid": "regular",
                 "inner": {"b": np.array([[5.0]]), "a": "x"}},
        "events": [{"type": np.array([[11.0]]), "time": np.array([[0.5]])},
                   {"type": np.array([[23.0]]), "time": np.array([[1.5]])}],
        "cell": [np.array([[1.0, 2.0]]), "text"],
    }


def _assert_equal(read, written) -> None:
    if isinstance(written, dict):
        assert isinstance(read, dict)
        assert list(read) == list(written)
        for key in written:
            _assert_equal(read[key], written[key])
    elif isinstance(written, list):
        assert isinstance(read, list) and len(read) == len(written)
        for r, w in zip(read, written):
            _assert_equal(r, w)
    elif isinstance(written, str):
        assert read == written
    else:
        assert read.shape == written.shape
        assert read.dtype == written.dtype
        np.testing.assert_array_equal(read, written)


@pytest.mark.parametrize("version", VERSIONS)
def test_round_trip_keeps_values_shapes_types_and_field_order(tmp_path, version):
    written = _example()
    path = save_mat(tmp_path / "x.mat", written, version=version)
    read = load_mat(path)
    assert set(read) == set(written)
    for key in written:
        _assert_equal(read[key], written[key])


@pytest.mark.parametrize("version", VERSIONS)
def test_vectors_and_scalars_come_back_as_rows(tmp_path, version):
    read = load_mat(save_mat(tmp_path / "x.mat", {"v": np.arange(3.0), "s": 2.5}, version=version))
    assert read["v"].shape == (1, 3)
    np.testing.assert_array_equal(read["v"], [[0.0, 1.0, 2.0]])
    assert read["s"].shape == (1, 1) and read["s"][0, 0] == 2.5


def test_v73_file_has_matlab_header_and_layout(tmp_path):
    path = save_mat(tmp_path / "x.mat", _example(), version="7.3")
    header = path.read_bytes()[:128]
    assert header.startswith(b"MATLAB 7.3 MAT-file")
    assert header[124:128] == b"\x00\x02IM"
    assert scipy.io.matlab.matfile_version(str(path)) == (2, 0)
    with h5py.File(path, "r") as file:
        group = file["0001"]
        assert group.attrs["MATLAB_class"] == b"struct"
        fields = [b"".join(chars).decode() for chars in group.attrs["MATLAB_fields"]]
        assert fields == ["zeta", "alpha", "mid", "inner"]
        assert group["zeta"].shape == (4, 3, 2)  # MATLAB (2, 3, 4) stored column-major
        assert file["labels"].attrs["MATLAB_class"] == b"char"
        assert file["labels"].shape == (4, 3)


def test_v73_file_is_readable_by_pymatreader(tmp_path):
    path = save_mat(tmp_path / "x.mat", _example(), version="7.3")
    content = read_mat(str(path))
    np.testing.assert_array_equal(content["data"], np.arange(24, dtype=np.float32).reshape(4, 6))
    assert list(content["labels"]) == ["Fp1 ", "F7  ", "Cz  "]
    assert content["0001"]["mid"] == "regular"
    np.testing.assert_array_equal(content["events"]["type"], [11.0, 23.0])


def test_v73_struct_without_field_attribute_falls_back_to_member_names(tmp_path):
    path = save_mat(tmp_path / "x.mat", {"s": {"b": np.ones((1, 1)), "a": "x"}}, version="7.3")
    with h5py.File(path, "r+") as file:
        del file["s"].attrs["MATLAB_fields"]
    assert list(load_mat(path)["s"]) == ["a", "b"]


@pytest.mark.parametrize("version", VERSIONS)
def test_equal_content_gives_equal_bytes(tmp_path, version):
    first = save_mat(tmp_path / "a.mat", _example(), version=version).read_bytes()
    second = save_mat(tmp_path / "b.mat", _example(), version=version).read_bytes()
    assert first == second
    assert first.startswith(b"MATLAB")


def test_logical_arrays(tmp_path):
    flags = np.array([[True, False, True]])
    read_v73 = load_mat(save_mat(tmp_path / "b.mat", {"f": flags}, version="7.3"))["f"]
    assert read_v73.dtype == bool
    np.testing.assert_array_equal(read_v73, flags)
    read_v5 = load_mat(save_mat(tmp_path / "a.mat", {"f": flags}, version="5"))["f"]
    np.testing.assert_array_equal(read_v5, [[1, 0, 1]])


@pytest.mark.parametrize("version", VERSIONS)
def test_truncated_file_raises_naming_the_file(tmp_path, version):
    path = save_mat(tmp_path / "whole.mat", {"data": np.random.default_rng(0).random((72, 2000))},
                    version=version)
    cut = tmp_path / "cut.mat"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataFormatError, match=r"cut\.mat: expected a (complete|readable) MATLAB"):
        load_mat(cut)


def test_non_mat_and_tiny_and_missing_files_raise(tmp_path):
    text = tmp_path / "notes.mat"
    text.write_text("this is not a MATLAB file " * 10)
    with pytest.raises(DataFormatError, match=r"notes\.mat: expected a MATLAB v5 or v7\.3 file, found an unknown"):
        load_mat(text)
    tiny = tmp_path / "tiny.mat"
    tiny.write_bytes(b"MATLAB")
    with pytest.raises(DataFormatError, match=r"tiny\.mat: .*found a file of 6 bytes"):
        load_mat(tiny)
    with pytest.raises(DataFormatError, match=r"absent\.mat: expected an existing MATLAB \.mat file"):
        load_mat(tmp_path / "absent.mat")


@pytest.mark.parametrize("version", VERSIONS)
def test_writer_rejects_bad_names_and_types(tmp_path, version):
    with pytest.raises(CyborgError, match="variable names not starting with '_' or '#', found '_x'"):
        save_mat(tmp_path / "x.mat", {"_x": 1.0}, version=version)
    with pytest.raises(CyborgError, match="numeric \\(real\\) or logical array, found dtype complex128"):
        save_mat(tmp_path / "x.mat", {"z": np.array([1j])}, version=version)
    with pytest.raises(CyborgError, match="struct array elements with fields \\['a'\\]"):
        save_mat(tmp_path / "x.mat", {"s": [{"a": 1.0}, {"b": 2.0}]}, version=version)


def test_unknown_version_is_refused(tmp_path):
    with pytest.raises(CyborgError, match=r"save_mat version: expected one of \['5', '7.3'\], found '7'"):
        save_mat(tmp_path / "x.mat", {"a": 1.0}, version="7")
