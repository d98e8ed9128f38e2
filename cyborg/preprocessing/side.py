"""Theme 2: map the prediction (test) side of the ramp onto the train side and back.

The prediction-side velocity frame is the train-side frame rotated by pi about
z (x and y negated), and the rider's stance flips between the sides, so the
left/right EMG channel pairs swap roles (CHALLENGE.md 2.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from cyborg.trials import Trials


def lr_pairs(ch_names: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs (right, left) of channels named ``"<muscle> R"`` / ``"<muscle> L"``."""
    index = {name: i for i, name in enumerate(ch_names)}
    pairs = []
    for name, i in index.items():
        if name.endswith(" R") and name[:-2] + " L" in index:
            pairs.append((i, index[name[:-2] + " L"]))
    return pairs


def swap_channels(X: np.ndarray, pairs: Sequence[tuple[int, int]]) -> np.ndarray:
    """Copy of ``X`` (n_trials, n_chans, n_times) with each channel pair swapped."""
    order = np.arange(X.shape[1])
    for a, b in pairs:
        order[a], order[b] = b, a
    return X[:, order]


@dataclass
class SideTransform:
    """What changes between the sides: a stance flip of the input and a rotation of the output.

    Parameters
    ----------
    swap_lr : bool
        Swap left/right EMG channel pairs of test-side input (stance flip).
    sign : tuple of float
        Per-axis factor from the train frame to the test frame, ``(-1, -1, 1)``.
    """

    swap_lr: bool = True
    sign: tuple[float, ...] = (-1.0, -1.0, 1.0)

    @staticmethod
    def test_side(trials: Trials) -> np.ndarray:
        """Boolean mask of the trials whose metadata ``side`` is ``"test"``."""
        if "side" not in trials.metadata:
            return np.zeros(len(trials), dtype=bool)
        return (trials.metadata["side"] == "test").to_numpy()

    def to_train_side(self, trials: Trials, *, targets: bool) -> Trials:
        """Test-side trials as if recorded on the train side; train-side trials unchanged.

        Input L/R pairs are swapped back (when ``swap_lr``) and, with
        ``targets=True``, the kinematics are rotated into the train frame.
        """
        mask = self.test_side(trials)
        if not mask.any():
            return trials
        X, y = trials.X, trials.y
        if self.swap_lr:
            X = X.copy()
            X[mask] = swap_channels(X[mask], lr_pairs(trials.ch_names))
        if targets:
            y = y.copy()
            y[mask] = self.target_to_train_frame(y[mask])
        return replace(trials, X=X, y=y)

    def output_to_test_frame(self, y: np.ndarray) -> np.ndarray:
        """Train-frame kinematics (..., n_axes) in the test frame."""
        return y * np.asarray(self.sign, dtype=y.dtype)

    def target_to_train_frame(self, y: np.ndarray) -> np.ndarray:
        """Test-frame kinematics in the train frame (the rotation is its own inverse)."""
        return self.output_to_test_frame(y)
