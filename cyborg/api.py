"""Fit a decoder on trials from Python: one call, no Hydra, no folds.

::

    from cyborg.api import fit_decoder
    decoder = fit_decoder(trials, "compact_cnn1d", settings=TrainSettings(max_epochs=20))
    predictions = decoder.predict(new_trials)
    decoder.save("decoder.pt")

``train.py`` cross-validates and writes submissions; this is the plain
"fit on these trials and give me a Decoder" step it is built on.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from cyborg.tasks.base import Task
from cyborg.trials import Trials
from cyborg.training.decoder import Decoder
from cyborg.training.fit import TrainSettings

#: Name of the one member :func:`fit_decoder` fits (as in ``Decoder.members[0].name``).
MEMBER_NAME = "all"


def fit_decoder(trials: Trials, model: str = "compact_cnn1d", *, preprocessing: list[Any] | None = None,
                model_params: dict[str, Any] | None = None, settings: TrainSettings | None = None,
                task: Task | None = None, run_dir: str | Path | None = None) -> Decoder:
    """Fit one decoder member on all ``trials`` (no validation split) and return the Decoder.

    Parameters
    ----------
    trials : Trials
        Training trials: ``X`` (n_trials, n_chans, n_times) and class indices
        or kinematics ``y`` (n_trials, n_steps, n_axes).
    model : str
        A registered network (:func:`cyborg.models.build_model` names, e.g.
        ``"compact_cnn1d"``, ``"eegnet"``, ``"scalogram_cnn"``) trained with
        Lightning, or a classical decoder (:func:`cyborg.classical.list_classical`,
        e.g. ``"fb_logvar_lda"``, ``"emg_td_ridge"``) fitted with scikit-learn.
    preprocessing : list | None
        Preprocessing steps (dicts with ``_target_`` as in
        ``configs/preprocessing/*.yaml``, or Step objects), fitted on
        ``trials``; ``None`` uses the windows as they are.
    model_params : dict | None
        Constructor arguments of the network, or hyper-parameters of the
        classical decoder.
    settings : TrainSettings | None
        Optimisation settings of a network (default ``TrainSettings()``:
        20 epochs, weights after the last one); ignored by classical decoders.
    task : Task | None
        Gives the decoder spec (:meth:`cyborg.tasks.base.Task.decoder_template`);
        pass ``cyborg.tasks.velocity.VelocityTask()`` for theme 2's side
        transform. Default: the generic :class:`~cyborg.tasks.base.Task`.
    run_dir : str | Path | None
        Folder for Lightning's CSV logs and checkpoints; ``None`` uses a
        temporary folder removed afterwards.

    Returns
    -------
    decoder : Decoder
        One fitted member; ``decoder.predict(trials)`` gives class indices or
        kinematics, ``decoder.save(path)`` / ``Decoder.load(path)`` round-trip it.
    """
    from cyborg.classical import is_classical
    from cyborg.training.estimators import ClassicalFactory, fit_estimator_member
    from cyborg.training.fit import fit_member

    task = task if task is not None else Task()
    steps = list(preprocessing or [])
    params = dict(model_params or {})
    if is_classical(model):
        decoder = task.decoder_template(trials, model, {}, steps)
        kind = "classification" if trials.is_classification else "regression"
        member = fit_estimator_member(decoder, steps, trials, ClassicalFactory(model, kind, params), MEMBER_NAME)
    else:
        decoder = task.decoder_template(trials, model, params, steps)
        settings = settings if settings is not None else TrainSettings()
        if run_dir is None:
            with tempfile.TemporaryDirectory(prefix="cyborg-fit-") as folder:
                member = fit_member(decoder, steps, trials, None, settings, Path(folder), MEMBER_NAME)
        else:
            member = fit_member(decoder, steps, trials, None, settings, Path(run_dir), MEMBER_NAME)
    decoder.members = [member]
    return decoder
