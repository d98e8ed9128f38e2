"""Every candidate decoder on every data source, several seeds: mean ± sd and the rank per source.

    python benchmarks/compare_models.py                                 # everything (hours on 2 cores)
    python benchmarks/compare_models.py --sources trick:default trick:hard --seeds 0 1 2
    python benchmarks/compare_models.py --sources eegmmidb --candidates fb_logvar_lda auto
    python benchmarks/compare_models.py --resume benchmarks/results/compare-<time>.jsonl

A *source* is a synthetic simulator preset (``trick:<preset>``, ``velocity:<preset>``; the seed
also changes the generated data) or a real task in ``../shared/data`` (the seed changes only the
training). A *candidate* is ``"model [overrides]"`` for ``train.py`` (networks, classical decoders,
``auto``) or ``"baseline [overrides]"`` (``baselines/run.py``, the task's classical baseline). Each run is its own
process with the task's defaults plus the row's overrides, so every candidate sees the same split.
The score is the pooled out-of-fold metric of ``metrics.json``: no choice made by any candidate saw
it (see ``selection`` in that file). Per source, candidates are ranked by their mean over seeds
(1 = best); the summary ranks them per task by their mean rank over the task's sources (the
simulator presets of a synthetic task), among the candidates that ran on every one of them: that
is how a task's default is chosen. Rows are appended to ``benchmarks/results/compare-<time>.jsonl``
as they finish (``--resume`` skips rows already there), and the Markdown lands beside it.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]

TRICK_PRESETS = ("default", "slow_potentials", "band_power", "clean", "hard")
VELOCITY_PRESETS = ("default", "envelope", "timing", "no_swap", "swap", "hard")
#: Source name -> (task, extra overrides, whether the seed also regenerates the data).
SOURCES = {
    **{f"trick:{p}": ("trick", [f"data.synthetic.scenario={p}"], True) for p in TRICK_PRESETS},
    **{f"velocity:{p}": ("velocity", [f"data.synthetic.scenario={p}"], True) for p in VELOCITY_PRESETS},
    "eegmmidb": ("eegmmidb", [], False),
    "eegmmidb_cross": ("eegmmidb_cross", [], False),
    "knee_angle": ("knee_angle", [], False),
    "gestures": ("gestures", [], False),
}
EEG_CLASSICAL = ["xdawn_tangent_lda", "xdawn_csp_stack", "band_csp_lda", "fb_logvar_lda", "fb_logvar_lr", "fbcsp_lda",
                 "fb_tangent_space", "xdawn_tangent_space"]
#: Task family -> candidates. The defaults of the family's tasks are chosen by mean rank over its sources.
FAMILIES = {
    "eeg": (["baseline", "compact_cnn1d", "eegnet preprocessing=eeg_window_125hz", *EEG_CLASSICAL, "auto"],
            ["trick", "eegmmidb", "eegmmidb_cross"]),
    "emg_velocity": (["baseline", "scalogram_cnn", "scalogram_resnet", "emg_td_ridge", "emg_td_kernel_ridge",
                      "auto"], ["velocity"]),
    "emg_angle": (["baseline", "tcn", "emg_td_ridge", "emg_td_gbm", "auto"], ["knee_angle"]),
    "emg_gesture": (["baseline", "tcn", "emg_td_logistic", "emg_td_gbm", "emg_td_gbm preprocessing=none", "auto"],
                    ["gestures"]),
}
#: Metrics read from metrics.json, with True when higher is better.
METRICS = {"val_accuracy": True, "val_rmse": False, "val_rmse_deg": False}


def read_rows(path: Path) -> list[dict]:
    """The rows of a ``compare-<time>.jsonl`` file (one JSON object per line); exits with the bad line named."""
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            sys.exit(f"error: {path}: line {number}: expected one JSON row, found {line[:60]!r} ({error.msg})")
        if not isinstance(row, dict) or not {"source", "candidate", "seed"} <= set(row):
            sys.exit(f"error: {path}: line {number}: expected keys source, candidate, seed, found {line[:60]!r}")
        rows.append(row)
    return rows


def family_of(task: str) -> str:
    """The task family a task belongs to."""
    return next(name for name, (_, tasks) in FAMILIES.items() if task in tasks)


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def run_one(source: str, candidate: str, seed: int, out: Path, extra: list[str]) -> dict:
    """One train.py (or baselines/run.py) process; returns the row read back from its metrics.json."""
    task, overrides, seeds_data = SOURCES[source]
    model, *more = candidate.split()
    script = "baselines/run.py" if model == "baseline" else "train.py"
    command = [sys.executable, str(REPO / script), f"task={task}", f"seed={seed}", f"hydra.run.dir={out}",
               "trainer.lightning.enable_progress_bar=false", *overrides, *extra]
    if seeds_data:
        command.append(f"data.synthetic.seed={seed}")
    command += more if model == "baseline" else [f"model={model}", *more]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    row = {"source": source, "candidate": candidate, "seed": seed, "wall_s": round(time.perf_counter() - started, 1)}
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or "failed").splitlines()
        return {**row, "error": lines[-1][:300]}
    metrics = json.loads((out / "metrics.json").read_text())
    metric = next(m for m in METRICS if m in metrics["overall"])
    row.update(metric=metric, score=metrics["overall"][metric], chance=metrics["overall"].get(f"chance_{metric[4:]}"),
               fit_seconds=metrics["overall"].get("fit_seconds"),
               selection=metrics.get("selection", {}).get("rule"))
    hidden = out / "hidden_test_score.json"
    if hidden.is_file():
        row["hidden_public"] = json.loads(hidden.read_text())["public"]
    return row


def summarise(rows: list[dict], heading: str = "###") -> list[str]:
    """Markdown: one table per source (mean ± sd over seeds, rank) and the mean rank per task."""
    return source_tables(rows) + task_tables(rows, heading)


def source_ranks(rows: list[dict]) -> dict[str, dict[str, dict[str, int]]]:
    """Task -> candidate -> source -> rank of the candidate's mean over seeds on that source (1 = best)."""
    ranks = {}
    for source in dict.fromkeys(r["source"] for r in rows):
        good = [r for r in rows if r["source"] == source and "score" in r]
        if not good:
            continue
        higher = METRICS[good[0]["metric"]]
        means = {}
        for r in good:
            means.setdefault(r["candidate"], []).append(r["score"])
        order = sorted(means, key=lambda c: -np.mean(means[c]) if higher else np.mean(means[c]))
        for rank, candidate in enumerate(order, 1):
            ranks.setdefault(SOURCES[source][0], {}).setdefault(candidate, {})[source] = rank
    return ranks


