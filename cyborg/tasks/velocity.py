"""Theme 2: regress centre-of-mass velocity (30 steps x vx, vy, vz) from 16-channel EMG."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from cyborg.challenge import (EMG_N_TIMES, EMG_SFREQ, VELOCITY_AXES, VELOCITY_SFREQ, VELOCITY_STEPS,
                              submission_subject)
from cyborg.errors import CyborgError
from cyborg.evaluation import metrics
from cyborg.io.challenge_velocity import load_velocity
from cyborg.preprocessing.side import SideTransform
from cyborg.submission import write_velocity_submission
from cyborg.tasks.base import Task, TaskData
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder
from cyborg.windows import trials_from_epochs
from cyborg.windows.causal import causal_window_bounds, causal_windows

log = logging.getLogger(__name__)
#: Where errors of the causal options point (their config keys).
CAUSAL_WHERE = ("config", "task.")


class VelocityTask(Task):
    """Train on the train side of the ramp, predict the other side.

    Parameters
    ----------
    swap_lr : bool
        Whether the stance flips between the sides (swap EMG L/R pairs of
        test-side input).
    reference_subject : str | None
        The subject recorded on both sides, validated on by the
        ``side_transfer`` split (``"0005"`` in the challenge). ``None``: the
        subject key ``reference.mat`` holds (an error when it holds several);
        ``split.args.reference_subject``, when given, wins.
    causal_lag_s : float | None
        ``None``: the challenge task (the whole 0.5 s of EMG -> the 30 steps
        of the same 0.5 s, not causal). A lag in seconds (>= 0): the causal
        variant, which predicts the trial's last velocity step (at 29/60 s)
        from a window of ``causal_window_s`` of EMG ending ``causal_lag_s``
        before it (:func:`cyborg.windows.causal.causal_windows`); targets are
        (n, 1, 3) and no submission is written (the challenge format needs 30 steps).
    causal_window_s : float
        EMG window length in seconds of the causal variant;
        ``causal_lag_s + causal_window_s`` may not exceed 29/60 s.

    Raises
    ------
    ConfigError
        A negative lag, a window shorter than one sample, or a window that
        would start before the trial: checked here against the challenge's
        trial (1000 samples at 2 kHz, 30 steps at 60 Hz) and by :meth:`load`
        against the loaded trials.
    """

    name = "velocity"

    def __init__(self, swap_lr: bool = True, reference_subject: str | None = None,
                 causal_lag_s: float | None = None, causal_window_s: float = 0.2):
        self.swap_lr = swap_lr
        self.causal_lag_s, self.causal_window_s = causal_lag_s, causal_window_s
        if causal_lag_s is not None:  # a bad value fails before any data is read
            causal_window_bounds(EMG_N_TIMES, EMG_SFREQ, VELOCITY_STEPS, VELOCITY_SFREQ, causal_lag_s,
                                 causal_window_s, *CAUSAL_WHERE)
        self.reference_subject = None if reference_subject is None else str(reference_subject)
        #: Subject keys of the last loaded ``reference.mat``, in file order.
        self.reference_keys: list[str] = []
        self._reference_path: Path | None = None

    def split_arguments(self, split: dict) -> dict:
        """``split.args``, with ``reference_subject`` from the task or ``reference.mat`` when not given.

        Raises
        ------
        CyborgError
            If neither gives it and ``reference.mat`` holds several subjects.
        """
        args = super().split_arguments(split)
        if split.get("protocol") != "side_transfer" or args.get("reference_subject") is not None:
            return args
        if self.reference_subject is not None:
            return {**args, "reference_subject": self.reference_subject}
        if len(self.reference_keys) > 1:
            raise CyborgError(f"{self._reference_path}: expected one subject key to validate on (the reference "
                              f"subject is read from the file when task.reference_subject and "
                              f"split.args.reference_subject are null), found {self.reference_keys}; "
                              f"set split.args.reference_subject to one of them")
        if self.reference_keys:
            args["reference_subject"] = self.reference_keys[0]
        return args

    def load(self, root: Path) -> TaskData:
        data = load_velocity(root)
        self.reference_keys = list(dict.fromkeys(rec.subject for rec in data["reference"]))
        self._reference_path = Path(root) / "reference.mat"
        train = Trials.concat([trials_from_epochs(rec) for rec in data["train"] + data["reference"]])
        test_parts = []
        for rec in data["test"]:
            part = trials_from_epochs(rec, target_shape=(VELOCITY_STEPS, len(VELOCITY_AXES)))
            part.metadata["side"] = "test"
            test_parts.append(part)
        test = Trials.concat(test_parts)
        if self.causal_lag_s is not None:
            train, test = (causal_windows(part, self.causal_lag_s, self.causal_window_s, *CAUSAL_WHERE)
                           for part in (train, test))
        truth = Path(root) / "answer" / "test_answer.json"
        return TaskData(train=train, test=test,
                        truth=truth if truth.is_file() else None, root=Path(root))

    def decoder_template(self, trials: Trials, model_name: str, model_params: dict,
                         steps: list | None = None) -> Decoder:
        decoder = super().decoder_template(trials, model_name, model_params, steps)
        decoder.side_transform = SideTransform(swap_lr=self.swap_lr)
        return decoder

    def chance(self, train_y: np.ndarray, val_y: np.ndarray) -> dict[str, float]:
        """Train-mean trajectory (train frame) rotated to the test frame, as the side rule says."""
        mean = SideTransform(swap_lr=self.swap_lr).output_to_test_frame(train_y.mean(axis=0))
        return {"rmse": metrics.rmse_3d(val_y, np.broadcast_to(mean, val_y.shape))}

    def write_submission(self, decoder_by_group: dict[str, Decoder], test: Trials, path: Path) -> Path | None:
        if self.causal_lag_s is not None:
            log.info("task.causal_lag_s is set: no submission (the challenge format needs 30 steps per trial)")
            return None
        decoder = decoder_by_group.get("all") or next(iter(decoder_by_group.values()))
        prediction = decoder.predict(test)
        subjects = test.metadata["subject"].astype(str).to_numpy()
        by_subject = {submission_subject(key): prediction[subjects == key]
                      for key in dict.fromkeys(subjects)}
        return write_velocity_submission(path, by_subject)
