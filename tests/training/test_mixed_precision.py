"""Mixed precision through Lightning's own option: bf16 autocast runs on CPU as it does on GPU."""

import torch

from cyborg.preprocessing import RemoveDC
from cyborg.tasks.base import Task
from cyborg.training.fit import TrainSettings, fit_member
from helpers import planted_two_class_trials


def test_bf16_mixed_precision_trains_float32_weights_that_learn(tmp_path):
    trials = planted_two_class_trials(seed=1)
    decoder = Task().decoder_template(trials, "compact_cnn1d", {})
    settings = TrainSettings(max_epochs=15, lr=3e-3, batch_size=16, seed=0,
                             trainer={"accelerator": "cpu", "precision": "bf16-mixed",
                                      "enable_progress_bar": False})
    member = fit_member(decoder, [RemoveDC()], trials.subset(range(60)), trials.subset(range(60, 80)),
                        settings, tmp_path, "bf16")
    floating = [v for v in member.state_dict.values() if v.dtype.is_floating_point]
    assert floating and all(v.dtype == torch.float32 for v in floating)   # autocast, not a bf16 model
    decoder.members.append(member)
    held_out = trials.subset(range(60, 80))
    assert (decoder.predict(held_out) == held_out.y).mean() >= 0.8
