"""Theme 1 submission file: CSV, no header, rows ``sample_id,label`` (CHALLENGE.md 1.7).

``sample_id`` is ``subject{k}_{i:03d}`` with ``i`` the 0-based index into that
subject's test array; ``label`` is one of :data:`cyborg.challenge.TRICK_CLASSES`.
The organizer's truth file (``answer/test_labels.csv``) has the same format.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cyborg.challenge import TRICK_CLASSES
from cyborg.errors import SubmissionError
from cyborg.submission._text import quote, read_text
from cyborg.validation import fail

#: A theme 1 sample id: subject number, underscore, test index with at least 3 digits.
TRICK_ID_PATTERN = re.compile(r"subject(0|[1-9]\d*)_\d{3,}")
TRICK_COLUMNS = ("sample_id", "label")


def trick_sample_ids(subject: str | int, n_trials: int) -> list[str]:
    """The sample ids of one subject's test array, in array order.

    Parameters
    ----------
    subject : str | int
        ``"subject3"`` or ``3``.
    n_trials : int
        Length of that subject's test array.

    Returns
    -------
    list of str, length n_trials
        ``["subject3_000", "subject3_001", ...]``.
    """
    number = int(str(subject).removeprefix("subject"))
    return [f"subject{number}_{index:03d}" for index in range(n_trials)]


def _label_names(labels: Sequence, where: str | Path) -> list[str]:
    """Class names, or class indices mapped through TRICK_CLASSES."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu":
        out_of_range = (labels < 0) | (labels >= len(TRICK_CLASSES))
        if out_of_range.any():
            fail(where, "labels", f"class indices 0..{len(TRICK_CLASSES) - 1}",
                 int(labels[out_of_range][0]), SubmissionError)
        return [TRICK_CLASSES[index] for index in labels]
    names = [str(label) for label in labels]
    for name in names:
        if name not in TRICK_CLASSES:
            fail(where, "labels", f"one of {list(TRICK_CLASSES)}", quote(name), SubmissionError)
    return names


def write_trick_submission(path: str | Path, sample_ids: Sequence[str], labels: Sequence) -> Path:
    """Write a theme 1 submission (or truth) CSV: no header, ``\\n`` line ends, UTF-8.

    Parameters
    ----------
    path : str | Path
        File to write; its folder must exist.
    sample_ids : sequence of str, length n_trials
        Ids like ``"subject0_000"``, each once.
    labels : sequence, length n_trials
        Class names from :data:`cyborg.challenge.TRICK_CLASSES`, or class
        indices into it.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    sample_ids = [str(sample_id) for sample_id in sample_ids]
    names = _label_names(labels, path)
    if len(names) != len(sample_ids):
        fail(path, "labels", f"{len(sample_ids)} labels, one per sample id", len(names), SubmissionError)
    seen: set[str] = set()
    for sample_id in sample_ids:
        if not TRICK_ID_PATTERN.fullmatch(sample_id):
            fail(path, "sample_ids", "ids like 'subject0_000'", quote(sample_id), SubmissionError)
        if sample_id in seen:
            fail(path, "sample_ids", "each id once", f"{quote(sample_id)} twice", SubmissionError)
        seen.add(sample_id)
    path.write_text("".join(f"{sample_id},{name}\n" for sample_id, name in zip(sample_ids, names)),
                    encoding="utf-8")
    return path


def read_trick_submission(path: str | Path) -> pd.DataFrame:
    """Read a theme 1 submission (or truth) CSV.

    Accepted and harmless: a UTF-8 byte-order mark, CRLF line ends, trailing
    blank lines, spaces around a field. The labels are returned as written;
    :func:`cyborg.submission.validate.validate_trick_submission` checks them.

    Parameters
    ----------
    path : str | Path
        The CSV file.

    Returns
    -------
    pandas.DataFrame
        Columns ``sample_id`` and ``label`` (str), one row per line, indexed by
        the 1-based line number (index name ``"line"``).

    Raises
    ------
    SubmissionError
        If the file is missing, empty, not UTF-8 or JSON, has a header row, a row
        without exactly two columns, an empty line, or a malformed sample id.
    """
    text = read_text(path)
    if text.lstrip().startswith(("{", "[")):
        fail(path, None, "CSV rows 'sample_id,label'", "JSON (a velocity submission?)", SubmissionError)
    lines = text.splitlines()
    while not lines[-1].strip():
        lines.pop()
    rows = []
    for number, line in enumerate(lines, start=1):
        where = f"{path}, line {number}"
        if not line.strip():
            fail(where, None, "a row 'sample_id,label'", "an empty line", SubmissionError)
        fields = [field.strip() for field in next(csv.reader([line]))]
        if len(fields) != len(TRICK_COLUMNS):
            fail(where, None, "2 columns 'sample_id,label'", f"{len(fields)} column(s)", SubmissionError)
        sample_id, label = fields
        if not TRICK_ID_PATTERN.fullmatch(sample_id):
            if number == 1 and label not in TRICK_CLASSES:
                fail(where, None, "no header row", f"header {quote(line)}", SubmissionError)
            fail(where, "sample_id", "an id like 'subject0_000'", quote(sample_id), SubmissionError)
        rows.append((number, sample_id, label))
    frame = pd.DataFrame(rows, columns=["line", *TRICK_COLUMNS])
    return frame.set_index("line")
