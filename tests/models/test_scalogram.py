"""The fixed Morlet filter bank inside scalogram_cnn."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from cyborg.errors import CyborgError
from cyborg.models import build_model
from cyborg.models.scalogram_cnn import MorletScalogram, morlet_frequencies


def test_frequencies_are_log_spaced_and_capped_below_nyquist():
    freqs = morlet_frequencies(2000.0, 5, 10.0, 450.0)
    np.testing.assert_allclose(freqs, [10.0, 25.9, 67.1, 173.7, 450.0], rtol=2e-3)
    assert morlet_frequencies(500.0, 4, 10.0, 450.0)[-1] == pytest.approx(225.0)
    assert morlet_frequencies(128.0, 4, 10.0, 450.0)[-1] == pytest.approx(57.6)


def test_frequencies_reject_a_range_above_nyquist():
    with pytest.raises(CyborgError, match=r"field 'f_min': expected a frequency in \(0, 45\) Hz .* found 60 Hz"):
        morlet_frequencies(100.0, 8, 60.0, 450.0)


def test_sinusoid_amplitude_is_read_at_its_frequency():
    sfreq, n_times = 2000.0, 1000
    freqs = np.array([50.0, 100.0, 200.0])
    bank = MorletScalogram(sfreq, freqs, n_times, n_cycles=5.0, n_time_bins=10)
    t = torch.arange(n_times) / sfreq
    signal = (2.5 * torch.cos(2 * math.pi * 100.0 * t + 0.3)).reshape(1, 1, n_times)
    magnitude = bank(signal)
    assert magnitude.shape == (1, 1, 3, 10)
    middle = magnitude[0, 0, :, 3:7]
    torch.testing.assert_close(middle[1], torch.full((4,), 2.5), rtol=0.01, atol=0.0)
    assert (middle[0] < 0.25).all() and (middle[2] < 0.25).all()


def test_filter_bank_is_fixed_and_not_saved():
    model = build_model("scalogram_cnn", n_chans=16, n_times=1000, n_outputs=90, sfreq=2000.0)
    bank = model.scalogram
    assert len(bank.kernel_names) == 24
    assert not any(name.startswith("scalogram") for name, _ in model.named_parameters())
    assert not any(key.startswith("scalogram") for key in model.state_dict())
    # Kernels span +-3 standard deviations of the Gaussian: 10 Hz at 5 cycles -> 0.239 s either side.
    assert bank.kernel_0.shape == (2, 1, 2 * math.ceil(3 * 5 / (2 * math.pi * 10) * 2000) + 1)
    assert bank.stride == 1000 // (32 * 4)
