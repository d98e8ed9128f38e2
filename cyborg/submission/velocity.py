"""Theme 2 submission file: JSON ``{"sub1": {"trial1": [[vx, vy, vz] x 30], ...}, ...}`` (CHALLENGE.md 2.7).

``subK`` is the test.mat key ``000K``; ``trialN`` is 1-based in test-array order;
each value is 30 rows of 3 numbers (m/s, test-side frame). The organizer's truth
file (``answer/test_answer.json``) has the same format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from cyborg.challenge import VELOCITY_AXES, VELOCITY_STEPS
from cyborg.errors import SubmissionError
from cyborg.submission._text import quote, read_text
from cyborg.validation import check_finite, check_shape, fail

SUBJECT_KEY_PATTERN = re.compile(r"sub([1-9]\d*)")
TRIAL_KEY_PATTERN = re.compile(r"trial([1-9]\d*)")
_ROW_TEXT = f"[{', '.join(VELOCITY_AXES)}]"


class _JsonObject(list):
    """A JSON object kept as its (key, value) pairs, so duplicate keys can be reported."""


def _json_kind(value: Any) -> str:
    """Name of a parsed JSON value's kind, for messages (never the value itself)."""
    if isinstance(value, _JsonObject):
        return "a JSON object"
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, str):
        return "a string"
    return "a number"


def _unique_mapping(pairs: _JsonObject, where: str | Path, field: str | None) -> dict[str, Any]:
    """The pairs of a JSON object as a dict; a repeated key raises."""
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            fail(where, field, "each key once", f"{quote(key)} twice", SubmissionError)
        mapping[key] = value
    return mapping


def _numbered_keys(mapping: Mapping[str, Any], pattern: re.Pattern, example: str,
                   where: str | Path, field: str | None) -> dict[int, Any]:
    """Keys like ``sub1`` / ``trial1`` -> {number: value}."""
    numbered = {}
    for key, value in mapping.items():
        match = pattern.fullmatch(key)
        if match is None:
            fail(where, field, f"keys like {example!r}", f"key {quote(key)}", SubmissionError)
        numbered[int(match.group(1))] = value
    return numbered


def _trial_array(value: Any, where: str | Path, field: str) -> np.ndarray:
    """One trial's JSON value -> float array (VELOCITY_STEPS, n_axes)."""
    n_axes = len(VELOCITY_AXES)
    expected = f"{VELOCITY_STEPS} rows of {_ROW_TEXT}"
    if not isinstance(value, list) or isinstance(value, _JsonObject):
        fail(where, field, expected, _json_kind(value), SubmissionError)
    if len(value) != VELOCITY_STEPS:
        fail(where, field, expected, f"{len(value)} rows", SubmissionError)
    for step, row in enumerate(value):
        if not isinstance(row, list) or isinstance(row, _JsonObject):
            fail(where, f"{field}[{step}]", f"a row {_ROW_TEXT}", _json_kind(row), SubmissionError)
        if len(row) != n_axes:
            fail(where, f"{field}[{step}]", f"{n_axes} values {_ROW_TEXT}", f"{len(row)} values",
                 SubmissionError)
        for axis, number in enumerate(row):
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                fail(where, f"{field}[{step}][{axis}]", "a number", _json_kind(number), SubmissionError)
    try:
        return np.array(value, dtype=np.float64)
    except OverflowError:
        fail(where, field, "numbers of ordinary size", "an integer too large for a float", SubmissionError)


def _looks_like_csv(text: str) -> bool:
    """True for text whose first line is comma-separated fields, not JSON (a theme-1 CSV)."""
    first = text.lstrip().splitlines()[0]
    return not first.startswith(("{", "[", '"')) and "," in first


