"""The optional braindecode adapter, with braindecode absent or replaced by a stand-in."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest
import torch
from torch import nn

from cyborg.models import build_model, list_models, model_kind
from cyborg.models.braindecode_adapter import register_braindecode_models


class StandInEEGNetv4(nn.Module):
    """Takes braindecode's vocabulary, like the real class."""

    def __init__(self, n_chans=None, n_outputs=None, n_times=None, sfreq=None, drop_prob=0.25):
        super().__init__()
        self.linear = nn.Linear(n_chans * n_times, n_outputs)

    def forward(self, signal):
        return self.linear(signal.flatten(1))


def test_importing_cyborg_models_does_not_import_braindecode():
    code = "import sys, cyborg.models; print(sorted(m for m in sys.modules if m.startswith('braindecode')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
    assert not any(name.startswith("braindecode.") for name in list_models())


def test_unimportable_braindecode_registers_nothing(scratch_registry, monkeypatch):
    monkeypatch.setitem(sys.modules, "braindecode", None)
    before = list_models()
    with pytest.warns(UserWarning, match="braindecode models not registered: import failed"):
        assert register_braindecode_models() == []
    assert list_models() == before


def test_importable_braindecode_registers_present_classes(scratch_registry, monkeypatch):
    package = types.ModuleType("braindecode")
    models = types.ModuleType("braindecode.models")
    models.EEGNetv4 = StandInEEGNetv4
    package.models = models
    monkeypatch.setitem(sys.modules, "braindecode", package)
    monkeypatch.setitem(sys.modules, "braindecode.models", models)
    assert register_braindecode_models(["EEGNetv4", "NotInThisVersion"]) == ["braindecode.EEGNetv4"]
    assert register_braindecode_models(["EEGNetv4"]) == ["braindecode.EEGNetv4"]
    assert model_kind("braindecode.EEGNetv4") == "eeg"
    model = build_model("braindecode.EEGNetv4", n_chans=8, n_times=128, n_outputs=3, sfreq=128.0)
    assert model(torch.zeros(2, 8, 128)).shape == (2, 3)
