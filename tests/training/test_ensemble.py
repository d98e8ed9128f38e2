"""robust_member_mean: hand-made member outputs with known means."""

from __future__ import annotations

import numpy as np
import pytest

from cyborg.errors import CyborgError
from cyborg.training.ensemble import robust_member_mean


def clustered_members(n_members: int, n_trials: int, seed: int = 0) -> np.ndarray:
    """Members scattered by 0.05 m/s around one trajectory per trial, shape (n_members, n_trials, 30, 3)."""
    rng = np.random.default_rng(seed)
    centre = rng.normal(size=(1, n_trials, 30, 3))
    return centre + 0.05 * rng.normal(size=(n_members, n_trials, 30, 3))


def test_a_far_off_member_is_left_out_of_its_trial():
    outputs = clustered_members(7, 3)
    outputs[6, 0] += 5.0   # trial 0: the last member is off
    outputs[2, 1] -= 5.0   # trial 1: member 2 is off; trial 2: no one is
    mean = robust_member_mean(outputs)
    assert mean.shape == (3, 30, 3)
    np.testing.assert_allclose(mean[0], outputs[:6, 0].mean(0))
    np.testing.assert_allclose(mean[1], outputs[[0, 1, 3, 4, 5, 6], 1].mean(0))
    np.testing.assert_allclose(mean[2], outputs[:, 2].mean(0))


def test_mean_method_keeps_every_member():
    outputs = clustered_members(7, 2)
    outputs[6, 0] += 5.0
    np.testing.assert_allclose(robust_member_mean(outputs, method="mean"), outputs.mean(0))


def test_members_that_agree_give_the_plain_mean():
    identical = np.broadcast_to(np.arange(12.0).reshape(1, 2, 6), (7, 2, 6))
    np.testing.assert_array_equal(robust_member_mean(identical), identical[0])
    # Members at the corners of a regular simplex: all equidistant, so none stands out.
    simplex = np.eye(7)[:, None, :] + np.array([[1.0] * 7, [-2.0] * 7])[None]
    np.testing.assert_allclose(robust_member_mean(simplex), simplex.mean(0))


def test_fewer_members_than_the_minimum_give_the_plain_mean():
    outputs = clustered_members(4, 2)
    outputs[3, 0] += 5.0
    np.testing.assert_allclose(robust_member_mean(outputs), outputs.mean(0))
    assert not np.allclose(robust_member_mean(outputs, min_members=4)[0], outputs[:, 0].mean(0))


def test_float32_stays_float32():
    outputs = clustered_members(7, 2).astype(np.float32)
    assert robust_member_mean(outputs).dtype == np.float32
    assert robust_member_mean(outputs, method="mean").dtype == np.float32


@pytest.mark.parametrize("outputs, message", [
    (np.zeros(7), r"field 'outputs': expected an array of shape \(n_members, n_trials, \.\.\.\) "
                  r"with a member, found shape \(7,\)"),
    (np.zeros((0, 3)), r"found shape \(0, 3\)"),
    (np.full((7, 2), np.nan), r"field 'outputs': expected finite values, found 14 NaN/inf"),
])
def test_rejects_bad_outputs(outputs, message):
    with pytest.raises(CyborgError, match=message):
        robust_member_mean(outputs)


def test_rejects_bad_options():
    with pytest.raises(CyborgError, match=r"method: expected one of \['lof', 'mean'\], found 'median'"):
        robust_member_mean(np.zeros((7, 2)), method="median")
    with pytest.raises(CyborgError, match=r"field 'min_members': expected at least 2, found 1"):
        robust_member_mean(np.zeros((7, 2)), min_members=1)