def source_tables(rows: list[dict]) -> list[str]:
    """Markdown: one table per source, candidates by mean over seeds, with sd, seed count and fit time."""
    lines = []
    for source in dict.fromkeys(r["source"] for r in rows):
        good = [r for r in rows if r["source"] == source and "score" in r]
        if not good:
            lines += [f"### {source}", "", f"no result: {next(r['error'] for r in rows if r['source'] == source)}", ""]
            continue
        higher = METRICS[good[0]["metric"]]
        by_candidate = {}
        for r in good:
            by_candidate.setdefault(r["candidate"], []).append(r)
        means = {c: float(np.mean([r["score"] for r in rs])) for c, rs in by_candidate.items()}
        order = sorted(means, key=lambda c: -means[c] if higher else means[c])
        lines += [f"### {source} ({good[0]['metric']}, {'higher' if higher else 'lower'} is better)", "",
                  "| rank | candidate | mean ± sd | seeds | fit_seconds (mean) |", "|---|---|---|---|---|"]
        for rank, candidate in enumerate(order, 1):
            scores = [r["score"] for r in by_candidate[candidate]]
            fit = np.mean([r["fit_seconds"] or 0.0 for r in by_candidate[candidate]])
            lines.append(f"| {rank} | {candidate} | {np.mean(scores):.4f} ± {np.std(scores):.4f} | "
                         f"{len(scores)} | {fit:.1f} |")
        scored = {(r["candidate"], r["seed"]) for r in good}
        failed = [r for r in rows if r["source"] == source and "error" in r and (r["candidate"], r["seed"]) not in scored]
        lines += [f"- failed: {r['candidate']} seed {r['seed']}: {r['error']}" for r in failed]
        lines.append("")
    return lines


