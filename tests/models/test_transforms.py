"""Input transforms: channel pairs from names, bipolar differences, L/R-invariant EMG."""

from __future__ import annotations

import pytest
import torch

from cyborg.challenge import EEG_CHANNELS, EMG_CHANNELS
from cyborg.errors import CyborgError
from cyborg.models import build_model, list_models
from cyborg.models.transforms import (
    BipolarDifferences, LRInvariantEMG, emg_lr_pairs, hemispheric_pairs, neighbour_pairs,
)

#: Index permutation that swaps each (right, left) pair of the interleaved EMG order.
STANCE_FLIP = [i + 1 if i % 2 == 0 else i - 1 for i in range(16)]


def test_hemispheric_pairs_of_the_challenge_montage():
    pairs = hemispheric_pairs(EEG_CHANNELS)
    assert ("C3", "C4") in pairs
    assert ("FC5", "FC6") in pairs
    assert ("FT9", "FT10") in pairs
    assert ("Fp1", "Fp2") in pairs
    assert not any(name.endswith("z") for pair in pairs for name in pair)
    # 72 channels = 10 midline + 31 left + 31 right.
    assert len(pairs) == 31
    assert pairs[0] == ("Fp1", "Fp2")


def test_hemispheric_pairs_skip_missing_partner_and_keep_padding():
    assert hemispheric_pairs(["C3 ", "Cz  ", "C4 ", "P3", "EOG1"]) == [("C3 ", "C4 ")]


def test_neighbour_pairs_on_the_grid():
    pairs = neighbour_pairs(EEG_CHANNELS)
    touching_c3 = {a if b == "C3" else b for a, b in pairs if "C3" in (a, b)}
    touching_cz = {a if b == "Cz" else b for a, b in pairs if "Cz" in (a, b)}
    touching_t7 = {a if b == "T7" else b for a, b in pairs if "T7" in (a, b)}
    assert touching_c3 == {"C1", "C5", "FC3", "CP3"}
    assert touching_cz == {"C1", "C2", "FCz", "CPz"}
    assert touching_t7 == {"C5", "FT7", "TP7"}


def test_bipolar_differences_known_values():
    signal = torch.tensor([[[1.0, 2.0], [10.0, 20.0], [100.0, 200.0]]])
    names = ["C3", "Cz", "C4"]
    appended = BipolarDifferences(names, [("C3", "C4"), ("Cz", "C3")])
    only = BipolarDifferences(names, [("C3", "C4")], keep_channels=False)
    assert (appended.n_in_chans, appended.n_out_chans, only.n_out_chans) == (3, 5, 1)
    expected = torch.tensor([[[1.0, 2.0], [10.0, 20.0], [100.0, 200.0], [-99.0, -198.0], [9.0, 18.0]]])
    assert torch.equal(appended(signal), expected)
    assert torch.equal(only(signal), expected[:, 3:4])


def test_bipolar_differences_rejects_unknown_channel():
    with pytest.raises(CyborgError, match=r"BipolarDifferences: field 'pairs': expected channel names among "
                                          r"\['C3', 'C4'\], found 'Cz'"):
        BipolarDifferences(["C3", "C4"], [("C3", "Cz")])


def test_emg_lr_pairs_of_the_challenge_order():
    assert emg_lr_pairs(EMG_CHANNELS) == [(2 * k, 2 * k + 1) for k in range(8)]


@pytest.mark.parametrize("mode", ["sum_absdiff", "geometric_mean"])
def test_lr_invariant_emg_ignores_a_stance_flip(mode):
    transform = LRInvariantEMG.from_names(EMG_CHANNELS, mode=mode)
    signal = torch.randn(3, 16, 50, generator=torch.Generator().manual_seed(0))
    features = transform(signal)
    assert features.shape == (3, transform.n_out_chans, 50)
    assert transform.n_out_chans == (16 if mode == "sum_absdiff" else 8)
    assert torch.equal(transform(signal[:, STANCE_FLIP]), features)
    muscles_swapped = [2, 1, 0] + list(range(3, 16))
    assert not torch.equal(transform(signal[:, muscles_swapped]), features)