def read_velocity_submission(path: str | Path) -> dict[str, np.ndarray]:
    """Read a theme 2 submission (or truth) JSON.

    Accepted: a UTF-8 byte-order mark, any whitespace and line ends, keys in
    any order. Non-finite values (``NaN``, ``Infinity``) are read as such;
    :func:`cyborg.submission.validate.validate_velocity_submission` rejects them.

    Parameters
    ----------
    path : str | Path
        The JSON file.

    Returns
    -------
    dict of str to np.ndarray
        ``"subK"`` (ascending K) -> float64 array of shape
        (n_trials, 30, 3), row ``i`` holding ``trial{i+1}``.

    Raises
    ------
    SubmissionError
        If the file is missing, empty, not UTF-8, CSV rows (said to look like a
        trick submission) or not JSON; the top level or
        a subject is not a JSON object; a key is repeated or not ``subK`` /
        ``trialN``; a subject's trials are not ``trial1..trialN`` without gaps;
        a trial is not 30 rows of 3 numbers.
    """
    text = read_text(path)
    if _looks_like_csv(text):
        fail(path, None, "JSON (the velocity format)", "CSV rows (a trick submission?)", SubmissionError)
    try:
        parsed = json.loads(text, object_pairs_hook=_JsonObject)
    except json.JSONDecodeError as err:
        fail(path, None, "JSON", f"invalid JSON at line {err.lineno} column {err.colno} ({err.msg})",
             SubmissionError)
    except RecursionError:
        fail(path, None, "JSON nested 4 levels deep", "JSON nested too deeply to read", SubmissionError)
    except ValueError:  # an integer literal longer than Python converts
        fail(path, None, "JSON with numbers of ordinary size", "a number with thousands of digits",
             SubmissionError)
    if not isinstance(parsed, _JsonObject):
        fail(path, None, "a JSON object {\"sub1\": {\"trial1\": [...]}, ...}", _json_kind(parsed),
             SubmissionError)
    subjects = _numbered_keys(_unique_mapping(parsed, path, None), SUBJECT_KEY_PATTERN, "sub1",
                              path, None)
    predictions = {}
    for subject_number in sorted(subjects):
        subject = f"sub{subject_number}"
        trials_value = subjects[subject_number]
        if not isinstance(trials_value, _JsonObject):
            fail(path, subject, "a JSON object {\"trial1\": [...], ...}", _json_kind(trials_value),
                 SubmissionError)
        trials = _numbered_keys(_unique_mapping(trials_value, path, subject), TRIAL_KEY_PATTERN,
                                "trial1", path, subject)
        gaps = sorted(set(range(1, len(trials) + 1)) - set(trials))
        if gaps:
            fail(path, subject, f"trials trial1..trial{max(trials)} without gaps",
                 f"trial{gaps[0]} missing", SubmissionError)
        arrays = [_trial_array(trials[number], path, f"{subject}/trial{number}")
                  for number in range(1, len(trials) + 1)]
        predictions[subject] = (np.stack(arrays) if arrays
                                else np.empty((0, VELOCITY_STEPS, len(VELOCITY_AXES))))
    return predictions


def write_velocity_submission(path: str | Path, predictions: Mapping[str, np.ndarray]) -> Path:
    """Write a theme 2 submission (or truth) JSON, UTF-8, full float precision.

    Parameters
    ----------
    path : str | Path
        File to write; its folder must exist.
    predictions : mapping of str to np.ndarray
        ``"subK"`` -> array of shape (n_trials, 30, 3): vx, vy, vz in m/s in
        the test-side frame, row ``i`` for ``trial{i+1}``; finite.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    content = {}
    subjects = _numbered_keys(predictions, SUBJECT_KEY_PATTERN, "sub1", path, None)
    for number, values in sorted(subjects.items()):
        field = f"sub{number}"
        array = check_shape(np.asarray(values), (None, VELOCITY_STEPS, len(VELOCITY_AXES)),
                            path, field, SubmissionError)
        check_finite(array, path, field, SubmissionError)
        content[field] = {f"trial{index + 1}": trial.tolist()
                          for index, trial in enumerate(array.astype(np.float64))}
    path.write_text(json.dumps(content, allow_nan=False) + "\n", encoding="utf-8")
    return path
