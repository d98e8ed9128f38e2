"""The Decoder: preprocessing + normalisation + model(s) + label spec, saved as one artifact.

The code that writes a submission or runs online loads this one object, so it
cannot disagree with training.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import torch
from threadpoolctl import ThreadpoolController

from cyborg.errors import DataFormatError
from cyborg.models import build_model
from cyborg.preprocessing import Pipeline
from cyborg.preprocessing.side import SideTransform
from cyborg.trials import Trials
from cyborg.training.ensemble import robust_member_mean
from cyborg.training.normalize import ChannelScaler
from cyborg.validation import fail


@cache
def thread_pools() -> ThreadpoolController:
    """The process's BLAS and OpenMP pools, found once: a fresh ``threadpool_limits`` rescans every
    loaded library (about 20 ms here, longer than a classical decoder's whole prediction)."""
    return ThreadpoolController()


@dataclass
class Member:
    """One fitted model with the preprocessing and statistics of its training fold.

    A member holds either torch weights (``state_dict``, with ``scaler``), a
    fitted scikit-learn ``estimator`` that takes the preprocessed windows, or
    a :class:`Blend` of whole decoders (``estimator``, with an empty pipeline).
    """

    pipeline: Pipeline
    scaler: ChannelScaler | None = None
    state_dict: dict | None = None
    estimator: Any = None
    name: str = "all"
    #: Kinematic targets were standardised with these training-fold statistics (mean, std).
    target_stats: tuple[float, float] | None = None

    def __getstate__(self) -> dict:
        # the built network (Decoder.model) and the live path are caches: saved files hold none
        return {k: v for k, v in vars(self).items() if k not in ("_model_", "_live_path_")}

    def pipeline_key(self) -> str:
        """A digest of the fitted pipeline (steps, parameters, fitted statistics): :meth:`Pipeline.key`.

        Members with one key transform trials identically (the fold members of
        one subject usually do), so a prediction preprocesses once for them.
        """
        return self.pipeline.key()


@dataclass
class Blend:
    """A weighted mean of fitted decoders' outputs, used as one member's estimator (``model=auto``).

    Parameters
    ----------
    parts : list of Decoder
        Fitted decoders without side transforms (the owning decoder maps the
        other side of the ramp once, before the blend sees the trials).
    weights : list of float
        Non-negative weights summing to 1, one per part.
    """

    parts: list["Decoder"]
    weights: list[float]

    def output(self, trials: Trials, preprocessed: dict[str, Trials] | None = None) -> np.ndarray:
        """Weighted mean of the parts' mean outputs (probabilities or kinematics).

        ``preprocessed`` (outputs of fitted step prefixes for these ``trials``, as in
        :meth:`Decoder.model_input`) is shared by the parts: the folds' parts with one preprocessing
        config usually have one fitted pipeline, so each such pipeline runs once, and pipelines that
        start with equal steps run those once.
        """
        shared = {} if preprocessed is None else preprocessed
        return sum(w * part._combine(trials, shared) for w, part in zip(self.weights, self.parts))

    def check_stream(self, subject: str) -> None:
        """Raise :class:`~cyborg.errors.StreamError` unless every part can stream ``subject``'s windows."""
        for part in self.parts:
            part.check_stream(subject)

    def calibrate(self, trials: Trials) -> "Blend":
        """This blend with every part calibrated on ``trials`` (:meth:`Decoder.calibrate`)."""
        return Blend([part.calibrate(trials) for part in self.parts], list(self.weights))


@dataclass
class Decoder:
    """A fold ensemble of fitted members that share a model spec.

    Parameters
    ----------
    model_name : str
        Registry name of the architecture.
    model_kwargs : dict
        Constructor arguments (``n_chans``, ``n_times``, ``n_outputs``, ``sfreq``, ...).
    n_times : int
        Samples the model sees; wider input is centre-cropped.
    class_names : tuple of str | None
        Classes for classification.
    target_shape : tuple of int | None
        (n_steps, n_axes) for kinematics.
    target_names : tuple of str | None
        Kinematic axis names.
    side_transform : SideTransform | None
        Applied to trials whose metadata ``side`` is ``"test"`` (theme 2).
    members : list of Member
        The fitted members; predictions are averaged over them.
    aggregate : {"mean", "lof"}
        How member outputs are combined per trial: the plain mean, or the mean
        of the members that a local outlier factor does not flag
        (:func:`cyborg.training.ensemble.robust_member_mean`, 5 members or more).
    """

    model_name: str
    model_kwargs: dict
    n_times: int
    class_names: tuple[str, ...] | None = None
    target_shape: tuple[int, int] | None = None
    target_names: tuple[str, ...] | None = None
    side_transform: SideTransform | None = None
    members: list[Member] = field(default_factory=list)
    aggregate: str = "mean"

    def build(self, state_dict: dict | None = None) -> torch.nn.Module:
        """A new network of the decoder's spec, in eval mode, with ``state_dict`` loaded when given."""
        model = build_model(self.model_name, **self.model_kwargs)
        if state_dict is not None:
            model.load_state_dict(state_dict)
        return model.eval()

    def model(self, member: Member) -> torch.nn.Module:
        """``member``'s network, built on first use and kept (not saved) for the calls after."""
        model = member.__dict__.get("_model_")
        if model is None:
            model = member.__dict__["_model_"] = self.build(member.state_dict)
        return model

    def check_stream(self, subject: str) -> None:
        """Raise :class:`~cyborg.errors.StreamError` unless ``subject``'s windows can be decoded one at a time.

        Every member's preprocessing must be causal (:attr:`cyborg.preprocessing.steps.Step.causal`)
        and, for steps with per-subject statistics, fitted on ``subject``.
        """
        for member in self.members:
            member.pipeline.check_stream(subject)
            if isinstance(member.estimator, Blend):
                member.estimator.check_stream(subject)

    def calibrate(self, trials: Trials) -> "Decoder":
        """A copy whose session steps use the statistics of ``trials``: windows of the session to decode.

        Steps such as :class:`~cyborg.preprocessing.SessionScale` and
        :class:`~cyborg.preprocessing.EuclideanAlign` compute a map from the
        windows of the session they transform, so they cannot decode one
        window alone. Here each member's map is computed once from
        calibration windows (for a live stream, its first seconds) and kept:
        the copy decodes any window of that session on its own, as
        :class:`~cyborg.online.StreamDecoder` needs. Fitted weights and
        statistics are shared with this decoder, not copied.

        Parameters
        ----------
        trials : Trials
            Calibration windows of one session, shape (n, n_chans, n_times)
            in the decoder's unit, with the stream's metadata (``subject``,
            and ``side`` on theme 2).

        Returns
        -------
        decoder : Decoder
            The calibrated copy; members without session steps are unchanged.
        """
        if self.side_transform is not None:
            trials = self.side_transform.to_train_side(trials, targets=False)
        pipelines: dict[str, Pipeline] = {}  # members with one digest (fold members) share one calibrated pipeline
        members = []
        for member in self.members:
            key = member.pipeline_key()
            if key not in pipelines:
                pipelines[key] = member.pipeline.calibrate(trials)
            estimator = member.estimator.calibrate(trials) if isinstance(member.estimator, Blend) else member.estimator
            members.append(replace(member, pipeline=pipelines[key], estimator=estimator))
        return replace(self, members=members)

    def model_input(self, member: Member, trials: Trials, preprocessed: dict[str, Trials] | None = None
                    ) -> np.ndarray:
        """Preprocessed, normalised, centre-cropped input of ``member`` for ``trials``.

        Parameters
        ----------
        member : Member
            Whose pipeline, scaler and crop to apply.
        trials : Trials
            The windows, shape (n_trials, n_chans, n_times).
        preprocessed : dict | None
            Outputs of fitted step prefixes already computed for these
            ``trials`` (:meth:`Pipeline.transform`'s ``shared``); this member's
            are added when missing.

        Returns
        -------
        X : np.ndarray, shape (n_trials, n_chans, self.n_times)
        """
        X = member.pipeline.transform(trials, shared=preprocessed).X
        if member.scaler is not None:
            X = member.scaler.transform(X)
        if X.shape[-1] < self.n_times:
            fail(f"decoder {self.model_name}", "window samples after preprocessing", f">= {self.n_times}",
                 X.shape[-1], error=DataFormatError)
        start = (X.shape[-1] - self.n_times) // 2
        return X[..., start:start + self.n_times]

    @torch.no_grad()
    def _member_output(self, member: Member, trials: Trials, preprocessed: dict[str, Trials],
                       batch_size: int = 256) -> np.ndarray:
        if isinstance(member.estimator, Blend):
            return member.estimator.output(trials, preprocessed)
        if member.estimator is not None:
            return self._estimator_output(member, self.model_input(member, trials, preprocessed))
        model = self.model(member)
        X = self.model_input(member, trials, preprocessed)
        outputs = [model(torch.from_numpy(np.ascontiguousarray(X[i:i + batch_size]))).numpy()
                   for i in range(0, len(X), batch_size)]
        out = np.concatenate(outputs) if outputs else np.empty((0, int(self.model_kwargs["n_outputs"])), np.float32)
        if self.class_names is not None:
            return torch.softmax(torch.from_numpy(out), dim=-1).numpy()
        out = out.reshape(len(out), *self.target_shape)
        if member.target_stats is not None:
            mean, std = member.target_stats
            out = out * std + mean
        return out

    def _estimator_output(self, member: Member, X: np.ndarray) -> np.ndarray:
        live_path = member.__dict__.get("_live_path_")
        if live_path is not None:  # set by cyborg.online.StreamDecoder: the same probabilities without the overhead
            return self._all_classes(member, live_path.predict_proba(X))
        # numpy's and scipy's BLAS pools (pyRiemann) and OpenMP (gradient boosting) fight over the cores
        with thread_pools().limit(limits=1):
            if self.class_names is not None:
                return self._all_classes(member, member.estimator.predict_proba(X))
            return member.estimator.predict(X).reshape(len(X), *self.target_shape)

    def _all_classes(self, member: Member, proba: np.ndarray) -> np.ndarray:
        """An estimator's probabilities over the classes it was fitted on, placed among all the decoder's."""
        if proba.shape[1] == len(self.class_names):
            return proba
        full = np.zeros((len(proba), len(self.class_names)), dtype=proba.dtype)
        full[:, np.asarray(member.estimator.classes_)] = proba
        return full

    def predict_output(self, trials: Trials) -> np.ndarray:
        """Mean member output: class probabilities (n, n_classes) or kinematics (n, n_steps, n_axes).

        Test-side trials are mapped to the train side first and their
        kinematics back to the test frame when a side transform is set.
        """
        if not self.members:
            raise RuntimeError("Decoder has no fitted members")
        if self.side_transform is None:
            return self._combine(trials)
        test_side = self.side_transform.test_side(trials)
        out = self._combine(self.side_transform.to_train_side(trials, targets=False))
        out[test_side] = self.side_transform.output_to_test_frame(out[test_side])
        return out

    def _combine(self, trials: Trials, preprocessed: dict[str, Trials] | None = None) -> np.ndarray:
        """The members' combined output on ``trials`` (already on the train side); see :meth:`model_input`."""
        preprocessed = {} if preprocessed is None else preprocessed
        outputs = np.stack([self._member_output(m, trials, preprocessed) for m in self.members])
        return robust_member_mean(outputs, method=getattr(self, "aggregate", "mean"))

    def predict(self, trials: Trials) -> np.ndarray:
        """Class indices (n,) or kinematics (n, n_steps, n_axes)."""
        out = self.predict_output(trials)
        return out.argmax(-1) if self.class_names is not None else out

    def save(self, path: str | Path) -> Path:
        """Write the whole decoder (spec, preprocessing, statistics, weights) to one file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(self, path)
        return path

    @staticmethod
    def load(path: str | Path) -> "Decoder":
        """Read a decoder written by :meth:`save` (a file you trust: it is a pickle)."""
        return torch.load(Path(path), weights_only=False)
