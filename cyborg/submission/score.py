"""Score a submission file against the organizer's truth file, split public / private."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cyborg.errors import SubmissionError
from cyborg.evaluation.metrics import RMSE_AVERAGES, accuracy, rmse_3d
from cyborg.submission._text import read_text
from cyborg.submission.public_private import public_mask
from cyborg.submission.trick import read_trick_submission
from cyborg.submission.validate import validate_trick_submission, validate_velocity_submission
from cyborg.submission.velocity import read_velocity_submission
from cyborg.validation import check_option, fail

TASKS = ("trick", "velocity")
METRICS = {"trick": "accuracy", "velocity": "rmse_3d"}


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring one submission.

    Attributes
    ----------
    task : {"trick", "velocity"}
        Theme 1 or theme 2.
    metric : {"accuracy", "rmse_3d"}
        The task's metric; accuracy is higher-better, rmse_3d (m/s) lower-better.
    public_score : float
        Metric over the public ids.
    private_score : float | None
        Metric over the private ids; None unless asked for, or when no id is private.
    n_public, n_private, n_total : int
        Number of public, private and all test ids (trials).
    """

    task: str
    metric: str
    public_score: float
    private_score: float | None
    n_public: int
    n_private: int
    n_total: int

    @property
    def higher_is_better(self) -> bool:
        """True for accuracy, False for an error such as rmse_3d."""
        return self.metric == "accuracy"


def detect_task(truth_path: str | Path) -> str:
    """Tell the task from the truth file: ``.csv`` -> trick, ``.json`` -> velocity.

    Any other suffix: a file whose text starts with ``{`` is velocity, else trick.
    """
    suffix = Path(truth_path).suffix.lower()
    if suffix == ".csv":
        return "trick"
    if suffix == ".json":
        return "velocity"
    return "velocity" if read_text(truth_path).lstrip().startswith("{") else "trick"


def _read_truth(truth_path: Path) -> tuple[str, pd.Series | dict[str, np.ndarray]]:
    """The task and the checked truth; its errors are marked as the truth's, not the submission's."""
    try:
        task = detect_task(truth_path)
        if task == "trick":
            truth = read_trick_submission(truth_path)
            return task, validate_trick_submission(truth, truth["sample_id"], truth_path)
        truth = read_velocity_submission(truth_path)
        if not sum(len(values) for values in truth.values()):
            fail(truth_path, None, "at least one trial", "none", SubmissionError)
        return task, validate_velocity_submission(truth, {key: len(value) for key, value in truth.items()},
                                                  truth_path)
    except SubmissionError as err:
        raise SubmissionError(f"unusable truth file: {err}") from None


def _scores(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray | None,
            is_public: np.ndarray, task: str, average: str,
            show_private: bool) -> tuple[float, float | None]:
    """Public score, and private score when asked for and not empty."""
    def metric(mask: np.ndarray) -> float:
        if task == "trick":
            return accuracy(y_true[mask], y_pred[mask])
        return rmse_3d(y_true[mask], y_pred[mask], groups[mask], average=average)

    private = metric(~is_public) if show_private and (~is_public).any() else None
    return metric(is_public), private


def score_submission(submission_path: str | Path, truth_path: str | Path, split_seed: int = 0,
                     public_fraction: float = 0.5, show_private: bool = False,
                     average: str = "trials") -> ScoreResult:
    """Validate a submission against the truth and score it on the public (and private) ids.

    Parameters
    ----------
    submission_path : str | Path
        The participant's file: CSV (trick) or JSON (velocity).
    truth_path : str | Path
        The organizer's truth file in the same format (``answer/test_labels.csv``
        or ``answer/test_answer.json``); it decides the task (:func:`detect_task`).
    split_seed : int
        Seed of the public / private split
        (:func:`cyborg.submission.public_private.public_mask`).
    public_fraction : float
        Share of the test ids in the public split, in (0, 1].
    show_private : bool
        Also compute the private score.
    average : {"trials", "groups"}
        Velocity only: mean over all trials pooled, or per subject then over
        subjects (see :func:`cyborg.evaluation.metrics.rmse_3d`).

    Returns
    -------
    ScoreResult

    Raises
    ------
    SubmissionError
        If either file is missing or malformed, or the submission does not
        cover the test ids exactly; the message never quotes the truth.
    CyborgError
        On a bad split seed, fraction or average.
    """
    check_option(average, RMSE_AVERAGES, "average")
    truth_path = Path(truth_path)
    submission_path = Path(submission_path)
    task, truth = _read_truth(truth_path)
    if task == "trick":
        ids = truth.index.to_numpy(dtype=str)
        y_true = truth.to_numpy(dtype=str)
        y_pred = validate_trick_submission(read_trick_submission(submission_path), ids,
                                           submission_path).to_numpy(dtype=str)
        groups = None
    else:
        counts = {subject: len(values) for subject, values in truth.items()}
        predictions = validate_velocity_submission(read_velocity_submission(submission_path), counts,
                                                   submission_path)
        ids = np.array([f"{subject}/trial{index + 1}" for subject, n in counts.items()
                        for index in range(n)])
        groups = np.repeat(list(counts), list(counts.values()))
        y_true = np.concatenate(list(truth.values()))
        y_pred = np.concatenate([predictions[subject] for subject in counts])
    is_public = public_mask(ids, seed=split_seed, public_fraction=public_fraction)
    public_score, private_score = _scores(y_true, y_pred, groups, is_public, task, average,
                                          show_private)
    return ScoreResult(task=task, metric=METRICS[task], public_score=public_score,
                       private_score=private_score, n_public=int(is_public.sum()),
                       n_private=int((~is_public).sum()), n_total=len(ids))
