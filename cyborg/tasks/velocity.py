"""Theme 2: regress centre-of-mass velocity (30 steps x vx, vy, vz) from 16-channel EMG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cyborg.challenge import VELOCITY_AXES, VELOCITY_STEPS, submission_subject
from cyborg.errors import CyborgError
from cyborg.evaluation import metrics
from cyborg.io.challenge_velocity import load_velocity
from cyborg.preprocessing.side import SideTransform
from cyborg.submission import write_velocity_submission
from cyborg.tasks.base import Task, TaskData
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder
from cyborg.windows import trials_from_epochs


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
    """

    name = "velocity"

    def __init__(self, swap_lr: bool = True, reference_subject: str | None = None):
        self.swap_lr = swap_lr
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
        truth = Path(root) / "answer" / "test_answer.json"
        return TaskData(train=train, test=Trials.concat(test_parts),
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

    def write_submission(self, decoder_by_group: dict[str, Decoder], test: Trials, path: Path) -> Path:
        decoder = decoder_by_group.get("all") or next(iter(decoder_by_group.values()))
        prediction = decoder.predict(test)
        subjects = test.metadata["subject"].astype(str).to_numpy()
        by_subject = {submission_subject(key): prediction[subjects == key]
                      for key in dict.fromkeys(subjects)}
        return write_velocity_submission(path, by_subject)