def test_lr_invariant_emg_known_values():
    signal = torch.tensor([[[3.0], [-12.0], [2.0], [2.0]]])
    sums = LRInvariantEMG([(0, 1), (2, 3)], n_in_chans=4)(signal)
    geometric = LRInvariantEMG([(0, 1), (2, 3)], n_in_chans=4, mode="geometric_mean")(signal)
    assert torch.equal(sums, torch.tensor([[[-9.0], [4.0], [15.0], [0.0]]]))
    assert torch.equal(geometric, torch.tensor([[[6.0], [2.0]]]))


@pytest.mark.parametrize("pairs, match", [
    ([(0, 1), (1, 2)], r"distinct channel indices in \[0, 4\)"),
    ([(0, 4)], r"distinct channel indices in \[0, 4\)"),
    ([], "a non-empty list of"),
])
def test_lr_invariant_emg_rejects_bad_pairs(pairs, match):
    with pytest.raises(CyborgError, match=match):
        LRInvariantEMG(pairs, n_in_chans=4)


def test_lr_invariant_emg_rejects_names_without_sides():
    with pytest.raises(CyborgError, match="names ending in 'R' and 'L'"):
        LRInvariantEMG.from_names(["TA", "LG"])


@pytest.mark.parametrize("name", list_models())
def test_every_model_takes_an_input_transform(name):
    transform = LRInvariantEMG([(0, 1), (2, 3)], n_in_chans=4, mode="geometric_mean")
    torch.manual_seed(0)
    model = build_model(name, n_chans=4, n_times=200, n_outputs=6, sfreq=1000.0, input_transform=transform).eval()
    signal = torch.randn(2, 4, 200, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        output = model(signal)
        assert output.shape == (2, 6)
        assert torch.equal(model(signal[:, [1, 0, 3, 2]]), output)


def test_model_rejects_transform_for_other_channel_count():
    transform = BipolarDifferences(EEG_CHANNELS, hemispheric_pairs(EEG_CHANNELS))
    with pytest.raises(CyborgError, match=r"model 'eegnet': field 'input_transform': expected a transform "
                                          r"taking n_chans=64 channels, found one taking 72"):
        build_model("eegnet", n_chans=64, n_times=250, n_outputs=3, sfreq=500.0, input_transform=transform)


def test_model_rejects_transform_without_channel_count():
    with pytest.raises(CyborgError, match="expected an nn.Module with attribute n_out_chans, or None, found ReLU"):
        build_model("tcn", n_chans=4, n_times=200, n_outputs=6, sfreq=1000.0, input_transform=torch.nn.ReLU())


def test_bipolar_transform_widens_the_first_layer():
    transform = BipolarDifferences(EEG_CHANNELS, hemispheric_pairs(EEG_CHANNELS))
    model = build_model("compact_cnn1d", n_chans=72, n_times=250, n_outputs=3, sfreq=500.0,
                        input_transform=transform)
    assert model.features[0].in_channels == 72 + 31


def test_named_input_transform_is_built_from_the_trials_channels():
    import numpy as np
    import pandas as pd

    from cyborg.challenge import EEG_CHANNELS
    from cyborg.errors import CyborgError
    from cyborg.tasks.base import Task
    from cyborg.trials import Trials

    trials = Trials(X=np.zeros((2, 72, 250), np.float32), y=np.array([0, 1]), metadata=pd.DataFrame({"trial": [0, 1]}),
                    sfreq=500.0, ch_names=list(EEG_CHANNELS), class_names=("a", "b"))
    decoder = Task().decoder_template(trials, "compact_cnn1d", {"input_transform": "hemispheric"})
    model = decoder.build()
    assert model.input_transform.n_out_chans == 72 + 31      # channels plus 31 homologous pairs
    assert model(torch.zeros(2, 72, 250)).shape == (2, 2)
    with pytest.raises(CyborgError, match="model.params.input_transform: expected one of"):
        Task().decoder_template(trials, "compact_cnn1d", {"input_transform": "banana"})
