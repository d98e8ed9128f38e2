"""The challenge metrics against values worked out by hand."""

import numpy as np
import pytest

from cyborg.errors import CyborgError
from cyborg.evaluation import (
    accuracy,
    balanced_accuracy,
    pearson_r_per_axis,
    rmse_3d,
    rmse_3d_per_trial,
)


def test_accuracy_counts_matches():
    # 3 of 4 equal -> 0.75
    assert accuracy(["pumping", "backside_kickturn", "pumping", "frontside_kickturn"],
                    ["pumping", "backside_kickturn", "frontside_kickturn", "frontside_kickturn"]) == 0.75


def test_balanced_accuracy_averages_recall_per_true_class():
    # class 0: 2 of 3 right (2/3); class 1: 1 of 1 right (1) -> (2/3 + 1) / 2 = 5/6
    assert balanced_accuracy([0, 0, 0, 1], [0, 0, 1, 1]) == pytest.approx(5 / 6)


def test_label_metrics_reject_bad_lengths():
    with pytest.raises(CyborgError, match=r"y_pred: expected shape \(3\), found \(2,\)"):
        accuracy([0, 1, 2], [0, 1])
    with pytest.raises(CyborgError, match="y_true: expected at least one label, found none"):
        accuracy([], [])


def _two_trial_case():
    """2 trials x 2 steps x 3 axes with errors chosen to give round numbers.

    trial 0: step errors (3, 4, 0) and (0, 0, 0) -> squared lengths 25 and 0 ->
             sqrt(mean(25, 0)) = sqrt(12.5)
    trial 1: step errors (1, 2, 2) and (2, 1, 2) -> squared lengths 9 and 9 ->
             sqrt(mean(9, 9)) = 3
    """
    y_true = np.arange(12, dtype=float).reshape(2, 2, 3)
    errors = np.array([[[3, 4, 0], [0, 0, 0]], [[1, 2, 2], [2, 1, 2]]], dtype=float)
    return y_true, y_true + errors


def test_rmse_3d_per_trial_by_hand():
    y_true, y_pred = _two_trial_case()
    np.testing.assert_allclose(rmse_3d_per_trial(y_true, y_pred), [np.sqrt(12.5), 3.0])


def test_rmse_3d_pools_trials_by_default():
    y_true, y_pred = _two_trial_case()
    assert rmse_3d(y_true, y_pred) == pytest.approx((np.sqrt(12.5) + 3.0) / 2)


def test_rmse_3d_group_average_differs_from_pooled():
    # per-trial errors 1, 2, 4 (constant x error); groups a, a, b
    # pooled: (1 + 2 + 4) / 3 = 7/3; groups: ((1 + 2) / 2 + 4) / 2 = 2.75
    y_true = np.zeros((3, 5, 3))
    y_pred = y_true.copy()
    y_pred[:, :, 0] = np.array([1.0, 2.0, 4.0])[:, None]
    assert rmse_3d(y_true, y_pred) == pytest.approx(7 / 3)
    assert rmse_3d(y_true, y_pred, groups=["a", "a", "b"], average="groups") == pytest.approx(2.75)


def test_rmse_3d_rejects_bad_arguments():
    y_true, y_pred = _two_trial_case()
    with pytest.raises(CyborgError, match=r"y_pred: expected shape \(2, 2, 3\), found \(2, 2, 2\)"):
        rmse_3d(y_true, y_pred[:, :, :2])
    with pytest.raises(CyborgError, match=r"y_true: expected shape \(T, T, T\), found \(2, 6\)"):
        rmse_3d_per_trial(y_true.reshape(2, 6), y_pred.reshape(2, 6))
    y_pred[1, 0, 2] = np.nan
    with pytest.raises(CyborgError, match=r"y_pred: expected finite values, found 1 NaN/inf"):
        rmse_3d(y_true, y_pred)
    with pytest.raises(CyborgError, match=r"groups: expected one group per trial"):
        rmse_3d(y_true, y_true, average="groups")
    with pytest.raises(CyborgError, match=r"groups: expected shape \(2\), found \(3,\)"):
        rmse_3d(y_true, y_true, groups=["a", "b", "c"], average="groups")
    with pytest.raises(CyborgError, match=r"average: expected one of \['trials', 'groups'\], found 'mean'"):
        rmse_3d(y_true, y_true, average="mean")


def test_pearson_r_per_axis_by_hand():
    # axis 0: prediction = 2 * truth + 1 -> r = 1; axis 1: prediction = -truth -> r = -1;
    # axis 2: constant prediction -> undefined (NaN)
    y_true = np.random.default_rng(0).normal(size=(4, 5, 3))
    y_pred = np.stack([2 * y_true[..., 0] + 1, -y_true[..., 1], np.full((4, 5), 0.3)], axis=-1)
    r = pearson_r_per_axis(y_true, y_pred)
    np.testing.assert_allclose(r[:2], [1.0, -1.0])
    assert np.isnan(r[2])


def test_pearson_r_matches_numpy_on_random_data():
    rng = np.random.default_rng(1)
    y_true = rng.normal(size=(6, 30, 3))
    y_pred = y_true + rng.normal(size=y_true.shape)
    expected = [np.corrcoef(y_true[..., axis].ravel(), y_pred[..., axis].ravel())[0, 1] for axis in range(3)]
    np.testing.assert_allclose(pearson_r_per_axis(y_true, y_pred), expected)
