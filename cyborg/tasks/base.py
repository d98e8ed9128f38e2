"""The Task interface shared by the challenge tasks and the real-data tasks."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cyborg.evaluation import metrics
from cyborg.models.transforms import make_input_transform
from cyborg.preprocessing.pipeline import Pipeline
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

    def split_arguments(self, split: dict) -> dict:
        """The protocol arguments of ``split`` (its ``args``), completed by what the task knows."""
        return dict(split.get("args") or {})

    def decoder_template(self, trials: Trials, model_name: str, model_params: dict,
                         steps: list | None = None) -> Decoder:
        """The decoder spec for these trials (no members yet).

        Parameters
        ----------
        trials : Trials
            Training trials as loaded (before preprocessing).
        model_name : str
            Registered model name.
        model_params : dict
            Constructor arguments beyond the shared vocabulary;
            ``model_params["input_transform"]`` may name a transform of
            :data:`cyborg.models.transforms.INPUT_TRANSFORMS`, built for the
            trials' channel names.
        steps : list | None
            The preprocessing steps; the model is built for the window they
            produce (a resampling step changes ``n_times`` and ``sfreq``).
        """
        n_times, sfreq = self.model_geometry(trials, steps)
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
                  "sfreq": sfreq, **params}
        return Decoder(model_name=model_name, model_kwargs=kwargs, n_times=n_times,
                       class_names=trials.class_names, target_shape=target_shape,
                       target_names=trials.target_names)

    def model_geometry(self, trials: Trials, steps: list | None = None) -> tuple[int, float]:
        """Samples and sampling rate (Hz) of the model input after ``steps``.

        The stored windows may carry a crop margin of ``trials.info["margin"]``
        samples on each side; it is left out of ``n_times``. When there are
        steps, they are run on the first trial to see the window they produce.
        """
        margin = int(trials.info.get("margin", 0))
        if not steps:
            return trials.n_times - 2 * margin, float(trials.sfreq)
        probe = Pipeline.from_config(copy.deepcopy(steps)).fit_transform(trials.subset([0]))
        n_times = round((trials.n_times - 2 * margin) * probe.sfreq / trials.sfreq)
        return min(n_times, probe.n_times), float(probe.sfreq)

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
