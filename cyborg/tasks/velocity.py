"""Theme 2: regress centre-of-mass velocity (30 steps x vx, vy, vz) from 16-channel EMG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cyborg.challenge import T2_REFERENCE_SUBJECT, VELOCITY_AXES, VELOCITY_STEPS, submission_subject
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
    reference_subject : str
        The subject recorded on both sides, used for validation.
    """

    name = "velocity"

    def __init__(self, swap_lr: bool = True, reference_subject: str = T2_REFERENCE_SUBJECT):
        self.swap_lr, self.reference_subject = swap_lr, reference_subject

    def load(self, root: Path) -> TaskData:
        data = load_velocity(root)
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
