"""Check a parsed submission against the test set's ids, never quoting the truth.

The validators take only what the participants know anyway (the test ids and
trial counts), so no message can reveal a true label or velocity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cyborg.challenge import TRICK_CLASSES, VELOCITY_AXES, VELOCITY_STEPS
from cyborg.errors import SubmissionError
from cyborg.submission._text import quote
from cyborg.validation import check_shape, fail


def _row_place(where: str | Path, frame: pd.DataFrame, position: int) -> str:
    """``"file, line 7"`` for a frame read from a file (index ``line``), else ``"file, row 7"``."""
    kind = "line" if frame.index.name == "line" else "row"
    return f"{where}, {kind} {frame.index[position]}"


def validate_trick_submission(submission: pd.DataFrame, expected_ids: Sequence[str],
                              where: str | Path) -> pd.Series:
    """Check a theme 1 submission and align it to the test ids.

    Parameters
    ----------
    submission : pandas.DataFrame
        Columns ``sample_id`` and ``label``, as
        :func:`cyborg.submission.trick.read_trick_submission` returns.
    expected_ids : sequence of str
        Every test sample id, each once.
    where : str | Path
        The submission's file name, for messages.

    Returns
    -------
    pandas.Series
        The submitted labels indexed by ``expected_ids``, in their order.

    Raises
    ------
    SubmissionError
        On an unknown label, a repeated id, an id not in the test set, or a
        test id without a row.
    """
    labels = submission["label"].astype(str)
    sample_ids = submission["sample_id"].astype(str)
    unknown = np.flatnonzero(~labels.isin(TRICK_CLASSES).to_numpy())
    if len(unknown):
        fail(_row_place(where, submission, unknown[0]), "label", f"one of {list(TRICK_CLASSES)}",
             quote(labels.iloc[unknown[0]]), SubmissionError)
    repeated = np.flatnonzero(sample_ids.duplicated(keep="first").to_numpy())
    if len(repeated):
        sample_id = sample_ids.iloc[repeated[0]]
        kind = "lines" if submission.index.name == "line" else "rows"
        places = ", ".join(str(index) for index in submission.index[(sample_ids == sample_id).to_numpy()])
        fail(where, "sample_id", "each test id once", f"{quote(sample_id)} on {kind} {places}",
             SubmissionError)
    expected = pd.Index(expected_ids)
    extra = np.flatnonzero(~sample_ids.isin(expected).to_numpy())
    if len(extra):
        fail(_row_place(where, submission, extra[0]), "sample_id",
             f"an id of the test set ({len(expected)} ids)", f"unknown id {quote(sample_ids.iloc[extra[0]])}",
             SubmissionError)
    missing = expected[~expected.isin(sample_ids)]
    if len(missing):
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        fail(where, "sample_id", f"one row per test id ({len(expected)} rows)",
             f"{len(sample_ids)} rows, no row for {quote(missing[0])}{more}", SubmissionError)
    return pd.Series(labels.to_numpy(), index=pd.Index(sample_ids), name="label").reindex(expected)


def validate_velocity_submission(submission: Mapping[str, np.ndarray],
                                 expected_counts: Mapping[str, int],
                                 where: str | Path) -> dict[str, np.ndarray]:
    """Check a theme 2 submission against the test's subjects and trial counts.

    Parameters
    ----------
    submission : mapping of str to np.ndarray
        ``"subK"`` -> array of shape (n_trials, 30, 3), as
        :func:`cyborg.submission.velocity.read_velocity_submission` returns.
    expected_counts : mapping of str to int
        ``"subK"`` -> number of test trials of that subject.
    where : str | Path
        The submission's file name, for messages.

    Returns
    -------
    dict of str to np.ndarray
        The submitted float64 arrays of shape (n_trials, 30, 3), keyed and
        ordered as ``expected_counts``.

    Raises
    ------
    SubmissionError
        On a missing or unexpected subject, a missing or extra trial, a trial
        that is not 30 x 3, or a NaN / infinite value.
    """
    expected_subjects = list(expected_counts)
    for subject in submission:
        if subject not in expected_counts:
            fail(where, None, f"subjects {expected_subjects}", f"unexpected subject {quote(subject)}",
                 SubmissionError)
    for subject in expected_subjects:
        if subject not in submission:
            fail(where, None, f"subjects {expected_subjects}", f"no subject {quote(subject)}",
                 SubmissionError)
    aligned = {}
    for subject, n_expected in expected_counts.items():
        array = check_shape(np.asarray(submission[subject]), (None, VELOCITY_STEPS, len(VELOCITY_AXES)),
                            where, subject, SubmissionError)
        n_found = len(array)
        if n_found < n_expected:
            fail(where, subject, f"trial1..trial{n_expected}",
                 f"trial1..trial{n_found} (no trial{n_found + 1})", SubmissionError)
        if n_found > n_expected:
            fail(where, subject, f"trial1..trial{n_expected}",
                 f"trial1..trial{n_found} (unexpected trial{n_expected + 1})", SubmissionError)
        if not np.issubdtype(array.dtype, np.number):
            fail(where, subject, "numbers", f"dtype {array.dtype}", SubmissionError)
        bad = np.argwhere(~np.isfinite(array))
        if len(bad):
            trial, step, axis = (int(i) for i in bad[0])
            value = array[trial, step, axis]
            kind = "NaN" if np.isnan(value) else "an infinite value"
            fail(where, f"{subject}/trial{trial + 1}[{step}][{axis}]", "a finite number", kind,
                 SubmissionError)
        aligned[subject] = array.astype(np.float64)
    return aligned
