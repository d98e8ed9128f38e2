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


def test_to_train_side_maps_only_test_side_rows():
    import pandas as pd

    from cyborg.trials import Trials

    X = np.arange(2 * 2 * 3, dtype=np.float32).reshape(2, 2, 3)
    y = np.ones((2, 4, 3), dtype=np.float32)
    trials = Trials(X=X, y=y, metadata=pd.DataFrame({"side": ["train", "test"]}), sfreq=1.0,
                    ch_names=["TA R", "TA L"], target_names=("vx", "vy", "vz"))
    mapped = SideTransform(swap_lr=True).to_train_side(trials, targets=True)
    np.testing.assert_array_equal(mapped.X[0], X[0])
    np.testing.assert_array_equal(mapped.X[1], X[1, ::-1])
    np.testing.assert_array_equal(mapped.y[0], y[0])
    np.testing.assert_array_equal(mapped.y[1, 0], [-1, -1, 1])
    unswapped = SideTransform(swap_lr=False).to_train_side(trials, targets=False)
    np.testing.assert_array_equal(unswapped.X, X)
