"""Theme 1 CSV: write -> read round trips and the harmless variants the reader accepts."""

import pandas as pd
import pytest

from cyborg.challenge import TRICK_CLASSES
from cyborg.errors import SubmissionError
from cyborg.submission import read_trick_submission, trick_sample_ids, write_trick_submission


def test_trick_sample_ids_follow_the_challenge_pattern():
    assert trick_sample_ids("subject3", 3) == ["subject3_000", "subject3_001", "subject3_002"]
    assert trick_sample_ids(0, 1001)[-1] == "subject0_1000"


def test_write_then_read_round_trips(tmp_path):
    ids = trick_sample_ids(0, 3) + trick_sample_ids(4, 2)
    labels = ["pumping", "frontside_kickturn", "backside_kickturn", "pumping", "pumping"]
    path = write_trick_submission(tmp_path / "submit.csv", ids, labels)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "subject0_000,pumping"
    frame = read_trick_submission(path)
    assert frame["sample_id"].tolist() == ids
    assert frame["label"].tolist() == labels
    assert frame.index.name == "line"
    assert frame.index.tolist() == [1, 2, 3, 4, 5]


def test_write_accepts_class_indices(tmp_path):
    path = write_trick_submission(tmp_path / "submit.csv", trick_sample_ids(1, 3), [2, 0, 1])
    assert read_trick_submission(path)["label"].tolist() == [TRICK_CLASSES[2], TRICK_CLASSES[0],
                                                             TRICK_CLASSES[1]]


def test_read_accepts_bom_crlf_trailing_newlines_and_spaces(tmp_path):
    path = tmp_path / "submit.csv"
    path.write_bytes(b"\xef\xbb\xbfsubject0_000,pumping\r\nsubject0_001 , backside_kickturn\r\n\r\n")
    frame = read_trick_submission(path)
    pd.testing.assert_frame_equal(
        frame.reset_index(drop=True),
        pd.DataFrame({"sample_id": ["subject0_000", "subject0_001"],
                      "label": ["pumping", "backside_kickturn"]}))


@pytest.mark.parametrize("ids, labels, message", [
    (["subject0_000"], ["ollie"], r"field 'labels': expected one of \[.*\], found 'ollie'"),
    (["subject0_000"], [3], r"field 'labels': expected class indices 0..2, found 3"),
    (["subject0_000", "subject0_001"], ["pumping"],
     r"field 'labels': expected 2 labels, one per sample id, found 1"),
    (["s0_000"], ["pumping"], r"field 'sample_ids': expected ids like 'subject0_000', found 's0_000'"),
    (["subject0_000", "subject0_000"], ["pumping"] * 2, r"expected each id once, found 'subject0_000' twice"),
])
def test_write_rejects_bad_input(tmp_path, ids, labels, message):
    with pytest.raises(SubmissionError, match=message):
        write_trick_submission(tmp_path / "submit.csv", ids, labels)
    assert not (tmp_path / "submit.csv").exists()
