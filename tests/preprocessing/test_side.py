import numpy as np

from cyborg.challenge import EMG_CHANNELS
from cyborg.preprocessing.side import SideTransform, lr_pairs, swap_channels


def test_lr_pairs_of_the_challenge_emg_channels():
    pairs = lr_pairs(EMG_CHANNELS)
    assert len(pairs) == 8 and pairs[0] == (0, 1) and pairs[-1] == (14, 15)


def test_swap_is_its_own_inverse_and_swaps_values():
    X = np.arange(2 * 4 * 3, dtype=float).reshape(2, 4, 3)
    swapped = swap_channels(X, [(0, 1), (2, 3)])
    np.testing.assert_array_equal(swapped[:, 0], X[:, 1])
    np.testing.assert_array_equal(swap_channels(swapped, [(0, 1), (2, 3)]), X)


def test_output_to_test_frame_negates_x_and_y():
    v = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(SideTransform().output_to_test_frame(v), [[-1.0, -2.0, 3.0]])
