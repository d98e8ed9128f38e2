"""Run reports: per-subject tables, confusion matrices, velocity traces, learning curves.

Everything is written into the run folder as PNG plus one Markdown summary.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def confusion_matrix_png(y_true: np.ndarray, y_pred: np.ndarray, class_names: tuple[str, ...],
                         path: Path, title: str = "") -> Path:
    """Row-normalised confusion matrix of out-of-fold predictions (counts printed in the cells)."""
    from sklearn.metrics import confusion_matrix

    plt = _pyplot()
    counts = confusion_matrix(y_true, y_pred, labels=range(len(class_names)))
    rates = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(4.2, 3.8))
    ax.imshow(rates, vmin=0, vmax=1, cmap="Blues")
    for (i, j), value in np.ndenumerate(counts):
        ax.text(j, i, str(value), ha="center", va="center", color="white" if rates[i, j] > 0.5 else "black")
    short = [name.replace("_kickturn", "") for name in class_names]
    ax.set(xticks=range(len(short)), yticks=range(len(short)), xticklabels=short, yticklabels=short,
           xlabel="predicted", ylabel="true", title=title or "confusion (validation folds)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def velocity_traces_png(y_true: np.ndarray, y_pred: np.ndarray, path: Path, sfreq: float = 60.0,
                        axes: tuple[str, ...] = ("vx", "vy", "vz"), n_trials: int = 3) -> Path:
    """True vs predicted kinematics, one row per trial, one column per axis.

    Parameters
    ----------
    y_true, y_pred : np.ndarray, shape (n_trials, n_steps, n_axes)
    sfreq : float
        Step rate in Hz (for the time axis).

    With one step per trial the first 300 trials are drawn in order as one trace.
    """
    if y_true.shape[1] == 1:  # one value per window (e.g. a joint angle): windows in order instead
        y_true, y_pred = y_true[None, :300, 0], y_pred[None, :300, 0]
        n_trials = 1
    plt = _pyplot()
    n_trials = min(n_trials, len(y_true))
    fig, grid = plt.subplots(n_trials, len(axes), figsize=(3.2 * len(axes), 2.2 * n_trials),
                             squeeze=False, sharex=True)
    t = np.arange(y_true.shape[1]) / sfreq
    for row in range(n_trials):
        for col, name in enumerate(axes):
            ax = grid[row, col]
            ax.plot(t, y_true[row, :, col], "k-", label="true")
            ax.plot(t, y_pred[row, :, col], "C1--", label="predicted")
            ax.set_title(f"trial {row}: {name}", fontsize=9)
    grid[0, 0].legend(fontsize=8)
    for ax in grid[-1]:
        ax.set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def learning_curves_png(logs_dir: Path, path: Path) -> Path | None:
    """Training loss and the validation metric per epoch for every member's CSV log."""
    files = sorted(Path(logs_dir).glob("*/metrics.csv"))
    if not files:
        return None
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    for file in files:
        log = pd.read_csv(file)
        epoch = log.groupby("epoch").mean(numeric_only=True)
        label = file.parent.name
        if "train_loss" in epoch:
            left.plot(epoch.index, epoch["train_loss"], label=label, lw=1)
        for metric in ("val_acc", "val_rmse"):
            if metric in epoch:
                right.plot(epoch.index, epoch[metric], label=label, lw=1)
                right.set_ylabel(metric)
    left.set(xlabel="epoch", ylabel="train loss")
    right.set_xlabel("epoch")
    if len(files) <= 6:
        right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def summary_markdown(task: str, model: str, per_group: pd.DataFrame, overall: dict, figures: list[Path],
                     path: Path) -> Path:
    """A Markdown page with the per-subject table, the pooled metrics and the figures."""
    lines = [f"# {task}: {model}", "", "## Per subject (validation folds)", "",
             _markdown_table(per_group), "", "## Overall", ""]
    lines += [f"- {k}: {v:.4f}" if isinstance(v, float) else f"- {k}: {v}" for k, v in overall.items()]
    lines += [""] + [f"![{figure.stem}]({figure.name})" for figure in figures]
    path.write_text("\n".join(lines) + "\n")
    return path


def _markdown_table(frame: pd.DataFrame) -> str:
    def cell(value):
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])
