"""Theme 1: classify the trick (frontside kickturn, backside kickturn, pumping) from EEG."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cyborg.challenge import EPOCH_N_TIMES, EPOCH_TMIN, EVENT_TYPES, TRICK_CLASSES
from cyborg.io.challenge_trick import load_trick
from cyborg.submission import write_trick_submission
from cyborg.tasks.base import Task, TaskData
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder
from cyborg.windows import event_windows, trials_from_epochs


def trick_label(description: str) -> int | None:
    """Event description (type code, e.g. ``"12"``) -> class index (type % 10 - 1)."""
    try:
        code = int(description)
    except ValueError:
        return None
    return code % 10 - 1 if code in EVENT_TYPES else None


class TrickTask(Task):
    """Per-subject EEG classification in the challenge's train/test layout.

    Parameters
    ----------
    margin : int
        Extra samples cut on both sides of the 0.2-0.7 s training windows for
        random-crop augmentation (the test epochs have none).
    """

    name = "trick"

    def __init__(self, margin: int = 25):
        self.margin = margin

    def load(self, root: Path) -> TaskData:
        data = load_trick(root)
        train = Trials.concat([
            event_windows(rec, EPOCH_TMIN, EPOCH_N_TIMES, margin=self.margin, label_of=trick_label,
                          class_names=TRICK_CLASSES) for rec in data["train"]])
        test = Trials.concat([trials_from_epochs(rec, class_names=TRICK_CLASSES, scale=1e6)
                              for rec in data["test"]])
        truth = Path(root) / "answer" / "test_labels.csv"
        return TaskData(train=train, test=test, truth=truth if truth.is_file() else None, root=Path(root))

    def write_submission(self, decoder_by_group: dict[str, Decoder], test: Trials, path: Path) -> Path:
        labels = np.empty(len(test), dtype=object)
        for group, decoder in decoder_by_group.items():
            rows = np.arange(len(test)) if group == "all" else np.flatnonzero(
                (test.metadata[self.subject_column] == group).to_numpy())
            if rows.size:
                labels[rows] = [TRICK_CLASSES[i] for i in decoder.predict(test.subset(rows))]
        return write_trick_submission(path, test.metadata["sample_id"].tolist(), labels.tolist())