def task_tables(rows: list[dict], heading: str = "###") -> list[str]:
    """Markdown: per task, one column per source (mean ± sd (seeds)) and the mean rank over its sources.

    The mean rank counts only the candidates that ran on every source of the task, re-ranked among them.
    """
    lines = []
    for task, table in source_ranks(rows).items():
        sources = sorted({source for per in table.values() for source in per}, key=list(SOURCES).index)
        common = [c for c, per in table.items() if len(per) == len(sources)]
        reranked = {c: [] for c in common}
        for source in sources:                       # ranks among the candidates every source ran
            for rank, candidate in enumerate(sorted(common, key=lambda c: table[c][source]), 1):
                reranked[candidate].append(rank)
        lines += [f"{heading} task={task}: mean ± sd over seeds per source, mean rank", "",
                  "| candidate | " + " | ".join(sources) + " | mean rank |", "|---|" + "---|" * (len(sources) + 1)]
        for candidate in sorted(table, key=lambda c: (c not in common, np.mean(reranked.get(c, [0])))):
            cells = []
            for source in sources:
                scores = [r["score"] for r in rows if r["source"] == source and r["candidate"] == candidate
                          and "score" in r]
                cells.append(f"{np.mean(scores):.4f} ± {np.std(scores):.4f} ({len(scores)})" if scores else "")
            rank = f"{np.mean(reranked[candidate]):.2f}" if candidate in common else "not on every source"
            lines.append(f"| {candidate} | " + " | ".join(cells) + f" | {rank} |")
        chance = [np.mean([r["chance"] for r in rows if r["source"] == source and r.get("chance") is not None] or
                          [np.nan]) for source in sources]
        lines += ["| *chance (the plain alternative)* | " + " | ".join(f"{c:.4f}" for c in chance) + " | |", ""]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", nargs="+", default=list(SOURCES), choices=list(SOURCES))
    parser.add_argument("--candidates", nargs="+", default=None,
                        help='rows instead of the family\'s list, each "model [overrides]" or "baseline"')
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--extra", nargs="*", default=[], help="Hydra overrides passed to every run")
    parser.add_argument("--resume", type=Path, default=None, help="a compare-<time>.jsonl to continue")
    parser.add_argument("--out", type=Path, default=REPO / "outputs" / "compare")
    parser.add_argument("--report-only", action="store_true",
                        help="run nothing: summarise the rows of --resume (and write --readme)")
    parser.add_argument("--readme", type=Path, default=None,
                        help=f"also rewrite the per-task tables of this Markdown file between the lines "
                             f"{README_BEGIN!r} and {README_END!r}")
    args = parser.parse_args()
    if args.report_only and not (args.resume and args.resume.is_file()):
        parser.error(f"--report-only needs --resume with an existing rows file, found {args.resume}")
    stamp = datetime.datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    results = REPO / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    log_path = args.resume or results / f"compare-{stamp}.jsonl"
    rows = read_rows(log_path) if log_path.is_file() else []
    done = {(r["source"], r["candidate"], r["seed"]) for r in rows if "score" in r}   # failed rows run again
    for source in [] if args.report_only else args.sources:
        task = SOURCES[source][0]
        for candidate in args.candidates or FAMILIES[family_of(task)][0]:
            for seed in args.seeds:
                if (source, candidate, seed) in done:
                    continue
                # the folder goes into a hydra.run.dir= override: none of its grammar ("=", "[", "{", ",", ":")
                folder = re.sub(r"[^A-Za-z0-9_.-]+", "-", "_".join(candidate.replace("preprocessing=", "").split()))
                row = run_one(source, candidate, seed, args.out / stamp / source.replace(":", "-") / folder /
                              f"seed{seed}", args.extra)
                rows.append(row)
                with log_path.open("a") as handle:
                    handle.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)
                if candidate == "baseline" and "error" in row:
                    break                                   # no data for this source: one row says why
            if rows and rows[-1]["source"] == source and rows[-1]["candidate"] == "baseline" and "error" in rows[-1]:
                break
    import torch

    command = " ".join(["python benchmarks/compare_models.py", *sys.argv[1:]])
    header = [f"`{command}` ({stamp}; seeds {args.seeds}; torch {torch.__version__}, {os.cpu_count()} CPU cores, "
              f"{platform.machine()}; rows in {shown(log_path.resolve())})", ""]
    text = "\n".join(header + summarise(rows))
    log_path.with_suffix(".md").write_text(text)
    print(text)
    if args.readme:
        write_readme_tables(args.readme, rows, f"python benchmarks/compare_models.py --resume "
                                                f"{shown(log_path.resolve())} --report-only --readme {args.readme}")


README_BEGIN = "<!-- compare_models tables: begin -->"
README_END = "<!-- compare_models tables: end -->"


def write_readme_tables(path: Path, rows: list[dict], command: str) -> None:
    """Replace the lines between :data:`README_BEGIN` and :data:`README_END` of ``path`` by the task tables."""
    text = path.read_text()
    if README_BEGIN not in text or README_END not in text:
        sys.exit(f"error: {path}: expected the marker lines {README_BEGIN!r} and {README_END!r}, found "
                 f"{'neither' if README_BEGIN not in text and README_END not in text else 'only one'}")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    block = [f"Regenerated from the rows by `{command}`.", "", *task_tables(rows, heading="####")]
    path.write_text(head + README_BEGIN + "\n" + "\n".join(block).rstrip() + "\n" + README_END + tail)


if __name__ == "__main__":
    main()
