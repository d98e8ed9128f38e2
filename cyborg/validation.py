"""One small set of validators so errors read alike across the library.

Every message names *where* (a file, a field), *what was expected* and *what
was found*: ``"train1.mat: field 'data': expected shape (72, T), found (71, 1000)"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cyborg.errors import CyborgError, DataFormatError


def _prefix(where: str | Path | None) -> str:
    return f"{where}: " if where else ""


def fail(where: str | Path | None, field: str | None, expected: str, found: Any,
         error: type[CyborgError] = DataFormatError) -> None:
    """Raise ``error`` with the library's one message shape.

    Parameters
    ----------
    where : str | Path | None
        File (or object) the problem is in.
    field : str | None
        Key, field or argument name inside ``where``.
    expected : str
        What was expected, in words.
    found : Any
        What was found instead (formatted with ``str``).
    error : type of CyborgError
        Exception class to raise.
    """
    field_part = f"field '{field}': " if field else ""
    raise error(f"{_prefix(where)}{field_part}expected {expected}, found {found}")


def check_keys(mapping: Mapping[str, Any], keys: Iterable[str], where: str | Path | None,
               error: type[CyborgError] = DataFormatError) -> None:
    """Check that every key of ``keys`` is in ``mapping``."""
    present = sorted(k for k in mapping if not str(k).startswith("__"))
    for key in keys:
        if key not in mapping:
            fail(where, key, f"key '{key}'", f"keys {present}", error)


def check_shape(array: np.ndarray, expected: Sequence[int | None], where: str | Path | None,
                field: str | None, error: type[CyborgError] = DataFormatError) -> np.ndarray:
    """Check an array's shape; ``None`` in ``expected`` matches any length.

    Returns
    -------
    array : np.ndarray
        The input, unchanged, for chaining.
    """
    array = np.asarray(array)
    shape_text = "(" + ", ".join("T" if e is None else str(e) for e in expected) + ")"
    if array.ndim != len(expected) or any(
        e is not None and e != s for e, s in zip(expected, array.shape)
    ):
        fail(where, field, f"shape {shape_text}", tuple(array.shape), error)
    return array


def check_finite(array: np.ndarray, where: str | Path | None, field: str | None,
                 error: type[CyborgError] = DataFormatError) -> np.ndarray:
    """Check that a numeric array has no NaN or infinite value."""
    array = np.asarray(array)
    if not np.issubdtype(array.dtype, np.number):
        fail(where, field, "numeric values", f"dtype {array.dtype}", error)
    bad = ~np.isfinite(array)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        fail(where, field, "finite values", f"{int(bad.sum())} NaN/inf (first at index {first})", error)
    return array


def check_sfreq(sfreq: float, expected: float, where: str | Path | None,
                field: str | None = "sfreq", rtol: float = 1e-3) -> float:
    """Check a sampling rate against the expected one (Hz)."""
    if not np.isclose(float(sfreq), float(expected), rtol=rtol):
        fail(where, field, f"sampling rate {expected:g} Hz", f"{float(sfreq):g} Hz")
    return float(sfreq)


def is_number(value: Any) -> bool:
    """True for a finite real number (an int, float or numpy scalar; not a bool)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and bool(np.isfinite(value))


def check_option(value: Any, allowed: Iterable[Any], name: str,
                 error: type[CyborgError] = CyborgError) -> Any:
    """Check that ``value`` is one of ``allowed`` (an argument or config option)."""
    allowed = list(allowed)
    if value not in allowed:
        raise error(f"{name}: expected one of {allowed}, found {value!r}")
    return value


def check_file(path: str | Path, what: str = "file") -> Path:
    """Check that ``path`` exists and is a readable file."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(f"{path}: expected an existing {what}, found "
                              f"{'a folder' if path.is_dir() else 'nothing at that path'}")
    return path
