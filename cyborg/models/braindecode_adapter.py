"""Optional: put braindecode's models in the registry when braindecode can be imported.

braindecode is never imported when :mod:`cyborg.models` is; call
:func:`register_braindecode_models` to add its models as ``"braindecode.<Class>"``.
Its constructors already speak the registry's vocabulary (``n_chans``,
``n_times``, ``n_outputs``, ``sfreq``).
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Sequence

from cyborg.models.registry import list_models, register_model

#: braindecode classes registered by default (those missing from the installed version are skipped).
DEFAULT_BRAINDECODE_MODELS = (
    "EEGNetv4", "ShallowFBCSPNet", "Deep4Net", "EEGConformer", "ATCNet", "EEGInceptionERP", "EEGITNet",
)


def register_braindecode_models(class_names: Sequence[str] = DEFAULT_BRAINDECODE_MODELS) -> list[str]:
    """Register braindecode model classes under ``"braindecode.<Class>"`` (kind ``"eeg"``).

    Parameters
    ----------
    class_names : sequence of str
        Class names in ``braindecode.models``; names the installed version lacks
        are skipped, names already registered are left as they are.

    Returns
    -------
    names : list of str
        Registry names now available for these classes; empty (with a warning)
        when braindecode cannot be imported.
    """
    try:
        models = importlib.import_module("braindecode.models")
    except Exception as error:  # an installed but broken braindecode can fail in many ways
        warnings.warn(f"braindecode models not registered: import failed ({type(error).__name__}: {error})",
                      stacklevel=2)
        return []
    available = []
    for class_name in class_names:
        model_class = getattr(models, class_name, None)
        if model_class is None:
            continue
        name = f"braindecode.{class_name}"
        if name not in list_models():
            register_model(name, kind="eeg")(model_class)
        available.append(name)
    return available
