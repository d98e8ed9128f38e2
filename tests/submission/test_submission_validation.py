"""Malformed submissions: each is rejected with one clear line that never quotes the truth."""

import copy
import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from cyborg.errors import SubmissionError
from cyborg.submission import (
    score_submission,
    trick_sample_ids,
    validate_trick_submission,
    validate_velocity_submission,
    write_trick_submission,
    write_velocity_submission,
)

TRUTH_LABEL = "backside_kickturn"
SUBMITTED_LABEL = "pumping"
TRICK_IDS = trick_sample_ids(0, 3) + trick_sample_ids(1, 3)
TRUTH_COUNTS = {"sub1": 3, "sub2": 2}


def _good_trick_lines():
    return [f"{sample_id},{SUBMITTED_LABEL}" for sample_id in TRICK_IDS]


def _csv(lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def _good_velocity():
    return {subject: {f"trial{i + 1}": [[0.5, -0.5, 0.25] for _ in range(30)] for i in range(n)}
            for subject, n in TRUTH_COUNTS.items()}


def _json(content):
    return json.dumps(content).encode("utf-8")


def _with(content, path, value):
    """A deep copy of ``content`` with ``content[path[0]][path[1]]... = value``."""
    content = copy.deepcopy(content)
    target = content
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return content


def _without(content, subject, trial):
    content = copy.deepcopy(content)
    del content[subject][trial]
    return content


def _rows(n_steps, n_axes):
    return [[0.0] * n_axes for _ in range(n_steps)]


TRICK_CASES = {
    "wrong id": (_csv(_good_trick_lines()[:-1] + [f"subject1_099,{SUBMITTED_LABEL}"]),
                 r", line 6: field 'sample_id': expected an id of the test set \(6 ids\), "
                 r"found unknown id 'subject1_099'"),
    "missing id": (_csv(_good_trick_lines()[:-1]),
                   r": field 'sample_id': expected one row per test id \(6 rows\), "
                   r"found 5 rows, no row for 'subject1_002'"),
    "duplicate id": (_csv(_good_trick_lines()[:2] + _good_trick_lines()[1:]),
                     r"expected each test id once, found 'subject0_001' on lines 2, 3"),
    "unknown label": (_csv(["subject0_000,kickflip"] + _good_trick_lines()[1:]),
                      r", line 1: field 'label': expected one of \['frontside_kickturn', "
                      r"'backside_kickturn', 'pumping'\], found 'kickflip'"),
    "empty file": (b"", r"expected a non-empty file, found an empty file"),
    "only whitespace": (b"\n \r\n", r"expected a non-empty file, found only whitespace"),
    "header row": (_csv(["sample_id,label"] + _good_trick_lines()),
                   r", line 1: expected no header row, found header 'sample_id,label'"),
    "three columns": (_csv(_good_trick_lines()[:2] + ["subject0_002,pumping,0.9"]),
                      r", line 3: expected 2 columns 'sample_id,label', found 3 column\(s\)"),
    "one column": (_csv(["subject0_000;pumping"]), r", line 1: expected 2 columns"),
    "malformed id": (_csv(["subj0_0,pumping"]),
                     r", line 1: field 'sample_id': expected an id like 'subject0_000', found 'subj0_0'"),
    "empty line inside": (_csv(_good_trick_lines()[:2] + [""] + _good_trick_lines()[2:]),
                          r", line 3: expected a row 'sample_id,label', found an empty line"),
    "UTF-16 with BOM": ("\n".join(_good_trick_lines()).encode("utf-16"),
                        r"expected UTF-8 text, found UTF-16 text \(byte-order mark FF FE\)"),
    "UTF-16 without BOM": ("\n".join(_good_trick_lines()).encode("utf-16-le"),
                           r"expected UTF-8 text, found a NUL byte at offset 1 \(UTF-16 text\?\)"),
    # 6 lines of 21 bytes ("subject0_000,pumping\n"), then a Latin-1 "é"
    "invalid byte": (_csv(_good_trick_lines()) + "é".encode("latin-1"),
                     r"expected UTF-8 text, found invalid byte 0xE9 at offset 126"),
    "JSON instead of CSV": (_json(_good_velocity()),
                            r"expected CSV rows 'sample_id,label', found JSON \(a velocity submission\?\)"),
}

VELOCITY_CASES = {
    "CSV, not JSON": (b"sub1,trial1\n",
                      r"expected JSON \(the velocity format\), found CSV rows \(a trick submission\?\)"),
    "not JSON": (b"sub1 trial1\n", r"expected JSON, found invalid JSON at line 1 column 1"),
    "truncated JSON": (_json(_good_velocity())[:-5], r"expected JSON, found invalid JSON at line 1"),
    "top level array": (b"[[0.5, 0.5, 0.5]]", r"expected a JSON object .*, found a JSON array"),
    "wrong subject key": (_json({"subject1": {}}), r"expected keys like 'sub1', found key 'subject1'"),
    "missing subject": (_json({"sub1": _good_velocity()["sub1"]}),
                        r"expected subjects \['sub1', 'sub2'\], found no subject 'sub2'"),
    "extra subject": (_json({**_good_velocity(), "sub5": {}}),
                      r"expected subjects \['sub1', 'sub2'\], found unexpected subject 'sub5'"),
    "subject not an object": (_json(_with(_good_velocity(), ["sub2"], [])),
                              r"field 'sub2': expected a JSON object .*, found a JSON array"),
    "missing last trial": (_json(_without(_good_velocity(), "sub1", "trial3")),
                           r"field 'sub1': expected trial1..trial3, found trial1..trial2 \(no trial3\)"),
    "missing inner trial": (_json(_without(_good_velocity(), "sub1", "trial2")),
                            r"field 'sub1': expected trials trial1..trial3 without gaps, found trial2 missing"),
    "extra trial": (_json(_with(_good_velocity(), ["sub2", "trial3"], _rows(30, 3))),
                    r"field 'sub2': expected trial1..trial2, found trial1..trial3 \(unexpected trial3\)"),
    "zero-based trial": (_json(_with(_good_velocity(), ["sub2", "trial0"], _rows(30, 3))),
                         r"field 'sub2': expected keys like 'trial1', found key 'trial0'"),
    "duplicate trial": (b'{"sub1": {"trial1": [], "trial1": []}}',
                        r"field 'sub1': expected each key once, found 'trial1' twice"),
    "NaN": (_json(_with(_good_velocity(), ["sub1", "trial2", 4, 1], math.nan)),
            r"field 'sub1/trial2\[4\]\[1\]': expected a finite number, found NaN"),
    "infinity": (_json(_with(_good_velocity(), ["sub2", "trial1", 0, 2], -math.inf)),
                 r"field 'sub2/trial1\[0\]\[2\]': expected a finite number, found an infinite value"),
    "29 steps": (_json(_with(_good_velocity(), ["sub1", "trial1"], _rows(29, 3))),
                 r"field 'sub1/trial1': expected 30 rows of \[vx, vy, vz\], found 29 rows"),
    "2 axes": (_json(_with(_good_velocity(), ["sub1", "trial1"], _rows(30, 2))),
               r"field 'sub1/trial1\[0\]': expected 3 values \[vx, vy, vz\], found 2 values"),
    "ragged rows": (_json(_with(_good_velocity(), ["sub2", "trial2", 7], [0.0, 0.0, 0.0, 0.0])),
                    r"field 'sub2/trial2\[7\]': expected 3 values \[vx, vy, vz\], found 4 values"),
    "trial not an array": (_json(_with(_good_velocity(), ["sub1", "trial1"], {"vx": 0})),
                           r"field 'sub1/trial1': expected 30 rows .*, found a JSON object"),
    "string value": (_json(_with(_good_velocity(), ["sub1", "trial3", 29, 0], "0.5")),
                     r"field 'sub1/trial3\[29\]\[0\]': expected a number, found a string"),
    "null value": (_json(_with(_good_velocity(), ["sub1", "trial3", 0, 0], None)),
                   r"field 'sub1/trial3\[0\]\[0\]': expected a number, found null"),
    "boolean value": (_json(_with(_good_velocity(), ["sub1", "trial3", 0, 0], True)),
                      r"field 'sub1/trial3\[0\]\[0\]': expected a number, found true"),
    "UTF-16 JSON": (json.dumps(_good_velocity()).encode("utf-16"),
                    r"expected UTF-8 text, found UTF-16 text"),
    "empty JSON file": (b"", r"expected a non-empty file, found an empty file"),
}


@pytest.fixture
def trick_truth(tmp_path):
    return write_trick_submission(tmp_path / "test_labels.csv", TRICK_IDS, [TRUTH_LABEL] * len(TRICK_IDS))


@pytest.fixture
def velocity_truth(tmp_path):
    rng = np.random.default_rng(7)
    truth = {subject: np.round(rng.uniform(-3, 3, size=(n, 30, 3)), 6) for subject, n in TRUTH_COUNTS.items()}
    write_velocity_submission(tmp_path / "test_answer.json", truth)
    return tmp_path / "test_answer.json", truth


def _assert_one_clear_line(message, submission_path):
    assert "\n" not in message
    assert message.startswith(str(submission_path))
    assert "test_labels" not in message and "test_answer" not in message


@pytest.mark.parametrize("content, message", TRICK_CASES.values(), ids=TRICK_CASES.keys())
def test_malformed_trick_submission_is_rejected(tmp_path, trick_truth, content, message):
    submission = tmp_path / "submit.csv"
    submission.write_bytes(content)
    with pytest.raises(SubmissionError, match=message) as caught:
        score_submission(submission, trick_truth)
    _assert_one_clear_line(str(caught.value), submission)
    if "expected one of" not in str(caught.value):  # only the public class list names labels
        assert TRUTH_LABEL not in str(caught.value)


@pytest.mark.parametrize("content, message", VELOCITY_CASES.values(), ids=VELOCITY_CASES.keys())
def test_malformed_velocity_submission_is_rejected(tmp_path, velocity_truth, content, message):
    truth_path, truth = velocity_truth
    submission = tmp_path / "submit.json"
    submission.write_bytes(content)
    with pytest.raises(SubmissionError, match=message) as caught:
        score_submission(submission, truth_path)
    _assert_one_clear_line(str(caught.value), submission)
    quoted_numbers = {float(number) for number in re.findall(r"-?\d+\.\d+", str(caught.value))}
    assert not quoted_numbers & set(np.concatenate([values.ravel() for values in truth.values()]))


def test_missing_submission_file_is_named(tmp_path, trick_truth):
    with pytest.raises(SubmissionError,
                       match=r"submit.csv: expected an existing file, found nothing at that path"):
        score_submission(tmp_path / "submit.csv", trick_truth)


def test_malformed_truth_is_reported_as_the_truth(tmp_path):
    truth = tmp_path / "test_answer.json"
    truth.write_text("{}", encoding="utf-8")
    submission = write_velocity_submission(tmp_path / "submit.json", {"sub1": np.zeros((1, 30, 3))})
    with pytest.raises(SubmissionError,
                       match=r"^unusable truth file: .*test_answer.json: expected at least one trial"):
        score_submission(submission, truth)


def test_validate_trick_aligns_labels_to_the_test_ids():
    submission = pd.DataFrame({"sample_id": ["subject0_001", "subject0_000"],
                               "label": ["pumping", "frontside_kickturn"]})
    aligned = validate_trick_submission(submission, ["subject0_000", "subject0_001"], "in memory")
    assert aligned.to_dict() == {"subject0_000": "frontside_kickturn", "subject0_001": "pumping"}
    with pytest.raises(SubmissionError, match=r"in memory, row 1: field 'label'"):
        validate_trick_submission(submission.assign(label=["pumping", "ollie"]),
                                  ["subject0_000", "subject0_001"], "in memory")


def test_validate_velocity_checks_in_memory_arrays():
    good = {"sub1": np.zeros((2, 30, 3))}
    assert validate_velocity_submission(good, {"sub1": 2}, "in memory")["sub1"].dtype == np.float64
    with pytest.raises(SubmissionError,
                       match=r"in memory: field 'sub1': expected shape \(T, 30, 3\), found \(2, 30, 2\)"):
        validate_velocity_submission({"sub1": np.zeros((2, 30, 2))}, {"sub1": 2}, "in memory")
