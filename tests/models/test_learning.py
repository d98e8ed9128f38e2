"""One model per kind learns a planted signal within a few dozen optimisation steps."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from cyborg.models import build_model


def planted_band_power(n_trials: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """8-channel EEG-like noise at 128 Hz; class 1 (2) adds a 12 Hz burst on channels 0-1 (2-3).

    Returns
    -------
    signal : torch.Tensor, shape (n_trials, 8, 128)
    classes : torch.Tensor, shape (n_trials,)
        0, 1, 2 in turn.
    """
    generator = torch.Generator().manual_seed(seed)
    classes = torch.arange(n_trials) % 3
    signal = torch.randn(n_trials, 8, 128, generator=generator)
    phase = torch.rand(n_trials, 1, generator=generator) * 2 * math.pi
    burst = torch.sin(2 * math.pi * 12.0 * torch.arange(128) / 128.0 + phase)
    for label, channels in ((1, slice(0, 2)), (2, slice(2, 4))):
        chosen = classes == label
        signal[chosen, channels] += burst[chosen, None, :]
    return signal, classes


def planted_envelope(n_trials: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """4-channel EMG-like noise at 1 kHz whose amplitude ramps linearly; targets are linear in it.

    Each channel's envelope ramps from one random level to another over the
    200 samples; the target at each of 10 steps is a fixed linear map of the
    4 envelopes at that step's centre onto 2 axes.

    Returns
    -------
    signal : torch.Tensor, shape (n_trials, 4, 200)
    targets : torch.Tensor, shape (n_trials, 20)
        10 steps x 2 axes, flattened step-major.
    """
    generator = torch.Generator().manual_seed(seed)
    start, end = (torch.rand(n_trials, 4, 1, generator=generator) * 1.5 + 0.25 for _ in range(2))
    envelope = start + (end - start) * torch.linspace(0, 1, 200)
    signal = envelope * torch.randn(n_trials, 4, 200, generator=generator)
    mixing = torch.tensor([[1.0, -0.5], [0.5, 1.0], [-1.0, 0.5], [0.0, -1.0]])
    step_centres = torch.arange(10) * 20 + 10
    targets = torch.einsum("ncs,ca->nsa", envelope[:, :, step_centres], mixing)
    return signal, targets.reshape(n_trials, 20)


def fit(model: torch.nn.Module, signal: torch.Tensor, targets: torch.Tensor, loss_fn, n_steps: int) -> None:
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    generator = torch.Generator().manual_seed(3)
    model.train()
    for _ in range(n_steps):
        batch = torch.randint(0, len(signal), (32,), generator=generator)
        loss = loss_fn(model(signal[batch]), targets[batch])
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()


def test_eegnet_learns_planted_band_power():
    torch.manual_seed(0)
    train_signal, train_classes = planted_band_power(150, seed=1)
    test_signal, test_classes = planted_band_power(90, seed=2)
    model = build_model("eegnet", n_chans=8, n_times=128, n_outputs=3, sfreq=128.0)
    fit(model, train_signal, train_classes, F.cross_entropy, n_steps=40)
    with torch.no_grad():
        accuracy = (model(test_signal).argmax(1) == test_classes).float().mean().item()
    assert accuracy > 0.8  # chance is 1/3


def test_cnn_gru_learns_planted_envelope_relation():
    torch.manual_seed(0)
    train_signal, train_targets = planted_envelope(200, seed=1)
    test_signal, test_targets = planted_envelope(100, seed=2)
    model = build_model("cnn_gru", n_chans=4, n_times=200, n_outputs=20, sfreq=1000.0, rectify=True,
                        conv_width=32, gru_hidden=32)
    fit(model, train_signal, train_targets, F.mse_loss, n_steps=40)
    with torch.no_grad():
        error = F.mse_loss(model(test_signal), test_targets).item()
    mean_guess_error = F.mse_loss(train_targets.mean(0).expand_as(test_targets), test_targets).item()
    assert error < 0.4 * mean_guess_error
