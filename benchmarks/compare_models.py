"""Models against the classical baselines, same task, data, split and seed, in one table.

    python benchmarks/compare_models.py                      # synthetic default, both themes
    python benchmarks/compare_models.py --tasks knee_angle gestures eegmmidb
    python benchmarks/compare_models.py --tasks trick --models eegnet compact_cnn1d --extra trainer.max_epochs=10

Each row is one ``python train.py`` (or ``python baselines/run.py``) run in its
own process; the table is read from the runs' ``metrics.json``: the pooled
validation metric, the plain alternative (majority class / mean trajectory),
the fitting wall time and the process's peak resident memory. The Markdown
table is printed and written to ``benchmarks/results/models-<date>.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Runs compared per task by default: a model config, plus overrides where the model wants other
#: input (the task default for velocity is band-passed EMG at 2 kHz; the compact CNN takes envelopes).
MODELS = {
    "trick": ["compact_cnn1d", "eegnet", "shallow_convnet", "deep4net", "eeg_conformer"],
    "velocity": ["scalogram_cnn", "cnn_gru", "tcn", "compact_cnn1d_seq preprocessing=emg_envelope"],
    "eegmmidb": ["eegnet", "shallow_convnet", "compact_cnn1d", "deep4net"],
    "knee_angle": ["compact_cnn1d", "tcn", "cnn_gru"],
    "gestures": ["compact_cnn1d", "tcn", "cnn_gru"],
}


def run_one(task: str, run: str | None, out: Path, seed: int, extra: list[str]) -> dict:
    """One train.py run (``run`` = "model [overrides]") or the task's baseline (``run`` = None)."""
    script = "baselines/run.py" if run is None else "train.py"
    command = [sys.executable, str(REPO / script), f"task={task}", f"seed={seed}", f"hydra.run.dir={out}",
               "trainer.lightning.enable_progress_bar=false", *extra]
    if run is not None:
        model, *overrides = run.split()
        command += [f"model={model}", *overrides]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    label = run or "baseline"
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or "failed").splitlines()
        return {"task": task, "model": label, "error": lines[-1]}
    metrics = json.loads((out / "metrics.json").read_text())
    return {"task": task, "model": label if run else metrics["model"], **metrics["overall"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", default=["trick", "velocity"])
    parser.add_argument("--models", nargs="+", default=None, help="default: MODELS[task]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extra", nargs="*", default=[], help="Hydra overrides passed to every run")
    parser.add_argument("--out", type=Path, default=REPO / "outputs" / "compare")
    args = parser.parse_args()
    stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    rows = []
    for task in args.tasks:
        for run in [None, *(args.models or MODELS[task])]:
            folder = (run or "baseline").split()[0]
            row = run_one(task, run, args.out / stamp / task / folder, args.seed, args.extra)
            rows.append(row)
            print(json.dumps(row), flush=True)
    columns = ["task", "model", "val_accuracy", "chance_accuracy", "val_rmse", "chance_rmse",
               "val_rmse_deg", "val_pearson_r", "chance_rmse_deg", "fit_seconds", "peak_rss_mb", "error"]
    used = [c for c in columns if any(c in row for row in rows)]

    def cell(column, value):
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.1f}" if column in ("fit_seconds", "peak_rss_mb") else f"{value:.4f}"
        return str(value)

    lines = ["| " + " | ".join(used) + " |", "|" + "---|" * len(used)]
    lines += ["| " + " | ".join(cell(c, row.get(c)) for c in used) + " |" for row in rows]
    command = "python benchmarks/compare_models.py " + " ".join(sys.argv[1:])
    text = "\n".join([f"`{command.strip()}` (seed {args.seed}, {stamp})", "", *lines, ""])
    results = REPO / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"models-{stamp}.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
