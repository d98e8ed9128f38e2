"""The Task interface shared by the challenge tasks and the real-data tasks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cyborg.evaluation import metrics
from cyborg.models.transforms import make_input_transform
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder


@dataclass
class TaskData:
    """What a task loads.

    Parameters
    ----------
    train : Trials
        Labelled trials that folds are cut from.
    test : Trials | None
        Trials to predict for the submission (targets may be unknown).
    truth : Path | None
        The organizer's answer file when it is known (synthetic data).
    root : Path | None
        The data folder.
    """

    train: Trials
    test: Trials | None = None
    truth: Path | None = None
    root: Path | None = None


class Task:
    """Base class: classification scored by accuracy, regression by 3-D RMSE.

    Subclasses implement :meth:`load` and, when the task has a submission
    format, :meth:`write_submission`.
    """

    name = "task"
    #: Column of the metadata that separates per-subject models.
    subject_column = "subject"

    def load(self, root: Path | None) -> TaskData:
        raise NotImplementedError

    def decoder_template(self, trials: Trials, model_name: str, model_params: dict) -> Decoder:
        """The decoder spec for these trials (no members yet).

        ``model_params["input_transform"]`` may name a transform of
        :data:`cyborg.models.transforms.INPUT_TRANSFORMS`; it is built for the
        trials' channel names.
        """
        n_times = int(self.n_times(trials))
        if trials.is_classification:
            n_outputs = len(trials.class_names)
            target_shape = None
        else:
            target_shape = tuple(int(s) for s in trials.y.shape[1:])
            n_outputs = int(np.prod(target_shape))
        params = dict(model_params or {})
        if isinstance(params.get("input_transform"), str):
            params["input_transform"] = make_input_transform(params["input_transform"], trials.ch_names)
        kwargs = {"n_chans": trials.n_chans, "n_times": n_times, "n_outputs": n_outputs,
                  "sfreq": self.model_sfreq(trials), **params}
        return Decoder(model_name=model_name, model_kwargs=kwargs, n_times=n_times,
                       class_names=trials.class_names, target_shape=target_shape,
                       target_names=trials.target_names)

    def n_times(self, trials: Trials) -> int:
        """Samples the model sees (the stored windows may carry a crop margin)."""
        return trials.n_times - 2 * int(trials.info.get("margin", 0))

    def model_sfreq(self, trials: Trials) -> float:
        return trials.sfreq

    def score(self, y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
        """Metrics of predictions against targets (names are the report's column names)."""
        if y_true.ndim == 1:
            return {"accuracy": metrics.accuracy(y_true, y_pred)}
        return {"rmse": metrics.rmse_3d(y_true, y_pred)}

    def chance(self, train_y: np.ndarray, val_y: np.ndarray) -> dict[str, float]:
        """The plain alternative: majority class or the train-mean trajectory."""
        if val_y.ndim == 1:
            majority = np.bincount(train_y).argmax()
            return {"accuracy": metrics.accuracy(val_y, np.full_like(val_y, majority))}
        mean = np.broadcast_to(train_y.mean(axis=0), val_y.shape)
        return {"rmse": metrics.rmse_3d(val_y, mean)}

    def write_submission(self, decoder_by_group: dict[str, Decoder], test: Trials,
                         path: Path) -> Path | None:
        """Write the test-set submission; ``None`` when the task has no submission format."""
        return None
