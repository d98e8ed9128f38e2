import numpy as np
import pandas as pd
import pytest

from cyborg.errors import CyborgError
from cyborg.evaluation.splits import Fold, check_disjoint, make_folds, manifest


def _meta():
    return pd.DataFrame({"subject": ["s0"] * 6 + ["s1"] * 6,
                         "session": ["train1", "train2", "train3"] * 4,
                         "trial": np.arange(12)})


def test_leave_one_session_out_has_one_fold_per_session_and_no_overlap():
    meta = _meta()
    folds = make_folds("leave_one_session_out", meta)
    assert [f.name for f in folds] == ["val=train1", "val=train2", "val=train3"]
    for fold in folds:
        held_out = set(meta.session[fold.val])
        assert len(held_out) == 1 and held_out.isdisjoint(meta.session[fold.train])
        assert len(fold.train) + len(fold.val) == len(meta)


def test_leave_one_subject_out_separates_subjects():
    meta = _meta()
    folds = make_folds("leave_one_subject_out", meta)
    assert len(folds) == 2
    for fold in folds:
        assert set(meta.subject[fold.val]).isdisjoint(meta.subject[fold.train])


def test_side_transfer_validates_on_reference_test_side():
    meta = pd.DataFrame({"subject": ["0001", "0001", "0005", "0005", "0001"],
                         "side": ["train", "train", "train", "test", "test"], "trial": [0, 1, 0, 0, 0]})
    (fold,) = make_folds("side_transfer", meta, reference_subject="0005")
    assert list(fold.train) == [0, 1, 2] and list(fold.val) == [3]


def test_side_transfer_without_reference_subject_is_an_error():
    meta = pd.DataFrame({"subject": ["0001"], "side": ["train"], "trial": [0]})
    with pytest.raises(CyborgError, match="expected test-side trials of reference subject '0005', found none"):
        make_folds("side_transfer", meta, reference_subject="0005")


def test_side_transfer_without_a_name_validates_on_the_one_test_side_subject():
    meta = pd.DataFrame({"subject": ["0001", "0009", "0009"], "side": ["train", "train", "test"], "trial": [0, 0, 0]})
    (fold,) = make_folds("side_transfer", meta)
    assert fold.name == "val=0009/test-side" and list(fold.train) == [0, 1] and list(fold.val) == [2]
    (same,) = make_folds("side_transfer", meta, reference_subject=None)
    assert list(same.val) == [2]


def test_side_transfer_without_a_name_and_several_test_side_subjects_is_an_error():
    meta = pd.DataFrame({"subject": ["0005", "0006"], "side": ["test", "test"], "trial": [0, 0]})
    with pytest.raises(CyborgError, match=r"one reference subject .*found \['0005', '0006'\]; set split.args"):
        make_folds("side_transfer", meta)


def test_a_single_session_cannot_be_left_out():
    meta = pd.DataFrame({"subject": ["s0"] * 2, "session": ["train1"] * 2, "trial": [0, 1]})
    with pytest.raises(CyborgError, match=r"expected at least 2 values of 'session', found \['train1'\]"):
        make_folds("leave_one_session_out", meta)


def test_unknown_protocol_lists_the_known_ones():
    with pytest.raises(CyborgError, match="split.protocol: expected one of"):
        make_folds("kfold", _meta())


def test_check_disjoint_catches_a_trial_on_both_sides():
    meta = _meta()
    with pytest.raises(CyborgError, match="found 1 on both sides"):
        check_disjoint(Fold("bad", np.array([0, 1]), np.array([1, 2])), meta)


def test_manifest_lists_every_trial_once_per_fold():
    meta = _meta()
    folds = make_folds("leave_one_session_out", meta)
    table = manifest(folds, meta)
    assert len(table) == len(meta) * len(folds)
    assert table.groupby("fold").role.value_counts().loc[("val=train1", "val")] == 4
