"""The real-data tasks' scores on hand-computed cases."""

import numpy as np
import pytest

from cyborg.tasks.generic import JointAngleTask


def _task():
    return JointAngleTask(name="knee_angle", loader=lambda **_: None)


def test_joint_angle_score_is_the_pooled_rmse_in_degrees_and_pearson_r():
    y_true = np.array([0.0, 10.0, 20.0]).reshape(3, 1, 1)
    y_pred = np.array([3.0, 6.0, 20.0]).reshape(3, 1, 1)      # errors 3, -4, 0
    score = _task().score(y_true, y_pred)
    assert score["rmse_deg"] == pytest.approx(np.sqrt(25.0 / 3))
    assert score["pearson_r"] == pytest.approx(np.corrcoef([0, 10, 20], [3, 6, 20])[0, 1])


def test_joint_angle_chance_predicts_the_training_mean_angle():
    train_y = np.array([4.0, 6.0]).reshape(2, 1, 1)            # mean 5
    val_y = np.array([0.0, 10.0]).reshape(2, 1, 1)             # errors -5, 5
    assert _task().chance(train_y, val_y) == {"rmse_deg": pytest.approx(5.0)}
