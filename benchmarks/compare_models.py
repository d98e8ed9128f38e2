"""Models against the classical baselines: same task, data, split and seed, one table per task.

    python benchmarks/compare_models.py            # every task: synthetic trick + velocity, real tasks
    python benchmarks/compare_models.py --tasks trick velocity
    python benchmarks/compare_models.py --tasks trick --runs "eegnet trainer.max_epochs=60"

Each row is one ``python train.py`` (or, for the baseline, ``python baselines/run.py``) process
with the task's defaults plus the row's overrides. The table is read back from each run's
``metrics.json`` (pooled out-of-fold validation metric, the plain alternative under the same split,
fitting wall time, the process's peak resident memory) and, on synthetic data, from
``hidden_test_score.json`` (the submission scored on the hidden answer, public / private).
``wall_s`` is the whole process, data loading included. Real tasks whose recordings are absent
(``../shared/data``) get one row saying so. The Markdown lands in
``benchmarks/results/models-<time>.md`` and on standard output.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Rows per task: "model [overrides]" for train.py. The baseline row (baselines/run.py) comes first.
#: Theme 1's default input is 500 Hz; the published EEG architectures run on 125 Hz windows (their
#: design rate, and 3-8x cheaper on CPU), and the compact CNN is shown at both rates. Theme 2's
#: default input is 20-450 Hz EMG at 2 kHz; the compact CNN takes 200 Hz envelopes instead.
EEG_125 = "preprocessing=eeg_window_125hz"
RUNS = {
    "trick": ["compact_cnn1d", f"compact_cnn1d {EEG_125}", f"eegnet {EEG_125}", f"shallow_convnet {EEG_125}",
              f"deep4net {EEG_125}", f"eeg_conformer {EEG_125}"],
    "velocity": ["scalogram_cnn", "cnn_gru", "tcn", "compact_cnn1d_seq preprocessing=emg_envelope"],
    "eegmmidb": ["eegnet", "shallow_convnet", "deep4net", "eeg_conformer", "compact_cnn1d"],
    "knee_angle": ["compact_cnn1d", "tcn", "cnn_gru"],
    "gestures": ["compact_cnn1d", "tcn", "cnn_gru"],
}
TASKS = list(RUNS)
METRICS = {
    "val_accuracy": "val accuracy", "chance_accuracy": "chance",
    "val_rmse": "val RMSE", "chance_rmse": "chance",
    "val_rmse_deg": "val RMSE (deg)", "val_pearson_r": "val r", "chance_rmse_deg": "chance (deg)",
}


def run_one(task: str, run: str | None, out: Path, seed: int, extra: list[str]) -> dict:
    """One train.py process (``run`` = "model [overrides]") or the task's baseline (``run`` = None)."""
    script = "baselines/run.py" if run is None else "train.py"
    command = [sys.executable, str(REPO / script), f"task={task}", f"seed={seed}", f"hydra.run.dir={out}",
               *extra]
    if run is not None:
        model, *overrides = run.split()
        command += [f"model={model}", "trainer.lightning.enable_progress_bar=false", *overrides]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    row = {"task": task, "model": run or "baseline", "seed": seed,
           "wall_s": round(time.perf_counter() - started, 1)}
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or "failed").splitlines()
        return {**row, "error": lines[-1]}
    metrics = json.loads((out / "metrics.json").read_text())
    if run is None:
        row["model"] = metrics["model"]
    row.update(metrics["overall"])
    hidden = out / "hidden_test_score.json"
    if hidden.is_file():
        score = json.loads(hidden.read_text())
        row["hidden test (public / private)"] = " / ".join(
            "none" if score[part] is None else f"{score[part]:.4f}" for part in ("public", "private"))
    return row


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def markdown(rows: list[dict]) -> list[str]:
    """One Markdown table for one task's rows (the columns its metrics have)."""
    columns = ["model", "seed", *METRICS, "hidden test (public / private)", "fit_seconds", "wall_s",
               "peak_rss_mb", "error"]
    used = [c for c in columns if any(c in row for row in rows)]

    def cell(column: str, value) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return f"{value:.1f}" if column in ("fit_seconds", "wall_s", "peak_rss_mb") else f"{value:.4f}"
        return str(value)

    lines = ["| " + " | ".join(METRICS.get(c, c) for c in used) + " |", "|" + "---|" * len(used)]
    return lines + ["| " + " | ".join(cell(c, row.get(c)) for c in used) + " |" for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", nargs="+", default=TASKS, choices=TASKS)
    parser.add_argument("--runs", nargs="+", default=None,
                        help='rows instead of RUNS[task], each "model [overrides]" (the baseline always runs)')
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--extra", nargs="*", default=[], help="Hydra overrides passed to every run")
    parser.add_argument("--out", type=Path, default=REPO / "outputs" / "compare")
    args = parser.parse_args()
    stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    command = " ".join(["python benchmarks/compare_models.py", *sys.argv[1:]])
    import torch

    text = [f"`{command}` ({stamp}; seed {args.seed}; torch {torch.__version__}, "
            f"{os.cpu_count()} CPU cores, {platform.machine()}; run folders under {shown(args.out / stamp)})", ""]
    for task in args.tasks:
        rows = []
        for run in [None, *(args.runs or RUNS[task])]:
            folder = "_".join((run or "baseline").replace("preprocessing=", "").split())
            row = run_one(task, run, args.out / stamp / task / folder, args.seed, args.extra)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if run is None and "error" in row:
                break                                   # no data for this task: one row says why
        text += [f"### {task}", "", *markdown(rows), ""]
    results = REPO / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"models-{stamp}.md").write_text("\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
