"""The contract every registered model keeps, checked over the whole registry.

Shapes: the challenge's EEG epochs (72 ch, 250 samples at 500 Hz) and EMG trials
(16 ch, 1000 samples at 2 kHz), and two small shapes used by other tasks.
"""

from __future__ import annotations

import io
import warnings

import pytest
import torch

from cyborg.models import build_model, list_models, model_kind

EEG_SHAPE = (72, 250, 500.0)
EMG_SHAPE = (16, 1000, 2000.0)
SMALL_EEG_SHAPE = (8, 128, 128.0)
SMALL_EMG_SHAPE = (4, 200, 1000.0)
ALL_SHAPES = [EEG_SHAPE, EMG_SHAPE, SMALL_EEG_SHAPE, SMALL_EMG_SHAPE]
#: The shape each kind is checked on in full; the small shapes get the shape check only.
MAIN_SHAPES = {"eeg": [EEG_SHAPE], "emg": [EMG_SHAPE], "any": [EEG_SHAPE, EMG_SHAPE]}
#: Classification on EEG-like input, 30 steps x 3 axes of kinematics on EMG-like input.
N_OUTPUTS = {EEG_SHAPE: 3, EMG_SHAPE: 90}

MAIN_CASES = [pytest.param(name, shape, id=f"{name}-{shape[0]}x{shape[1]}")
              for name in list_models() for shape in MAIN_SHAPES[model_kind(name)]]


def make_model(name: str, shape: tuple[int, int, float], n_outputs: int, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    n_chans, n_times, sfreq = shape
    return build_model(name, n_chans=n_chans, n_times=n_times, n_outputs=n_outputs, sfreq=sfreq)


def make_input(shape: tuple[int, int, float], batch: int, seed: int = 1) -> torch.Tensor:
    """Random signal; each sample gets its own scale so batch-statistics leaks show."""
    generator = torch.Generator().manual_seed(seed)
    n_chans, n_times, _ = shape
    scales = torch.logspace(0, 1, batch)[:, None, None]
    return torch.randn(batch, n_chans, n_times, generator=generator) * scales


@pytest.mark.parametrize("n_outputs", [3, 90])
@pytest.mark.parametrize("shape", ALL_SHAPES, ids=lambda s: f"{s[0]}x{s[1]}@{s[2]:g}Hz")
@pytest.mark.parametrize("name", list_models())
def test_output_shape_and_finite(name, shape, n_outputs):
    model = make_model(name, shape, n_outputs).eval()
    with torch.no_grad():
        output = model(make_input(shape, batch=2))
    assert output.shape == (2, n_outputs)
    assert output.dtype == torch.float32
    assert torch.isfinite(output).all()


@pytest.mark.parametrize("name, shape", MAIN_CASES)
def test_eval_forward_keeps_input_and_ignores_other_samples(name, shape):
    model = make_model(name, shape, N_OUTPUTS[shape]).eval()
    signal = make_input(shape, batch=3)
    untouched = signal.clone()
    with torch.no_grad():
        batched = model(signal)
        single = torch.cat([model(signal[i:i + 1]) for i in range(3)])
    assert torch.equal(signal, untouched)
    torch.testing.assert_close(batched, single, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name, shape", MAIN_CASES)
def test_state_dict_round_trip_reproduces_outputs(name, shape):
    model = make_model(name, shape, N_OUTPUTS[shape])
    signal = make_input(shape, batch=2)
    with torch.no_grad():
        model(signal)  # one training-mode pass moves the batch-norm running statistics
    model.eval()
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    fresh = make_model(name, shape, N_OUTPUTS[shape], seed=123).eval()
    with torch.no_grad():
        expected = model(signal)
        assert not torch.equal(fresh(signal), expected)
        fresh.load_state_dict(torch.load(buffer, weights_only=True))
        assert torch.equal(fresh(signal), expected)


@pytest.mark.parametrize("name, shape", MAIN_CASES)
def test_gradients_reach_every_trainable_parameter(name, shape):
    model = make_model(name, shape, N_OUTPUTS[shape]).train()
    output = model(make_input(shape, batch=4))
    weights = torch.randn(output.shape, generator=torch.Generator().manual_seed(2))
    (output * weights).sum().backward()
    for parameter_name, parameter in model.named_parameters():
        if parameter.requires_grad:
            assert parameter.grad is not None, parameter_name
            assert torch.isfinite(parameter.grad).all(), parameter_name
            assert parameter.grad.abs().max() > 0, parameter_name


@pytest.mark.parametrize("name", list_models())
def test_exports_with_a_dynamic_batch_axis(name):
    shape = MAIN_SHAPES[model_kind(name)][0]
    model = make_model(name, shape, N_OUTPUTS[shape]).eval()
    reason = getattr(model, "export_unsupported_reason", None)
    if reason is not None:
        assert isinstance(reason, str) and reason
        return
    batch = torch.export.Dim("batch", min=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # GRU flat-weight notices, not errors
        exported = torch.export.export(model, (make_input(shape, batch=2),),
                                       dynamic_shapes={"signal": {0: batch}})
    signal = make_input(shape, batch=3, seed=5)
    with torch.no_grad():
        torch.testing.assert_close(exported.module()(signal), model(signal), rtol=1e-4, atol=1e-5)
