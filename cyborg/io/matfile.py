"""Read and write MATLAB ``.mat`` files (v5 and v7.3) as plain Python structures.

The challenge files are MATLAB structs whose fields are sometimes read by
*position* (theme 2), so struct field order is kept: a 1x1 struct becomes a
``dict`` in the file's field order.

Mapping between MATLAB and Python (both directions):

=========================  ====================================================
MATLAB                     Python
=========================  ====================================================
numeric / logical array    ``np.ndarray`` in MATLAB's shape (always >= 2-D when
                           read; 1-D arrays are written as 1xN rows, scalars as
                           1x1; v5 logicals read back as uint8, as scipy
                           returns them)
char row (1xN)             ``str``
char matrix (MxN, M > 1)   ``list`` of ``str``, one per row, padding kept
1x1 struct                 ``dict`` (field order kept)
struct array               ``list`` of ``dict`` (MATLAB column-major order)
cell array                 ``list`` of converted elements (column-major order);
                           written from any ``list``/``tuple`` that is neither
                           all ``str`` nor all ``dict``
=========================  ====================================================

v5 files go through :func:`scipy.io.loadmat` / :func:`scipy.io.savemat`; v7.3
files (HDF5 with a 512-byte MATLAB header) through h5py, following MATLAB's
layout (``MATLAB_class`` / ``MATLAB_fields`` attributes, ``#refs#`` group for
struct arrays and cells) so that pymatreader and MATLAB read them too. Written
files carry a fixed header text, so equal content gives equal bytes.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import scipy.io
from scipy.io.matlab import MatReadError

from cyborg.errors import CyborgError
from cyborg.validation import check_file, check_option, fail

MAT_VERSIONS = ("5", "7.3")

_HEADER_TEXT = {
    "5": "MATLAB 5.0 MAT-file, Platform: posix, Created by: cyborg",
    "7.3": "MATLAB 7.3 MAT-file, Platform: posix, Created by: cyborg HDF5 schema 1.00 .",
}
_HEADER_TEXT_BYTES = 116
_USERBLOCK_BYTES = 512

_CLASS_OF_DTYPE = {
    np.dtype(np.float64): "double", np.dtype(np.float32): "single",
    np.dtype(np.int8): "int8", np.dtype(np.int16): "int16",
    np.dtype(np.int32): "int32", np.dtype(np.int64): "int64",
    np.dtype(np.uint8): "uint8", np.dtype(np.uint16): "uint16",
    np.dtype(np.uint32): "uint32", np.dtype(np.uint64): "uint64",
}
_DTYPE_OF_CLASS = {name: dtype for dtype, name in _CLASS_OF_DTYPE.items()}
_READ_ERRORS = (ValueError, OSError, EOFError, TypeError, IndexError, KeyError,
                zlib.error, struct.error, UnicodeDecodeError, MatReadError)


# --------------------------------------------------------------------------- reading

def load_mat(path: str | Path) -> dict[str, Any]:
    """Read a MATLAB v5 or v7.3 file into plain Python / numpy structures.

    Parameters
    ----------
    path : str | Path
        The ``.mat`` file.

    Returns
    -------
    variables : dict
        Variable name -> value, in the file's order, converted as the module
        docstring describes (MATLAB's ``__header__``-like entries dropped).

    Raises
    ------
    DataFormatError
        If the file is missing, truncated, not a MAT-file, or holds a MATLAB
        class this reader does not convert (objects, strings, sparse).
    """
    path = check_file(path, "MATLAB .mat file")
    if path.stat().st_size < 128:
        fail(path, None, "a MATLAB v5 or v7.3 file (at least a 128-byte header)",
             f"a file of {path.stat().st_size} bytes")
    if h5py.is_hdf5(path):
        return _load_v73(path)
    try:
        major, _ = scipy.io.matlab.matfile_version(str(path))
    except _READ_ERRORS as err:
        fail(path, None, "a MATLAB v5 or v7.3 file", f"an unknown file type ({err})")
    if major == 2:
        fail(path, None, "a readable MATLAB v7.3 (HDF5) file", "a v7.3 header but no readable HDF5 "
             "content (truncated file?)")
    try:
        raw = scipy.io.loadmat(str(path), squeeze_me=False, struct_as_record=True,
                               chars_as_strings=True)
    except _READ_ERRORS as err:
        fail(path, None, "a complete MATLAB v5 file", f"an unreadable one ({type(err).__name__}: {err})")
    return {name: _from_v5(value) for name, value in raw.items() if not name.startswith("__")}


def _from_v5(value: Any) -> Any:
    """Convert one value returned by :func:`scipy.io.loadmat`."""
    if not isinstance(value, np.ndarray):
        return value
    if value.dtype.names is not None:
        elements = [{name: _from_v5(element[name]) for name in value.dtype.names}
                    for element in value.ravel(order="F")]
        return elements[0] if value.size == 1 else elements
    if value.dtype.kind == "U":
        rows = [str(row) for row in value.ravel(order="F")]
        return "" if not rows else rows[0] if len(rows) == 1 else rows
    if value.dtype == object:
        return [_from_v5(element) for element in value.ravel(order="F")]
    return value


def _load_v73(path: Path) -> dict[str, Any]:
    try:
        with h5py.File(path, "r") as file:
            return {name: _from_h5(file[name], f"{name}", path) for name in file
                    if not name.startswith("#")}
    except _READ_ERRORS as err:
        fail(path, None, "a complete MATLAB v7.3 (HDF5) file",
             f"an unreadable one ({type(err).__name__}: {err})")


def _attr_text(obj: h5py.HLObject, name: str, default: str) -> str:
    value = obj.attrs.get(name, default)
    return value.decode() if isinstance(value, bytes) else str(value)


def _from_h5(obj: h5py.Dataset | h5py.Group, where: str, path: Path) -> Any:
    """Convert one HDF5 object written by MATLAB (or :func:`save_mat`)."""
    matlab_class = _attr_text(obj, "MATLAB_class", "struct" if isinstance(obj, h5py.Group) else "double")
    if isinstance(obj, h5py.Group):
        if matlab_class != "struct" or "MATLAB_sparse" in obj.attrs:
            fail(path, where, "a numeric, char, logical, cell or struct variable",
                 f"MATLAB class '{matlab_class}'")
        return _struct_from_h5(obj, where, path)
    if "MATLAB_empty" in obj.attrs and obj.attrs["MATLAB_empty"]:
        return _empty_from_h5(obj, matlab_class)
    data = obj[()]
    if matlab_class == "char":
        chars = np.atleast_2d(data).T
        rows = ["".join(map(chr, row)) for row in chars.reshape(chars.shape[0], -1)]
        return rows[0] if len(rows) == 1 else rows
    if matlab_class == "cell":
        return [_from_h5(obj.file[ref], f"{where}{{{i}}}", path) for i, ref in enumerate(data.ravel())]
    if matlab_class == "logical":
        return np.ascontiguousarray(data.T).astype(bool)
    if matlab_class not in _DTYPE_OF_CLASS:
        fail(path, where, "a numeric, char, logical, cell or struct variable", f"MATLAB class '{matlab_class}'")
    if data.dtype.names == ("real", "imag"):
        data = data["real"] + 1j * data["imag"]
    return np.ascontiguousarray(np.atleast_2d(data).T)


def _empty_from_h5(obj: h5py.Dataset, matlab_class: str) -> Any:
    dims = np.asarray(obj[()]).ravel()
    shape = tuple(int(d) for d in dims) if dims.size >= 2 and dims.dtype.kind in "iu" else (0, 0)
    if matlab_class == "char":
        return ""
    if matlab_class in ("cell", "struct"):
        return []
    return np.zeros(shape, dtype=bool if matlab_class == "logical" else _DTYPE_OF_CLASS.get(matlab_class, np.float64))


def _struct_from_h5(group: h5py.Group, where: str, path: Path) -> dict | list[dict]:
    if "MATLAB_fields" in group.attrs:
        names = [b"".join(np.asarray(chars).ravel()).decode() for chars in group.attrs["MATLAB_fields"]]
    else:
        names = list(group.keys())
    missing = [name for name in names if name not in group]
    if missing:
        fail(path, where, f"struct members {names}", f"members {list(group.keys())}")
    members = [group[name] for name in names]
    is_array = bool(members) and all(
        isinstance(m, h5py.Dataset) and h5py.check_ref_dtype(m.dtype) is not None
        and "MATLAB_class" not in m.attrs for m in members)
    if not is_array:
        return {name: _from_h5(member, f"{where}.{name}", path) for name, member in zip(names, members)}
    refs = [member[()].ravel() for member in members]
    return [{name: _from_h5(group.file[ref[i]], f"{where}({i + 1}).{name}", path)
             for name, ref in zip(names, refs)} for i in range(len(refs[0]))]


# --------------------------------------------------------------------------- writing

def save_mat(path: str | Path, mapping: Mapping[str, Any], version: str = "5") -> Path:
    """Write variables to a MATLAB file.

    Parameters
    ----------
    path : str | Path
        Destination; parent folders are created.
    mapping : Mapping[str, Any]
        Variable name -> value (see the module docstring for the types
        accepted). Names must not start with ``_`` or ``#``.
    version : {"5", "7.3"}
        ``"5"``: scipy's v5 writer (no compression). ``"7.3"``: HDF5 with the
        MATLAB userblock header.

    Returns
    -------
    path : Path
        The file written.
    """
    check_option(version, MAT_VERSIONS, "save_mat version")
    path = Path(path)
    for name in mapping:
        if not isinstance(name, str) or not name or name[0] in "_#":
            raise CyborgError(f"save_mat: expected variable names not starting with '_' or '#', found {name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if version == "5":
        scipy.io.savemat(str(path), {name: _to_v5(value) for name, value in mapping.items()},
                         long_field_names=True)
    else:
        with h5py.File(path, "w", userblock_size=_USERBLOCK_BYTES, track_order=True) as file:
            writer = _H5Writer(file)
            for name, value in mapping.items():
                writer.write(file, name, value)
    _write_header(path, version)
    return path


def _write_header(path: Path, version: str) -> None:
    """Replace the header text (scipy stamps the time) by a fixed one."""
    text = _HEADER_TEXT[version].ljust(_HEADER_TEXT_BYTES).encode("ascii")
    with open(path, "r+b") as file:
        file.write(text)
        if version == "7.3":
            file.write(b"\x00" * 8 + b"\x00\x02IM")


def _is_text_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, str) for v in value)


def _is_struct_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _char_matrix(rows: list[str] | tuple[str, ...]) -> np.ndarray:
    width = max(len(row) for row in rows)
    return np.array([row.ljust(width) for row in rows], dtype=f"U{max(width, 1)}")


def _numeric(value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype == bool:
        return array
    if array.dtype not in _CLASS_OF_DTYPE:
        raise CyborgError(f"save_mat: expected a numeric (real) or logical array, found dtype {array.dtype}")
    return array


def _to_v5(value: Any) -> Any:
    """Convert one value into what :func:`scipy.io.savemat` writes as intended."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return _record_v5([value], (1, 1))
    if _is_struct_list(value):
        return _record_v5(list(value), (1, len(value)))
    if _is_text_list(value):
        return _char_matrix(value)
    if isinstance(value, (list, tuple)):
        cell = np.empty((1, len(value)), dtype=object)
        for i, element in enumerate(value):
            cell[0, i] = _to_v5(element)
        return cell
    array = _numeric(value)
    return array.reshape(1, 1) if array.ndim == 0 else array


def _record_v5(elements: list[Mapping[str, Any]], shape: tuple[int, int]) -> np.ndarray:
    names = list(elements[0])
    if any(list(element) != names for element in elements):
        raise CyborgError(f"save_mat: expected struct array elements with fields {names} in that order, "
                          "found elements that differ")
    record = np.empty(shape, dtype=[(name, object) for name in names])
    for index, element in zip(np.ndindex(*shape[::-1]), elements):
        for name in names:
            record[index[::-1]][name] = _to_v5(element[name])
    return record


class _H5Writer:
    """Write values into an open h5py file in MATLAB v7.3 layout."""

    def __init__(self, file: h5py.File) -> None:
        self.file = file
        self.n_refs = 0

    def _reference(self, value: Any) -> h5py.Reference:
        refs = self.file.require_group("#refs#")
        name = f"r{self.n_refs}"
        self.n_refs += 1
        return self.write(refs, name, value).ref

    def write(self, parent: h5py.Group, name: str, value: Any) -> h5py.Dataset | h5py.Group:
        if isinstance(value, str):
            return self._write_chars(parent, name, [value] if value else [])
        if isinstance(value, Mapping):
            group = self._struct_group(parent, name, list(value))
            for field, element in value.items():
                self.write(group, field, element)
            return group
        if _is_struct_list(value):
            return self._write_struct_array(parent, name, list(value))
        if _is_text_list(value):
            return self._write_chars(parent, name, list(value))
        if isinstance(value, (list, tuple)):
            refs = np.array([self._reference(element) for element in value], dtype=h5py.ref_dtype)
            if not len(refs):
                return self._write_empty(parent, name, "cell", (0, 0))
            dataset = parent.create_dataset(name, data=refs.reshape(len(refs), 1))
            dataset.attrs["MATLAB_class"] = np.bytes_("cell")
            return dataset
        return self._write_numeric(parent, name, _numeric(value))

    def _struct_group(self, parent: h5py.Group, name: str, fields: list[str]) -> h5py.Group:
        group = parent.create_group(name)
        group.attrs["MATLAB_class"] = np.bytes_("struct")
        field_chars = np.empty(len(fields), dtype=h5py.vlen_dtype(np.dtype("S1")))
        for i, field in enumerate(fields):
            field_chars[i] = np.frombuffer(field.encode("ascii"), dtype="S1")
        group.attrs.create("MATLAB_fields", field_chars, dtype=h5py.vlen_dtype(np.dtype("S1")))
        return group

    def _write_struct_array(self, parent: h5py.Group, name: str, elements: list[Mapping]) -> h5py.Group:
        fields = list(elements[0])
        if any(list(element) != fields for element in elements):
            raise CyborgError(f"save_mat: expected struct array elements with fields {fields} in that "
                              "order, found elements that differ")
        group = self._struct_group(parent, name, fields)
        for field in fields:
            refs = np.array([self._reference(element[field]) for element in elements], dtype=h5py.ref_dtype)
            group.create_dataset(field, data=refs.reshape(len(refs), 1))
        return group

    def _write_chars(self, parent: h5py.Group, name: str, rows: list[str]) -> h5py.Dataset:
        if not rows:
            return self._write_empty(parent, name, "char", (0, 0))
        matrix = _char_matrix(rows)
        codes = np.array([[ord(c) for c in row] for row in matrix.tolist()], dtype=np.uint16)
        dataset = parent.create_dataset(name, data=np.ascontiguousarray(codes.T))
        dataset.attrs["MATLAB_class"] = np.bytes_("char")
        dataset.attrs["MATLAB_int_decode"] = np.int32(2)
        return dataset

    def _write_empty(self, parent: h5py.Group, name: str, matlab_class: str,
                     shape: tuple[int, ...]) -> h5py.Dataset:
        dataset = parent.create_dataset(name, data=np.array(shape, dtype=np.uint64))
        dataset.attrs["MATLAB_class"] = np.bytes_(matlab_class)
        dataset.attrs["MATLAB_empty"] = np.uint8(1)
        return dataset

    def _write_numeric(self, parent: h5py.Group, name: str, array: np.ndarray) -> h5py.Dataset:
        if array.ndim == 0:
            array = array.reshape(1, 1)
        elif array.ndim == 1:
            array = array.reshape(1, -1)
        matlab_class = "logical" if array.dtype == bool else _CLASS_OF_DTYPE[array.dtype]
        if array.size == 0:
            return self._write_empty(parent, name, matlab_class, array.shape)
        stored = array.astype(np.uint8) if array.dtype == bool else array
        dataset = parent.create_dataset(name, data=np.ascontiguousarray(stored.T))
        dataset.attrs["MATLAB_class"] = np.bytes_(matlab_class)
        if matlab_class == "logical":
            dataset.attrs["MATLAB_int_decode"] = np.int32(1)
        return dataset
