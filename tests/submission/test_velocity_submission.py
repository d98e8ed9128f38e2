"""Theme 2 JSON: write -> read round trips and the harmless variants the reader accepts."""

import json

import numpy as np
import pytest

from cyborg.errors import SubmissionError
from cyborg.submission import read_velocity_submission, write_velocity_submission


def _predictions(seed=0):
    rng = np.random.default_rng(seed)
    return {"sub1": rng.normal(size=(3, 30, 3)), "sub2": rng.normal(size=(2, 30, 3))}


def test_write_then_read_round_trips_exactly(tmp_path):
    predictions = _predictions()
    path = write_velocity_submission(tmp_path / "submit.json", predictions)
    content = json.loads(path.read_text(encoding="utf-8"))
    assert list(content) == ["sub1", "sub2"]
    assert list(content["sub2"]) == ["trial1", "trial2"]
    assert content["sub1"]["trial3"][29] == predictions["sub1"][2, 29].tolist()
    read = read_velocity_submission(path)
    assert list(read) == ["sub1", "sub2"]
    for subject, values in predictions.items():
        np.testing.assert_array_equal(read[subject], values)


def test_read_orders_subjects_and_trials_by_number(tmp_path):
    rows = [[float(step), 0.0, 1.0] for step in range(30)]
    shifted = [[value + 1 for value in row] for row in rows]
    content = {"sub10": {"trial1": rows}, "sub2": {"trial2": shifted, "trial1": rows}}
    path = tmp_path / "submit.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    read = read_velocity_submission(path)
    assert list(read) == ["sub2", "sub10"]
    np.testing.assert_array_equal(read["sub2"][1], np.asarray(shifted))


def test_read_accepts_bom_crlf_and_pretty_printing(tmp_path):
    predictions = {"sub1": np.ones((2, 30, 3))}
    text = json.dumps({"sub1": {"trial1": predictions["sub1"][0].tolist(),
                                "trial2": predictions["sub1"][1].tolist()}}, indent=2)
    path = tmp_path / "submit.json"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8") + b"\r\n")
    np.testing.assert_array_equal(read_velocity_submission(path)["sub1"], predictions["sub1"])


@pytest.mark.parametrize("predictions, message", [
    ({"subject1": np.zeros((1, 30, 3))}, r"expected keys like 'sub1', found key 'subject1'"),
    ({"sub1": np.zeros((1, 29, 3))}, r"field 'sub1': expected shape \(T, 30, 3\), found \(1, 29, 3\)"),
    ({"sub1": np.full((1, 30, 3), np.inf)}, r"field 'sub1': expected finite values"),
])
def test_write_rejects_bad_input(tmp_path, predictions, message):
    with pytest.raises(SubmissionError, match=message):
        write_velocity_submission(tmp_path / "submit.json", predictions)
    assert not (tmp_path / "submit.json").exists()
