"""The model registry: names, kinds, building, and its error messages."""

from __future__ import annotations

import pytest
from torch import nn

from cyborg.errors import CyborgError
from cyborg.models import build_model, list_models, model_kind, register_model

EXPECTED_KINDS = {
    "cnn_gru": "emg", "compact_cnn1d": "any", "deep4net": "eeg", "eeg_conformer": "eeg",
    "eegnet": "eeg", "scalogram_cnn": "emg", "scalogram_resnet": "emg", "shallow_convnet": "eeg", "tcn": "emg",
}
SIGNAL = dict(n_chans=8, n_times=128, n_outputs=3, sfreq=128.0)


def test_registered_names_and_kinds():
    assert list_models() == sorted(EXPECTED_KINDS)
    assert {name: model_kind(name) for name in list_models()} == EXPECTED_KINDS


def test_list_models_by_kind_includes_any():
    assert list_models("eeg") == ["compact_cnn1d", "deep4net", "eeg_conformer", "eegnet", "shallow_convnet"]
    assert list_models("emg") == ["cnn_gru", "compact_cnn1d", "scalogram_cnn", "scalogram_resnet", "tcn"]
    assert list_models("any") == ["compact_cnn1d"]


def test_list_models_rejects_unknown_kind():
    with pytest.raises(CyborgError, match=r"list_models: kind: expected one of \['eeg', 'emg', 'any'\], found 'meg'"):
        list_models("meg")


def test_build_model_unknown_name_lists_known_names():
    with pytest.raises(CyborgError, match=r"model name: expected one of \['cnn_gru', 'compact_cnn1d'.*found 'eegnet4'"):
        build_model("eegnet4", **SIGNAL)


def test_build_model_rejects_unknown_argument():
    with pytest.raises(CyborgError, match=r"model 'eegnet': expected arguments among \['n_chans'.*'kernel_length'"):
        build_model("eegnet", kernel_length=64, **SIGNAL)


def test_build_model_rejects_missing_vocabulary():
    with pytest.raises(CyborgError, match=r"model 'tcn'.*missing a required argument: 'sfreq'"):
        build_model("tcn", n_chans=4, n_times=200, n_outputs=90)


@pytest.mark.parametrize("field, value", [("n_chans", 0), ("n_times", 12.5), ("n_outputs", -3), ("sfreq", 0.0)])
def test_bad_signal_arguments_are_named(field, value):
    arguments = dict(SIGNAL, **{field: value})
    with pytest.raises(CyborgError, match=rf"model 'compact_cnn1d': field '{field}': expected"):
        build_model("compact_cnn1d", **arguments)


def test_register_model_and_build(scratch_registry):
    @register_model("tiny_linear", kind="any")
    class TinyLinear(nn.Module):
        def __init__(self, n_chans, n_times, n_outputs, sfreq):
            super().__init__()
            self.linear = nn.Linear(n_chans * n_times, n_outputs)

    model = build_model("tiny_linear", **SIGNAL)
    assert isinstance(model, TinyLinear)
    assert model.linear.in_features == 8 * 128
    assert "tiny_linear" in list_models("emg")


def test_register_model_rejects_duplicate_name(scratch_registry):
    with pytest.raises(CyborgError, match="name 'eegnet' is already registered \\(by EEGNet\\)"):
        register_model("eegnet", kind="eeg")(nn.Identity)


def test_register_model_rejects_unknown_kind(scratch_registry):
    with pytest.raises(CyborgError, match=r"register_model\('new'\): kind: expected one of .*found 'ecog'"):
        register_model("new", kind="ecog")
