"""Model zoo: one file per architecture, one registry, one vocabulary.

Every model takes ``n_chans``, ``n_times``, ``n_outputs`` and ``sfreq`` (as in
braindecode) plus its own hyper-parameters, and maps ``(batch, n_chans, n_times)``
float32 to ``(batch, n_outputs)``. Build one by name with :func:`build_model`.
Importing this package registers the models below; braindecode's models are
added only on request (:func:`cyborg.models.braindecode_adapter.register_braindecode_models`).
"""

from cyborg.models import (  # noqa: F401  (imported so that the models register)
    cnn_gru,
    compact_cnn1d,
    deep4net,
    eeg_conformer,
    eegnet,
    scalogram_cnn,
    scalogram_resnet,
    shallow_convnet,
    tcn,
)
from cyborg.models.registry import MODEL_KINDS, build_model, list_models, model_kind, register_model

__all__ = ["MODEL_KINDS", "build_model", "list_models", "model_kind", "register_model"]
