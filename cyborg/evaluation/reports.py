"""Run reports: what a run was, how it scored, and a few figures.

Everything is written into the run folder. ``metrics.json`` is the record
(:func:`write_metrics`); ``report.md`` is rendered from it (:func:`render_report`),
so a later addition such as the hidden-test score (:func:`record_hidden_score`)
updates both. Figures: a confusion matrix per subject (classification), true
and predicted traces of a few trials (regression), and learning curves.
"""

from __future__ import annotations

import json
import math
import subprocess
import warnings
from collections.abc import Mapping, Sequence
from importlib import metadata as package_metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cyborg.validation import check_file

#: Distributions whose versions every run records.
PACKAGES = ("torch", "lightning", "mne", "numpy", "scikit-learn", "pyriemann", "cyborg")

#: Units of the kinematic target names the loaders write (joint angles are in degrees).
TARGET_UNITS = {"vx": "m/s", "vy": "m/s", "vz": "m/s"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def target_unit(name: str) -> str:
    """Unit of a kinematic target: m/s for the velocity axes, degrees for joint angles, else ``""``."""
    return TARGET_UNITS.get(name, "degrees" if "angle" in name else "")


def provenance(seed: int | None = None, overrides: Sequence[str] | None = None) -> dict[str, Any]:
    """What reproduces a run: seed, command-line overrides, git commit and package versions.

    Parameters
    ----------
    seed : int | None
        The run's seed (``None``: not recorded, e.g. a Python caller).
    overrides : sequence of str | None
        The command-line overrides (Hydra's ``overrides.task``); ``None`` when
        the run did not come from the command line.

    Returns
    -------
    run : dict
        ``seed``, ``overrides``, ``git_commit`` (``"not a git checkout"``
        outside one), ``git_modified`` (uncommitted changes to tracked files;
        ``None`` outside a checkout) and ``versions`` (distribution to version,
        ``"not installed"`` when absent).
    """
    repo = Path(__file__).resolve().parents[2]
    commit = _git(repo, "rev-parse", "HEAD")
    changes = None if commit is None else _git(repo, "status", "--porcelain", "--untracked-files=no")
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = package_metadata.version(name)
        except package_metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {"seed": seed, "overrides": None if overrides is None else list(overrides),
            "git_commit": commit or "not a git checkout", "git_modified": None if changes is None else bool(changes),
            "versions": versions}


def _git(repo: Path, *args: str) -> str | None:
    """Output of ``git -C repo args`` (stripped), ``None`` when git fails or is missing."""
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean recall over the classes present in ``y_true`` (predicted-only classes are left out, quietly)."""
    from sklearn.metrics import balanced_accuracy_score

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="y_pred contains classes not in y_true")
        return float(balanced_accuracy_score(y_true, y_pred))


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str],
                           groups: np.ndarray | None = None) -> dict[str, Any]:
    """Per-class precision, recall, F1 and support, and balanced accuracy (scikit-learn).

    Parameters
    ----------
    y_true, y_pred : np.ndarray of int, shape (n_trials,)
        Class indices.
    class_names : sequence of str
        Name of each class index.
    groups : np.ndarray | None
        Subject (or group) of each trial, for the balanced accuracy per group.

    Returns
    -------
    metrics : dict
        ``balanced_accuracy``, ``macro_f1``, ``per_class`` (class name to
        ``precision``, ``recall``, ``f1``, ``support``) and, with ``groups``,
        ``balanced_accuracy_per_group``.
    """
    from sklearn.metrics import classification_report

    labels = list(range(len(class_names)))
    table = classification_report(y_true, y_pred, labels=labels, target_names=list(class_names),
                                  output_dict=True, zero_division=0)
    per_class = {name: {"precision": float(table[name]["precision"]), "recall": float(table[name]["recall"]),
                        "f1": float(table[name]["f1-score"]), "support": int(table[name]["support"])}
                 for name in class_names}
    result = {"balanced_accuracy": balanced_accuracy(y_true, y_pred),
              "macro_f1": float(table["macro avg"]["f1-score"]), "per_class": per_class}
    if groups is not None:
        result["balanced_accuracy_per_group"] = {
            str(group): balanced_accuracy(y_true[groups == group], y_pred[groups == group])
            for group in pd.unique(groups)}
    return result


def confusion_matrices_png(y_true: np.ndarray, y_pred: np.ndarray, subjects: np.ndarray,
                           class_names: Sequence[str], path: Path) -> Path:
    """One row-normalised confusion matrix per subject, counts and rates in the cells.

    Parameters
    ----------
    y_true, y_pred : np.ndarray of int, shape (n_trials,)
        Out-of-fold class indices.
    subjects : np.ndarray, shape (n_trials,)
        Subject of each trial: one panel each, in sorted order.
    class_names : sequence of str
        Name of each class index.
    path : Path
        PNG to write.
    """
    from sklearn.metrics import confusion_matrix

    plt = _pyplot()
    names = sorted(pd.unique(subjects), key=str)
    n_cols = min(len(names), 5)
    n_rows = math.ceil(len(names) / n_cols)
    fig, grid = plt.subplots(n_rows, n_cols, figsize=(3.3 * n_cols + 0.6, 3.2 * n_rows), squeeze=False)
    short = [name.replace("_kickturn", "") for name in class_names]
    image = None
    for index, subject in enumerate(names):
        ax, rows = grid.flat[index], subjects == subject
        counts = confusion_matrix(y_true[rows], y_pred[rows], labels=range(len(class_names)))
        rates = counts / np.maximum(counts.sum(1, keepdims=True), 1)
        image = ax.imshow(rates, vmin=0, vmax=1, cmap="Blues")
        for (i, j), value in np.ndenumerate(counts):
            ax.text(j, i, f"{value}\n{rates[i, j]:.0%}", ha="center", va="center", fontsize=8,
                    color="white" if rates[i, j] > 0.5 else "black")
        balanced = balanced_accuracy(y_true[rows], y_pred[rows])
        ax.set_title(f"{subject} (n={int(rows.sum())})\nbalanced accuracy {balanced:.2f}", fontsize=9)
        ax.set(xticks=range(len(short)), yticks=range(len(short)), xlabel="predicted")
        ax.set_xticklabels(short, fontsize=8)
        ax.set_yticklabels(short if index % n_cols == 0 else [], fontsize=8)
        ax.set_ylabel("true" if index % n_cols == 0 else "")
    for ax in grid.flat[len(names):]:
        ax.set_visible(False)
    fig.suptitle("Confusion per subject, validation folds (cell: count, share of the true class)", fontsize=10)
    fig.colorbar(image, ax=grid.ravel().tolist(), shrink=0.8, label="share of true class")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def trial_label(row: Mapping[str, Any]) -> str:
    """``"subject0001, side test, trial 5"`` from a metadata row's subject, session, side and trial."""
    parts = [str(row["subject"])] if "subject" in row else []
    parts += [f"{key} {row[key]}" for key in ("session", "side", "trial") if key in row]
    return ", ".join(parts) or "trial"


def velocity_traces_png(y_true: np.ndarray, y_pred: np.ndarray, metadata: pd.DataFrame, path: Path,
                        sfreq: float = 60.0, axes: Sequence[str] = ("vx", "vy", "vz"),
                        n_subjects: int = 3) -> Path:
    """True vs predicted kinematics of one trial per subject (its median-error trial).

    Parameters
    ----------
    y_true, y_pred : np.ndarray, shape (n_trials, n_steps, n_axes)
        Out-of-fold targets and predictions.
    metadata : pandas.DataFrame
        One row per trial (``subject``, ``side``, ``trial``, ... name the panels).
    path : Path
        PNG to write.
    sfreq : float
        Step rate in Hz (for the time axis).
    axes : sequence of str
        Axis names; units from :func:`target_unit`.
    n_subjects : int
        Subjects drawn (one row each, the first in sorted order).

    With one step per trial (e.g. a joint angle per window) each row draws the
    subject's first 300 windows in order as one trace.
    """
    plt = _pyplot()
    metadata = metadata.reset_index(drop=True)
    subjects = metadata["subject"].astype(str) if "subject" in metadata else pd.Series("all", index=metadata.index)
    chosen = sorted(subjects.unique())[:n_subjects]
    windows = y_true.shape[1] == 1
    fig = plt.figure(figsize=(3.4 * len(axes) + (3 if windows else 0), 2.7 * len(chosen)), layout="constrained")
    rows_of_panels = np.atleast_1d(fig.subfigures(len(chosen), 1))
    for row, subject in enumerate(chosen):
        rows = np.flatnonzero(subjects.to_numpy() == subject)
        if windows:
            rows = rows[:300]
            true, pred = y_true[rows, 0], y_pred[rows, 0]
            t, title, xlabel = np.arange(len(rows)), f"{subject}: first {len(rows)} windows", "window"
        else:
            errors = np.sqrt(((y_true[rows] - y_pred[rows]) ** 2).sum(-1).mean(-1))
            pick = rows[np.argsort(errors)[len(errors) // 2]]
            true, pred = y_true[pick], y_pred[pick]
            t, xlabel = np.arange(y_true.shape[1]) / sfreq, "time (s)"
            title = f"{trial_label(metadata.iloc[pick])} (its median-error trial)"
        rows_of_panels[row].suptitle(title, fontsize=10)
        for col, (ax, name) in enumerate(zip(rows_of_panels[row].subplots(1, len(axes), squeeze=False)[0], axes)):
            ax.plot(t, true[:, col], "k-", label="true")
            ax.plot(t, pred[:, col], "C1--", label="predicted")
            unit = target_unit(name)
            ax.set_ylabel(f"{name} ({unit})" if unit else name)
            ax.set_xlabel(xlabel)
            if row == col == 0:
                ax.legend(fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def learning_curves_png(logs_dir: Path, path: Path, groups: Sequence[str], val_note: str = "") -> Path | None:
    """Training loss and the validation metric per epoch, one row per subject group, one line per member.

    Parameters
    ----------
    logs_dir : Path
        Folder of the members' CSV logs (``{group}_{member}/metrics.csv``).
    path : Path
        PNG to write.
    groups : sequence of str
        Subject groups of the run; a member belongs to the group its name starts with.
    val_note : str
        What the validation trials were (the panel title says it).

    Returns
    -------
    path : Path | None
        The PNG, or ``None`` when there is no log.
    """
    files = sorted(Path(logs_dir).glob("*/metrics.csv"))
    if not files:
        return None
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    by_group: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    for file in files:
        name = file.parent.name
        group = next((g for g in sorted(groups, key=len, reverse=True) if name.startswith(f"{g}_")), "")
        log = pd.read_csv(file).groupby("epoch").mean(numeric_only=True)
        by_group.setdefault(group, []).append((name[len(group) + 1:] if group else name, log))
    fig, grid = plt.subplots(len(by_group), 2, figsize=(9.5, 2.5 * len(by_group) + 0.4), squeeze=False)
    for (group, members), (left, right) in zip(by_group.items(), grid):
        for k, (label, log) in enumerate(members):
            style = {"label": label, "lw": 1.2, "color": f"C{k % 10}", "marker": ".", "ms": 4}
            epochs = log.index + 1
            if "train_loss" in log:
                left.plot(epochs, log["train_loss"], **style)
            for metric in ("val_acc", "val_rmse"):
                if metric in log:
                    right.plot(epochs, log[metric], **style)
                    right.set_ylabel(metric)
        left.set(ylabel="train loss", title=group or "members")
        right.set_title(f"{group} validation{f' ({val_note})' if val_note else ''}".strip(), fontsize=9)
        left.set_title(left.get_title(), fontsize=9)
        handles, labels = left.get_legend_handles_labels()
        right.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=7,
                     ncol=1 + len(members) // 9, title="fold", title_fontsize=7)
    for ax in grid.flat:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in grid[-1]:
        ax.set_xlabel("epoch")
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def write_metrics(metrics: Mapping[str, Any], run_dir: Path) -> Path:
    """Write ``metrics.json`` (NumPy scalars as numbers) and render ``report.md`` from it."""
    path = Path(run_dir) / "metrics.json"
    path.write_text(json.dumps(metrics, indent=2, default=_number))
    render_report(run_dir)
    return path


def _number(value: Any) -> float | int:
    return int(value) if isinstance(value, np.integer) else float(value)


def record_hidden_score(run_dir: Path, score: Mapping[str, Any]) -> Path:
    """Add the hidden-test score to the run's ``metrics.json`` (key ``hidden_test``) and ``report.md``."""
    path = check_file(Path(run_dir) / "metrics.json", "run record")
    metrics = json.loads(path.read_text())
    metrics["hidden_test"] = dict(score)
    return write_metrics(metrics, run_dir)


def render_report(run_dir: Path) -> Path:
    """``report.md`` from the run's ``metrics.json``: provenance, scores, per-class table, figures."""
    metrics = json.loads(check_file(Path(run_dir) / "metrics.json", "run record").read_text())
    run = metrics.get("run", {})
    overrides = run.get("overrides")
    commit = run.get("git_commit", "not recorded")
    if run.get("git_modified"):
        commit += " (with uncommitted changes)"
    lines = [f"# {metrics['task']}: {metrics['model']}", "", "## Run", "",
             f"- seed: {'not recorded' if run.get('seed') is None else run['seed']}",
             "- overrides: " + ("not recorded (not run from the command line)" if overrides is None else
                                " ".join(f"`{o}`" for o in overrides) or "none"),
             f"- git commit: {commit}",
             "- versions: " + ", ".join(f"{k} {v}" for k, v in run.get("versions", {}).items()),
             f"- selection: {metrics.get('selection', {}).get('description', 'not recorded')}",
             *([f"- refit: {metrics['selection']['refit']}"] if "refit" in metrics.get("selection", {}) else []),
             "", "## Per subject (validation folds)", "", _markdown_table(pd.DataFrame(metrics["per_subject"])),
             "", "## Overall (validation folds, pooled)", ""]
    lines += [f"- {k}: {v:.4f}" if k.startswith(("val_", "chance_")) else f"- {k}: {v}"
              for k, v in metrics["overall"].items()]
    if "classification" in metrics:
        found = metrics["classification"]
        table = pd.DataFrame([{"class": name, **values} for name, values in found["per_class"].items()])
        lines += ["", "## Per class (validation folds, pooled)", "", _markdown_table(table), "",
                  f"- balanced accuracy: {found['balanced_accuracy']:.4f}", f"- macro F1: {found['macro_f1']:.4f}"]
    if "hidden_test" in metrics:
        hidden = metrics["hidden_test"]
        private = "not shown" if hidden.get("private") is None else f"{hidden['private']:.4f} (n={hidden['n_private']})"
        lines += ["", "## Hidden test set", "",
                  f"- public {hidden['metric']}: {hidden['public']:.4f} (n={hidden['n_public']})",
                  f"- private {hidden['metric']}: {private}"]
        lines += [f"- answer: {hidden['truth']}"] if "truth" in hidden else []
    figures = metrics.get("figures", [])
    if figures:
        lines += ["", "## Figures", ""] + [f"![{Path(name).stem}]({name})" for name in figures]
    path = Path(run_dir) / "report.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def _markdown_table(frame: pd.DataFrame) -> str:
    def cell(value: Any) -> str:
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])
