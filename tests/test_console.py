"""What a run prints: one line per fitted member, no per-batch bars when stdout is not a terminal."""

import logging
import subprocess
import sys
from pathlib import Path

import lightning as L
import pandas as pd
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from cyborg.simulate.trick import simulate_trick
from cyborg.training import progress
from cyborg.training.progress import MemberLine, RunProgress, member_line, planned_fits

REPO = Path(__file__).resolve().parents[1]


class Tiny(L.LightningModule):
    def __init__(self) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(2, 1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = torch.nn.functional.mse_loss(self.layer(x), y)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_member_line_format():
    line = member_line(3, 6, "subject0", "val-train3", 20, 0.41269, 3.14, 9.4)
    assert line == "fit 3/6 | subject0 | val-train3 | 20 epochs | train_loss 0.4127 | 3.1 s | ETA 9.4 s"
    assert member_line(7, None, None, "pretrain", 1, None, 75.0, None) == \
        "fit 7 | pretrain | 1 epoch | train_loss n/a | 0:01:15"
    assert member_line(2, 6, "subject0", "val-train2", "xdawn_tangent_lda", None, 5.2, 20.8) == \
        "fit 2/6 | subject0 | val-train2 | xdawn_tangent_lda | 5.2 s | ETA 20.8 s"


def test_the_callback_logs_one_line_per_fit_with_group_fold_epochs_loss_and_eta(caplog):
    run = RunProgress()
    run.start({"subject0": 2, "subject1": 2})
    data = DataLoader(TensorDataset(torch.randn(8, 2), torch.randn(8, 1)), batch_size=4)
    with caplog.at_level(logging.INFO, logger="cyborg.training.progress"):
        for name in ("subject0_val-train1", "subject1_val-train2_seed1"):
            trainer = L.Trainer(max_epochs=3, callbacks=[MemberLine(name, run)], logger=False,
                                enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
            trainer.fit(Tiny(), data)
    lines = [record.getMessage() for record in caplog.records if record.name == "cyborg.training.progress"]
    assert len(lines) == 2
    first, second = (line.split(" | ") for line in lines)
    assert first[:4] == ["fit 1/4", "subject0", "val-train1", "3 epochs"]
    assert second[:4] == ["fit 2/4", "subject1", "val-train2_seed1", "3 epochs"]
    assert first[4].startswith("train_loss ") and float(first[4].split()[1]) > 0
    assert first[5].endswith(" s") and first[6].startswith("ETA ")


def test_the_plan_counts_folds_seeds_and_pretraining_per_subject():
    metadata = pd.DataFrame({"subject": ["a"] * 6 + ["b"] * 6, "session": ["train1", "train2", "train3"] * 4})
    split = {"protocol": "leave_one_session_out", "per_subject": True}
    assert planned_fits(metadata, split, "subject") == {"a": 3, "b": 3}
    assert planned_fits(metadata, split, "subject", members_per_fold=2, pretrain=True) == {"a": 7, "b": 7}
    assert planned_fits(metadata, {**split, "per_subject": False}, "subject", pretrain=True) == {"all": 3}


def test_bars_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    assert not progress.show_bars(True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert progress.show_bars(True) and not progress.show_bars(False)


@pytest.fixture(scope="module")
def trick_root(tmp_path_factory):
    return simulate_trick(tmp_path_factory.mktemp("trick"), n_subjects=2, events_per_session=12, n_test=10, seed=1)


@pytest.mark.parametrize("model, fourth", [("xdawn_tangent_lda", "xdawn_tangent_lda"), ("compact_cnn1d", "2 epochs")])
def test_train_piped_prints_one_line_per_fold_and_no_bars(trick_root, tmp_path, model, fourth):
    done = subprocess.run([sys.executable, str(REPO / "train.py"), f"data.root={trick_root}",
                           f"hydra.run.dir={tmp_path / 'run'}", "trainer.max_epochs=2", f"model={model}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    fits = [line.split(" - ", 1)[1] for line in done.stdout.splitlines() if "cyborg.training.progress" in line]
    folds = ["val-train1", "val-train2", "val-train3", "refit_all"]     # task=trick refits on every session last
    assert [line.split(" | ")[:4] for line in fits] == [
        [f"fit {k + 1 + 4 * s}/8", f"subject{s}", fold, fourth] for s in (0, 1) for k, fold in enumerate(folds)]
    assert "Epoch" not in done.stdout and "━" not in done.stdout
    assert "LeafSpec" not in done.stderr and "Tip" not in done.stdout + done.stderr
    assert len(done.stdout) + len(done.stderr) < 5000
    assert "- seed: 0" in (tmp_path / "run" / "report.md").read_text()
    assert "## Hidden test set" in (tmp_path / "run" / "report.md").read_text()

