"""Classical decoders: scikit-learn pipelines from windows to classes or kinematics, by name.

Each registered decoder is an unfitted estimator built by :func:`build_classical`.
It takes preprocessed windows ``X`` of shape (n_trials, n_chans, n_times)
(float32 is fine; features are computed in float64) and

- for ``task="classification"``: ``fit(X, y)`` with class indices (n_trials,),
  ``predict_proba(X)`` -> (n_trials, n_classes);
- for ``task="regression"``: ``fit(X, y)`` with flattened kinematics
  (n_trials, n_steps * n_axes), ``predict(X)`` -> (n_trials, n_steps * n_axes).

Fitted decoders pickle (``torch.save`` inside a :class:`cyborg.training.decoder.Member`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sklearn.base import BaseEstimator

from cyborg.classical import eeg, emg
from cyborg.errors import CyborgError
from cyborg.validation import check_option, fail

#: Signal kinds a classical decoder is registered for.
CLASSICAL_KINDS = ("eeg", "emg")
#: Target kinds: class indices, or flattened kinematics.
TASKS = ("classification", "regression")


@dataclass(frozen=True)
class ClassicalSpec:
    """A registered classical decoder.

    Parameters
    ----------
    name : str
        Registry name (also the ``configs/model/<name>.yaml`` name).
    kind : {"eeg", "emg"}
        Signal the decoder is designed for.
    tasks : tuple of {"classification", "regression"}
        Target kinds it supports; a factory of more than one takes ``task``.
    factory : callable
        ``factory(*, sfreq, [task,] **params)`` -> unfitted estimator (a pipeline or a stack of pipelines).
    """

    name: str
    kind: str
    tasks: tuple[str, ...]
    factory: Callable[..., BaseEstimator]


CLASSICAL_DECODERS: dict[str, ClassicalSpec] = {spec.name: spec for spec in (
    ClassicalSpec("fb_logvar_lda", "eeg", ("classification",), eeg.fb_logvar_lda),
    ClassicalSpec("fb_logvar_lr", "eeg", ("classification",), eeg.fb_logvar_lr),
    ClassicalSpec("fbcsp_lda", "eeg", ("classification",), eeg.fbcsp_lda),
    ClassicalSpec("fb_tangent_space", "eeg", ("classification",), eeg.fb_tangent_space),
    ClassicalSpec("xdawn_tangent_space", "eeg", ("classification",), eeg.xdawn_tangent_space),
    ClassicalSpec("xdawn_tangent_lda", "eeg", ("classification",), eeg.xdawn_tangent_lda),
    ClassicalSpec("band_csp_lda", "eeg", ("classification",), eeg.band_csp_lda),
    ClassicalSpec("xdawn_csp_stack", "eeg", ("classification",), eeg.xdawn_csp_stack),
    ClassicalSpec("emg_td_ridge", "emg", ("regression",), emg.emg_td_ridge),
    ClassicalSpec("emg_td_kernel_ridge", "emg", ("regression",), emg.emg_td_kernel_ridge),
    ClassicalSpec("emg_td_gbm", "emg", ("classification", "regression"), emg.emg_td_gbm),
    ClassicalSpec("emg_td_logistic", "emg", ("classification",), emg.emg_td_logistic),
)}


def is_classical(name: str) -> bool:
    """Whether ``name`` is a registered classical decoder (not a torch model)."""
    return name in CLASSICAL_DECODERS


def list_classical(kind: str | None = None) -> list[str]:
    """Names of the classical decoders, sorted.

    Parameters
    ----------
    kind : {"eeg", "emg"} | None
        Only the decoders of that signal kind; ``None`` lists all.

    Returns
    -------
    names : list of str
    """
    if kind is None:
        return sorted(CLASSICAL_DECODERS)
    check_option(kind, CLASSICAL_KINDS, "list_classical: kind")
    return sorted(name for name, spec in CLASSICAL_DECODERS.items() if spec.kind == kind)


def build_classical(name: str, *, sfreq: float, task: str | None = None, **params: Any) -> BaseEstimator:
    """Build the unfitted classical decoder ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`list_classical`.
    sfreq : float
        Sampling rate of the windows the decoder will see, in Hz.
    task : {"classification", "regression"} | None
        Target kind; may be omitted for decoders that support only one.
    **params
        The decoder's own hyper-parameters (see its factory in
        :mod:`cyborg.classical.eeg` or :mod:`cyborg.classical.emg`).

    Returns
    -------
    estimator : sklearn.base.BaseEstimator
        A scikit-learn pipeline (or a ``StackingClassifier`` of pipelines), unfitted;
        ``fit(X, y)`` on windows (n_trials, n_chans, n_times).

    Raises
    ------
    CyborgError
        For an unknown name, an unsupported or missing task, a non-positive
        ``sfreq`` or a parameter the decoder does not accept.
    """
    spec = CLASSICAL_DECODERS[check_option(name, sorted(CLASSICAL_DECODERS), "classical decoder name")]
    where = f"classical decoder '{name}'"
    if task is None and len(spec.tasks) == 1:
        task = spec.tasks[0]
    check_option(task, spec.tasks, f"{where}: task")
    if not float(sfreq) > 0:
        fail(where, "sfreq", "a positive rate in Hz", sfreq, error=CyborgError)
    kwargs = {"sfreq": float(sfreq), **({"task": task} if len(spec.tasks) > 1 else {}), **params}
    signature = inspect.signature(spec.factory)
    try:
        signature.bind(**kwargs)
    except TypeError as error:
        raise CyborgError(f"{where}: expected arguments among {list(signature.parameters)}, "
                          f"found {sorted(kwargs)} ({error})") from None
    return spec.factory(**kwargs)
