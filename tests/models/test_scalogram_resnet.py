"""The scalogram ResNet: L/R invariance of its configured transform, argument checks, a learning check.

The registry-wide contract (shapes, batch independence, state dict, gradients,
export) is in test_contract.py.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from cyborg.errors import CyborgError
from cyborg.models import build_model
from cyborg.models.transforms import make_input_transform

EMG_NAMES = [f"{muscle} {side}" for muscle in ("TA", "LG", "RF", "VL", "ST", "GMAX", "EMI", "DEL") for side in "RL"]


def emg_model(**params) -> torch.nn.Module:
    torch.manual_seed(0)
    return build_model("scalogram_resnet", n_chans=16, n_times=1000, n_outputs=90, sfreq=2000.0,
                       widths=(8, 16), blocks_per_stage=1, stem_width=8, **params).eval()


def swap_sides(signal: torch.Tensor) -> torch.Tensor:
    """Swap each right channel with its left neighbour (the challenge interleaves R, L)."""
    return signal.reshape(len(signal), 8, 2, -1).flip(2).reshape(signal.shape)


@pytest.mark.parametrize("stage", ["scalogram", "signal"])
def test_geometric_mean_makes_a_stance_flip_invisible(stage):
    model = emg_model(input_transform=make_input_transform("lr_geometric_mean", EMG_NAMES),
                      transform_stage=stage)
    signal = torch.randn(2, 16, 1000, generator=torch.Generator().manual_seed(1))
    signal[:, ::2] *= 3.0  # right louder than left, so a swap changes the raw input visibly
    with torch.no_grad():
        torch.testing.assert_close(model(swap_sides(signal)), model(signal), rtol=1e-5, atol=1e-6)
        plain = emg_model()
        assert not torch.allclose(plain(swap_sides(signal)), plain(signal), rtol=1e-3, atol=1e-4)


def test_scalogram_stage_takes_the_geometric_mean_of_magnitudes():
    model = emg_model(input_transform=make_input_transform("lr_geometric_mean", EMG_NAMES), amplitude_power=1.0)
    signal = torch.randn(1, 16, 1000, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        magnitudes = model.scalogram(signal)
        expected = (magnitudes[:, ::2] * magnitudes[:, 1::2]).sqrt()
        torch.testing.assert_close(model._magnitudes(signal), expected)
    assert model.normalise.num_features == 8 * len(model.scalogram.freqs)


@pytest.mark.parametrize("params, message", [
    ({"stem_kernel": 4}, r"field 'stem_kernel': expected an odd positive kernel size, found 4"),
    ({"widths": ()}, r"expected at least one stage of at least one block, found \(\), 2"),
    ({"transform_stage": "head"}, r"transform_stage: expected one of \['signal', 'scalogram'\], found 'head'"),
])
def test_rejects_bad_hyper_parameters(params, message):
    with pytest.raises(CyborgError, match=message):
        build_model("scalogram_resnet", n_chans=16, n_times=1000, n_outputs=90, sfreq=2000.0, **params)


def planted_band_power(n_trials: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """4 channels at 1 kHz: a 40 Hz tone whose amplitude ramps, a steady 150 Hz tone, white noise.

    The target at each of 10 steps is a fixed linear map of the channels' band
    powers at that step's centre (squared 40 Hz amplitude, squared 150 Hz
    amplitude) onto 2 axes, standardised.

    Returns
    -------
    signal : torch.Tensor, shape (n_trials, 4, 250)
    targets : torch.Tensor, shape (n_trials, 20)
        10 steps x 2 axes, flattened step-major.
    """
    generator = torch.Generator().manual_seed(seed)
    t = torch.arange(250) / 1000.0
    start, end, steady = (torch.rand(n_trials, 4, 1, generator=generator) + 0.2 for _ in range(3))
    ramp = start + (end - start) * torch.linspace(0, 1, 250)
    phases = torch.rand(2, n_trials, 4, 1, generator=generator) * 2 * math.pi
    signal = (ramp * torch.sin(2 * math.pi * 40.0 * t + phases[0])
              + steady * torch.sin(2 * math.pi * 150.0 * t + phases[1])
              + 0.2 * torch.randn(n_trials, 4, 250, generator=generator))
    centres = torch.arange(10) * 25 + 12
    powers = torch.cat([ramp[:, :, centres] ** 2, (steady ** 2).expand(-1, -1, 10)], dim=1)  # (n, 8, 10)
    mixing = torch.tensor([[1.0, 0.0], [-1.0, 0.5], [0.5, 1.0], [0.0, -1.0],
                           [0.0, 1.0], [1.0, 0.0], [-0.5, 0.0], [0.0, -0.5]])
    targets = torch.einsum("nps,pa->nsa", powers, mixing)
    return signal, ((targets - 0.55) / 0.7).reshape(n_trials, 20)


def test_learns_a_target_made_of_band_powers():
    torch.manual_seed(0)
    train_signal, train_targets = planted_band_power(256, seed=1)
    test_signal, test_targets = planted_band_power(128, seed=2)
    model = build_model("scalogram_resnet", n_chans=4, n_times=250, n_outputs=20, sfreq=1000.0, n_freqs=12,
                        f_min=20.0, n_time_bins=20, stem_width=16, widths=(16, 32), blocks_per_stage=1,
                        n_head_frames=10, dropout=0.0)
    model.eval()
    with torch.no_grad():
        initial = F.mse_loss(model(test_signal), test_targets).item()
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(3)
    model.train()
    for _ in range(60):
        batch = torch.randint(0, len(train_signal), (32,), generator=generator)
        loss = F.mse_loss(model(train_signal[batch]), train_targets[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    with torch.no_grad():
        final = F.mse_loss(model(test_signal), test_targets).item()
    mean_guess = F.mse_loss(train_targets.mean(0).expand_as(test_targets), test_targets).item()
    assert final < 0.5 * initial
    assert final < 0.5 * mean_guess
