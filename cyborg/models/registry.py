"""Registry of model architectures: one name -> one constructor and its signal kind.

Every registered constructor takes the shared keyword vocabulary ``n_chans``,
``n_times``, ``n_outputs`` and ``sfreq`` (plus its own hyper-parameters, all with
defaults) and returns a ``torch.nn.Module`` mapping ``(batch, n_chans, n_times)``
float32 to ``(batch, n_outputs)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from torch import nn

from cyborg.errors import CyborgError
from cyborg.validation import check_option

#: Signal kinds a model can be registered for; ``"any"`` suits both.
MODEL_KINDS = ("eeg", "emg", "any")

ModelFactory = TypeVar("ModelFactory", bound=Callable[..., nn.Module])


@dataclass(frozen=True)
class _ModelSpec:
    name: str
    kind: str
    factory: Callable[..., nn.Module]


_REGISTRY: dict[str, _ModelSpec] = {}


def register_model(name: str, kind: str) -> Callable[[ModelFactory], ModelFactory]:
    """Register a model class (or factory function) under ``name``.

    Parameters
    ----------
    name : str
        Registry name, e.g. ``"eegnet"``; must not be taken yet.
    kind : {"eeg", "emg", "any"}
        Signal the architecture is designed for.

    Returns
    -------
    decorator : callable
        Returns the decorated class or function unchanged.
    """
    check_option(kind, MODEL_KINDS, f"register_model('{name}'): kind")

    def decorator(factory: ModelFactory) -> ModelFactory:
        if name in _REGISTRY:
            raise CyborgError(f"register_model: name '{name}' is already registered "
                              f"(by {_REGISTRY[name].factory.__qualname__})")
        _REGISTRY[name] = _ModelSpec(name, kind, factory)
        return factory

    return decorator


def _spec(name: str) -> _ModelSpec:
    if name not in _REGISTRY:
        raise CyborgError(f"model name: expected one of {sorted(_REGISTRY)}, found {name!r}")
    return _REGISTRY[name]


def build_model(name: str, **kwargs: Any) -> nn.Module:
    """Build the registered model ``name`` with keyword arguments ``kwargs``.

    Parameters
    ----------
    name : str
        A name from :func:`list_models`.
    **kwargs
        ``n_chans``, ``n_times``, ``n_outputs``, ``sfreq`` and the model's own
        hyper-parameters.

    Returns
    -------
    model : torch.nn.Module
        Maps ``(batch, n_chans, n_times)`` float32 to ``(batch, n_outputs)``.

    Raises
    ------
    CyborgError
        If ``name`` is unknown or an argument is not accepted by the model.
    """
    factory = _spec(name).factory
    signature = inspect.signature(factory)
    try:
        signature.bind(**kwargs)
    except TypeError as error:
        raise CyborgError(f"model '{name}': expected arguments among "
                          f"{list(signature.parameters)}, found {sorted(kwargs)} ({error})") from None
    return factory(**kwargs)


def list_models(kind: str | None = None) -> list[str]:
    """Names of the registered models, sorted.

    Parameters
    ----------
    kind : {"eeg", "emg", "any"} | None
        ``None`` lists all models; ``"eeg"`` or ``"emg"`` lists the models of
        that kind plus those of kind ``"any"``; ``"any"`` lists only those.

    Returns
    -------
    names : list of str
    """
    if kind is None:
        return sorted(_REGISTRY)
    check_option(kind, MODEL_KINDS, "list_models: kind")
    return sorted(n for n, s in _REGISTRY.items() if s.kind in (kind, "any"))


def model_kind(name: str) -> str:
    """Signal kind (``"eeg"``, ``"emg"`` or ``"any"``) the model ``name`` was registered for."""
    return _spec(name).kind
