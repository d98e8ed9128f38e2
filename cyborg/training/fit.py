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

from cyborg.evaluation.splits import Fold
from cyborg.preprocessing import Pipeline
from cyborg.preprocessing.side import lr_pairs
from cyborg.trials import Trials
from cyborg.training.data import WindowDataModule, WindowDataset
from cyborg.training.decoder import Decoder, Member
from cyborg.training.module import DecoderModule
from cyborg.training.normalize import ChannelScaler

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
        Training epochs.
    amplitude_scale : float
        Random amplitude scaling half-range (0 disables it).
    mirror : bool
        EMG left/right mirror augmentation with vy negated.
    early_stopping_patience : int | None
        Stop after this many epochs without validation improvement.
    loss : {"rmse_3d", "mse"}
        Regression loss (see :class:`cyborg.training.module.DecoderModule`).
    standardize_targets : bool
        Regression: train on targets standardised with the training fold's
        mean and std (kept in the member, undone at prediction).
    pretrain_epochs : int
        With per-subject models: first train this many epochs on all the
        other subjects' trials (cross-subject pre-training), then fine-tune
        each fold from those weights for ``max_epochs``. 0 disables it.
    seed : int
        Seed for weights, data order and augmentation.
    trainer : dict
        Extra ``lightning.Trainer`` arguments (accelerator, devices, precision, strategy, ...).
    """

    lr: float = 1e-3
    weight_decay: float = 1e-2
    batch_size: int = 32
    max_epochs: int = 20
    amplitude_scale: float = 0.0
    mirror: bool = False
    early_stopping_patience: int | None = None
    loss: str = "rmse_3d"
    standardize_targets: bool = False
    pretrain_epochs: int = 0
    seed: int = 0
    trainer: dict[str, Any] = field(default_factory=dict)


def training_view(decoder: Decoder, trials: Trials) -> Trials:
    """Trials as the model is trained on them: test-side rows mapped to the train side."""
    if decoder.side_transform is None:
        return trials
    return decoder.side_transform.to_train_side(trials, targets=True)


def fit_member(decoder: Decoder, steps: Any, train: Trials, val: Trials | None,
               settings: TrainSettings, run_dir: Path, name: str,
               initial_weights: dict | None = None) -> Member:
    """Fit preprocessing, statistics and one model on ``train``; pick the epoch on ``val``.

    Parameters
    ----------
    decoder : Decoder
        Spec the member is built for (its ``members`` are not touched).
    steps : list
        Preprocessing steps (Hydra configs with ``_target_`` or Step objects).
    train, val : Trials
        Training trials and validation trials (``None``: keep the last epoch).
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
        The fitted member, holding the best validation checkpoint's weights.
    """
    L.seed_everything(settings.seed, workers=True, verbose=False)
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

    mirror = lr_pairs(train.ch_names) if settings.mirror else None
    train_set = WindowDataset(scaler.transform(train_p.X), targets(train_p.y), decoder.n_times, True,
                              amplitude_scale=settings.amplitude_scale, mirror_pairs=mirror,
                              seed=settings.seed)
    val_set = None
    if val is not None and len(val):
        val_p = training_view(decoder, pipeline.transform(val))
        val_set = WindowDataset(scaler.transform(val_p.X), targets(val_p.y), decoder.n_times, False)
    callbacks = []
    checkpoint = None
    if val_set is not None:
        checkpoint = ModelCheckpoint(dirpath=run_dir / "checkpoints" / name, filename="best",
                                     monitor=module.monitor, mode=module.mode, save_top_k=1)
        callbacks.append(checkpoint)
        if settings.early_stopping_patience:
            callbacks.append(EarlyStopping(module.monitor, mode=module.mode,
                                           patience=settings.early_stopping_patience))
    trainer_kwargs = {"enable_model_summary": False, "log_every_n_steps": 1, **settings.trainer}
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
              fit_one: Callable[[Trials, Trials, str], Member]) -> tuple[Decoder, pd.DataFrame]:
    """Fit one member per fold with ``fit_one(train, val, name)``; collect out-of-fold predictions.

    Returns
    -------
    decoder : Decoder
        A copy of ``decoder`` holding one member per fold.
    oof : pandas.DataFrame
        Validation metadata of every fold with ``fold``, ``true`` and
        ``pred`` (class indices, or (n_steps, n_axes) arrays).
    """
    fitted = replace(decoder, members=[])
    rows = []
    for fold in folds:
        train, val = trials.subset(fold.train), trials.subset(fold.val)
        member = fit_one(train, val, f"{prefix}{fold.name}".replace("/", "_").replace("=", "-"))
        fitted.members.append(member)
        prediction = replace(decoder, members=[member]).predict(val)
        part = val.metadata.copy()
        part["fold"] = fold.name
        part["pred"] = list(prediction) if prediction.ndim > 1 else prediction
        part["true"] = list(val.y) if val.y.ndim > 1 else val.y
        rows.append(part)
    return fitted, pd.concat(rows, ignore_index=True)


def fit_ensemble(decoder: Decoder, trials: Trials, folds: list[Fold], run_dir: Path, prefix: str = "",
                 *, steps: Any, settings: TrainSettings,
                 others: Trials | None = None) -> tuple[Decoder, pd.DataFrame]:
    """Fit a Lightning-trained member per fold (see :func:`fit_folds`).

    With ``settings.pretrain_epochs`` and ``others`` (the other subjects'
    trials), one model is first trained on ``others`` and every fold starts
    from its weights.
    """
    initial = None
    if settings.pretrain_epochs and others is not None and len(others):
        pretrain = replace(settings, max_epochs=settings.pretrain_epochs)
        initial = fit_member(decoder, steps, others, None, pretrain, Path(run_dir), f"{prefix}pretrain").state_dict
    return fit_folds(decoder, trials, folds, prefix,
                     lambda train, val, name: fit_member(decoder, steps, train, val, settings,
                                                         Path(run_dir), name, initial))
