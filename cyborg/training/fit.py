"""Fit decoders with Lightning: one member per fold, averaged at prediction time."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import pandas as pd
import torch
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger

from cyborg.errors import ConfigError
from cyborg.evaluation.splits import Fold
from cyborg.preprocessing import Pipeline
from cyborg.preprocessing.side import lr_pairs
from cyborg.trials import Trials
from cyborg.training.data import WindowDataModule, WindowDataset
from cyborg.training.decoder import Decoder, Member
from cyborg.training.ensemble import ENSEMBLE_METHODS
from cyborg.training.module import LOSSES, DecoderModule
from cyborg.training.normalize import ChannelScaler
from cyborg.training.progress import MemberLine
from cyborg.validation import check_option, fail

log = logging.getLogger(__name__)


@dataclass
class TrainSettings:
    """Optimisation and augmentation settings of one fit.

    Parameters
    ----------
    lr, weight_decay : float
        AdamW settings (cosine schedule over ``max_epochs``).
    batch_size : int
        Training batch size.
    max_epochs : int
        Training epochs, at least 1 (0 only with ``pretrain_epochs``: the
        pre-trained weights as they are).
    amplitude_scale : float
        Random amplitude scaling half-range (0 disables it).
    mirror : bool
        EMG left/right mirror augmentation with vy negated.
    selection : {"last", "inner"}
        How the member's weights are chosen, never on the fold being scored.
        ``"last"``: the weights after ``max_epochs`` (the outer validation
        trials are only logged, for learning curves). ``"inner"``: the last
        ``inner_fraction`` of every session of the *training* trials is held
        out; the best epoch on it is kept (and early stopping watches it).
    inner_fraction : float
        Share of each training session held out when ``selection="inner"``.
    early_stopping_patience : int | None
        Stop after this many epochs without improvement on the inner
        validation trials (needs ``selection="inner"``).
    loss : {"rmse_3d", "mse"}
        Regression loss (see :class:`cyborg.training.module.DecoderModule`).
    standardize_targets : bool
        Regression: train on targets standardised with the training fold's
        mean and std (kept in the member, undone at prediction).
    members_per_fold : int
        Members trained per fold, with seeds ``seed, seed + 1, ...`` (a seed
        ensemble; the fold's score is that of their combination).
    member_aggregate : {"mean", "lof"}
        How the fold members' outputs are combined at prediction (see
        :class:`cyborg.training.decoder.Decoder`).
    pretrain_epochs : int
        With per-subject models: first train this many epochs on all the
        other subjects' trials (cross-subject pre-training), then fine-tune
        each fold from those weights for ``max_epochs``. 0 disables it.
    seed : int
        Seed for weights, data order and augmentation.
    trainer : dict
        Extra ``lightning.Trainer`` arguments (accelerator, devices, precision, strategy, ...).

    Raises
    ------
    ConfigError
        A value of the wrong type or out of range, named by its ``trainer.`` key.
    """

    lr: float = 1e-3
    weight_decay: float = 1e-2
    batch_size: int = 32
    max_epochs: int = 20
    amplitude_scale: float = 0.0
    mirror: bool = False
    selection: str = "last"
    inner_fraction: float = 0.2
    early_stopping_patience: int | None = None
    loss: str = "rmse_3d"
    standardize_targets: bool = False
    members_per_fold: int = 1
    member_aggregate: str = "mean"
    pretrain_epochs: int = 0
    seed: int = 0
    trainer: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, expected, valid in (
                # 0 epochs would score untrained networks; with pre-training it keeps the pre-trained weights
                ("max_epochs", "an integer >= 1 (0 only with trainer.pretrain_epochs >= 1)",
                 _is_int(self.max_epochs) and (self.max_epochs >= 1 or self.max_epochs == 0
                                               and _is_int(self.pretrain_epochs) and self.pretrain_epochs >= 1)),
                ("batch_size", "an integer >= 1", _is_int(self.batch_size) and self.batch_size >= 1),
                ("pretrain_epochs", "an integer >= 0", _is_int(self.pretrain_epochs) and self.pretrain_epochs >= 0),
                ("lr", "a number > 0", _is_number(self.lr) and self.lr > 0),
                ("weight_decay", "a number >= 0", _is_number(self.weight_decay) and self.weight_decay >= 0),
                ("amplitude_scale", "a number in [0, 1)",
                 _is_number(self.amplitude_scale) and 0 <= self.amplitude_scale < 1),
                ("early_stopping_patience", "null or an integer >= 1", self.early_stopping_patience is None
                 or (_is_int(self.early_stopping_patience) and self.early_stopping_patience >= 1))):
            if not valid:
                fail("config", f"trainer.{name}", expected, repr(getattr(self, name)), ConfigError)
        check_option(self.loss, LOSSES, "trainer.loss", error=ConfigError)
        check_option(self.selection, SELECTION_RULES, "trainer.selection", error=ConfigError)
        check_option(self.member_aggregate, ENSEMBLE_METHODS, "trainer.member_aggregate", error=ConfigError)
        if int(self.members_per_fold) < 1:
            fail("config", "trainer.members_per_fold", "an integer >= 1", self.members_per_fold, ConfigError)
        if not 0.0 < self.inner_fraction < 1.0:
            fail("config", "trainer.inner_fraction", "a fraction in (0, 1)", self.inner_fraction, ConfigError)
        if self.early_stopping_patience and self.selection != "inner":
            fail("config", "trainer.early_stopping_patience",
                 "trainer.selection=inner (early stopping watches the inner split of the training fold)",
                 f"trainer.selection={self.selection}", ConfigError)

    def describe(self) -> dict[str, Any]:
        """The selection rule as recorded in ``metrics.json``."""
        if self.selection == "last":
            rule = f"weights after the last epoch ({self.max_epochs}); nothing chosen on validation data"
        else:
            rule = (f"best epoch on the last {self.inner_fraction:.0%} of each training session "
                    "(inner split of the training fold); the scored fold is never seen")
        return {"rule": self.selection, "description": rule, "max_epochs": self.max_epochs,
                "inner_fraction": self.inner_fraction if self.selection == "inner" else None,
                "early_stopping_patience": self.early_stopping_patience}


#: How a member's weights may be chosen (see :class:`TrainSettings`).
SELECTION_RULES = ("last", "inner")


def _is_int(value: Any) -> bool:
    """True for an integer (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    """True for a finite real number (not a bool)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and bool(np.isfinite(value))


def inner_split(metadata: pd.DataFrame, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Hold out the last ``fraction`` of every subject's sessions (in row order) of a training fold.

    Whole blocks at the end of each session keep overlapping or neighbouring
    windows on one side, so the inner validation score is not flattered by them.

    Parameters
    ----------
    metadata : pandas.DataFrame
        The training trials' metadata; grouped by ``subject`` and ``session``
        where present.
    fraction : float
        Share of each session held out (at least one trial, never all).

    Returns
    -------
    fit_rows, check_rows : np.ndarray of int
        Row positions to train on and to choose the epoch on.
    """
    keys = [column for column in ("subject", "session") if column in metadata]
    groups = metadata.groupby(keys, sort=False).indices.values() if keys else [np.arange(len(metadata))]
    check = []
    for rows in groups:
        rows = np.sort(np.asarray(rows))
        n_held = min(max(1, int(round(fraction * len(rows)))), len(rows) - 1)
        check.extend(rows[len(rows) - n_held:])
    check = np.sort(np.asarray(check, dtype=np.int64))
    if check.size == 0 or check.size == len(metadata):
        fail("inner split", "trainer.inner_fraction", "a training fold large enough to hold trials out",
             f"{len(metadata)} trials", ConfigError)
    return np.setdiff1d(np.arange(len(metadata)), check), check


def training_view(decoder: Decoder, trials: Trials) -> Trials:
    """Trials as the model is trained on them: test-side rows mapped to the train side."""
    if decoder.side_transform is None:
        return trials
    return decoder.side_transform.to_train_side(trials, targets=True)


def fit_member(decoder: Decoder, steps: Any, train: Trials, val: Trials | None,
               settings: TrainSettings, run_dir: Path, name: str,
               initial_weights: dict | None = None) -> Member:
    """Fit preprocessing, statistics and one model on ``train``.

    The weights are chosen by ``settings.selection`` from the training trials
    alone: ``val`` (the fold that will be scored) is only logged, so the
    learning curves show it, and no choice ever sees it.

    Parameters
    ----------
    decoder : Decoder
        Spec the member is built for (its ``members`` are not touched).
    steps : list
        Preprocessing steps (Hydra configs with ``_target_`` or Step objects).
    train, val : Trials
        Training trials, and the scored validation trials (logged only; may be ``None``).
    settings : TrainSettings
        Optimisation settings.
    run_dir : Path
        Where checkpoints and CSV logs go.
    name : str
        Member name (used in paths).
    initial_weights : dict | None
        A state dict to start from (fine-tuning after pre-training).

    Returns
    -------
    member : Member
        The fitted member.
    """
    L.seed_everything(settings.seed, workers=True, verbose=False)
    watched = None
    if settings.selection == "inner":
        fit_rows, check_rows = inner_split(train.metadata, settings.inner_fraction)
        train, watched = train.subset(fit_rows), train.subset(check_rows)
    pipeline = Pipeline.from_config(copy.deepcopy(steps))
    train_p = training_view(decoder, pipeline.fit_transform(train))
    scaler = ChannelScaler().fit(train_p.X)
    model = decoder.build(initial_weights)
    model.train()
    module = DecoderModule(model, n_classes=len(decoder.class_names) if decoder.class_names else None,
                           target_shape=decoder.target_shape, lr=settings.lr,
                           weight_decay=settings.weight_decay, max_epochs=settings.max_epochs,
                           loss=settings.loss)
    target_stats = None
    if settings.standardize_targets and decoder.class_names is None:
        target_stats = (float(train_p.y.mean()), float(train_p.y.std()) or 1.0)

    def targets(y: np.ndarray) -> np.ndarray:
        return y if target_stats is None else ((y - target_stats[0]) / target_stats[1]).astype(np.float32)

    def dataset(trials: Trials | None) -> WindowDataset | None:
        if trials is None or not len(trials):
            return None
        prepared = training_view(decoder, pipeline.transform(trials))
        return WindowDataset(scaler.transform(prepared.X), targets(prepared.y), decoder.n_times, False)

    mirror = lr_pairs(train.ch_names) if settings.mirror else None
    train_set = WindowDataset(scaler.transform(train_p.X), targets(train_p.y), decoder.n_times, True,
                              amplitude_scale=settings.amplitude_scale, mirror_pairs=mirror,
                              seed=settings.seed)
    # Lightning validates on the inner split when there is one (and chooses on it); otherwise on the
    # scored fold, for the learning curves only: no callback watches it.
    val_set = dataset(watched) if watched is not None else dataset(val)
    callbacks: list[L.Callback] = [MemberLine(name)]  # one console line when the fit ends
    checkpoint = None
    if watched is not None:
        checkpoint = ModelCheckpoint(dirpath=run_dir / "checkpoints" / name, filename="best",
                                     monitor=module.monitor, mode=module.mode, save_top_k=1)
        callbacks.append(checkpoint)
        if settings.early_stopping_patience:
            callbacks.append(EarlyStopping(module.monitor, mode=module.mode,
                                           patience=settings.early_stopping_patience))
    trainer_kwargs = {"enable_model_summary": False, "log_every_n_steps": 1, **settings.trainer}
    if val_set is None:  # no validation loop at all (an empty one makes Lightning warn on every fit)
        trainer_kwargs["limit_val_batches"] = 0
    # Lightning's own last-epoch checkpoint is never read: the weights are copied out below
    trainer_kwargs.setdefault("enable_checkpointing", checkpoint is not None)
    trainer = L.Trainer(max_epochs=settings.max_epochs, callbacks=callbacks,
                        logger=CSVLogger(run_dir, name="logs", version=name),
                        default_root_dir=run_dir, **trainer_kwargs)
    trainer.fit(module, datamodule=WindowDataModule(train_set, val_set, settings.batch_size))
    if checkpoint is not None and checkpoint.best_model_path:
        state = torch.load(checkpoint.best_model_path, map_location="cpu", weights_only=True)["state_dict"]
        module.load_state_dict(state)
    weights = {k: v.detach().cpu().clone() for k, v in module.model.state_dict().items()}
    return Member(pipeline=pipeline, scaler=scaler, state_dict=weights, name=name, target_stats=target_stats)


def fit_folds(decoder: Decoder, trials: Trials, folds: list[Fold], prefix: str,
              fit_one: Callable[[Trials, Trials, str], Member | list[Member]]) -> tuple[Decoder, pd.DataFrame]:
    """Fit each fold's member(s) with ``fit_one(train, val, name)``; collect out-of-fold predictions.

    A fold's out-of-fold prediction combines that fold's members (several
    when ``fit_one`` returns a list, e.g. one per seed) as ``decoder`` combines
    members (``decoder.aggregate``). A fold without validation rows (the
    refit on every trial, :func:`~cyborg.evaluation.splits.refit_fold`) is fitted and predicts nothing.

    Returns
    -------
    decoder : Decoder
        A copy of ``decoder`` holding every fold's members.
    oof : pandas.DataFrame
        Validation metadata of every fold with ``fold``, ``true`` and
        ``pred`` (class indices, or (n_steps, n_axes) arrays); no rows when
        no fold has validation rows.
    """
    fitted = replace(decoder, members=[])
    rows = []
    for fold in folds:
        train, val = trials.subset(fold.train), trials.subset(fold.val)
        members = fit_one(train, val, f"{prefix}{fold.name}".replace("/", "_").replace("=", "-"))
        members = members if isinstance(members, list) else [members]
        fitted.members.extend(members)
        if not len(val):
            continue
        prediction = replace(decoder, members=members).predict(val)
        part = val.metadata.copy()
        part["fold"] = fold.name
        part["pred"] = list(prediction) if prediction.ndim > 1 else prediction
        part["true"] = list(val.y) if val.y.ndim > 1 else val.y
        rows.append(part)
    oof = pd.concat(rows, ignore_index=True) if rows else trials.metadata.iloc[:0].assign(fold=[], pred=[], true=[])
    return fitted, oof


def fit_ensemble(decoder: Decoder, trials: Trials, folds: list[Fold], run_dir: Path, prefix: str = "",
                 *, steps: Any, settings: TrainSettings,
                 others: Trials | None = None) -> tuple[Decoder, pd.DataFrame]:
    """Fit ``settings.members_per_fold`` Lightning-trained members per fold (see :func:`fit_folds`).

    With ``settings.pretrain_epochs`` and ``others`` (the other subjects'
    trials), one model is first trained on ``others`` and every fold starts
    from its weights.
    """
    initial = None
    if settings.pretrain_epochs and others is not None and len(others):
        pretrain = replace(settings, max_epochs=settings.pretrain_epochs)
        initial = fit_member(decoder, steps, others, None, pretrain, Path(run_dir), f"{prefix}pretrain").state_dict

    def fit_seeds(train: Trials, val: Trials, name: str) -> list[Member]:
        return [fit_member(decoder, steps, train, val, replace(settings, seed=settings.seed + k), Path(run_dir),
                           name if k == 0 else f"{name}_seed{settings.seed + k}", initial)
                for k in range(settings.members_per_fold)]

    return fit_folds(replace(decoder, aggregate=settings.member_aggregate), trials, folds, prefix, fit_seeds)
