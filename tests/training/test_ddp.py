"""Data-parallel training through Lightning's own strategy: 2 CPU processes on gloo."""

import pytest

from cyborg.preprocessing import RemoveDC
from cyborg.tasks.base import Task
from cyborg.training.fit import TrainSettings, fit_member
from helpers import planted_two_class_trials


@pytest.mark.timeout(300)
def test_ddp_two_cpu_processes_trains_a_member(tmp_path):
    trials = planted_two_class_trials(seed=0)
    decoder = Task().decoder_template(trials, "compact_cnn1d", {})
    settings = TrainSettings(max_epochs=15, lr=3e-3, batch_size=16, seed=0, selection="inner",
                             trainer={"accelerator": "cpu", "devices": 2, "strategy": "ddp_spawn",
                                      "enable_progress_bar": False})
    member = fit_member(decoder, [RemoveDC()], trials.subset(range(60)), trials.subset(range(60, 80)),
                        settings, tmp_path, "ddp")
    # the epoch was chosen on the inner split of the training trials, through the DDP checkpoint
    assert (tmp_path / "checkpoints" / "ddp" / "best.ckpt").is_file()
    decoder.members.append(member)
    held_out = trials.subset(range(60, 80))
    assert (decoder.predict(held_out) == held_out.y).mean() >= 0.8
