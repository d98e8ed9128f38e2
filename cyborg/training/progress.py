"""One console line per fitted member (network or classical), with an estimate of the time left in the run.

A run fits many small Lightning models (one per fold, subject and seed). Per-batch
progress bars written to a file or a pipe grow to megabytes; instead,
:class:`MemberLine` (a Lightning callback) reports each finished fit in one line
through the ``cyborg.training.progress`` logger::

    fit 3/6 | subject0 | val-train3 | 20 epochs | train_loss 0.4127 | 3.1 s | ETA 0:00:09

The run-wide counts live in :data:`RUN`, a module-level :class:`RunProgress`
that the caller of :func:`cyborg.experiment.run_experiment` (``train.py``, through
:func:`cyborg.cli.train_from_config`) starts with the planned fits of
:func:`planned_fits`. Without a plan (Python callers, ``model=auto``) the lines
carry a running count and no ETA.
"""

from __future__ import annotations

import datetime
import logging
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import lightning as L
import pandas as pd

from cyborg.evaluation.splits import iter_groups, make_folds

log = logging.getLogger(__name__)


def format_duration(seconds: float) -> str:
    """``"12.3 s"`` under a minute, ``"H:MM:SS"`` from a minute on."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    return str(datetime.timedelta(seconds=round(seconds)))


def member_line(done: int, total: int | None, group: str | None, fold: str, epochs: int | str,
                train_loss: float | None, seconds: float, eta_seconds: float | None) -> str:
    """The console line of one finished member fit.

    Parameters
    ----------
    done, total : int, int | None
        Fits finished so far (this one included) and planned (``None``: unknown).
    group : str | None
        Subject group of the fit (``None`` when unknown).
    fold : str
        Member name without its group prefix (the fold, a seed suffix, ``pretrain``).
    epochs : int | str
        Epochs run by a network; for a classical decoder (no epochs), its name.
    train_loss : float | None
        Training loss of the last epoch (``None`` when none was logged; not shown for a classical decoder).
    seconds : float
        Wall time of this fit.
    eta_seconds : float | None
        Estimated time left in the run (``None``: no estimate).

    Returns
    -------
    line : str
        E.g. ``"fit 3/6 | subject0 | val-train3 | 20 epochs | train_loss 0.4127 | 3.1 s | ETA 0:00:09"``,
        or ``"fit 3/6 | subject0 | val-train3 | xdawn_tangent_lda | 5.2 s | ETA 0:00:16"``.
    """
    parts = [f"fit {done}/{total}" if total else f"fit {done}"]
    parts += [group] if group is not None else []
    if isinstance(epochs, str):
        parts += [fold, epochs]
    else:
        loss = "train_loss n/a" if train_loss is None else f"train_loss {train_loss:.4f}"
        parts += [fold, f"{epochs} epoch{'' if epochs == 1 else 's'}", loss]
    parts.append(format_duration(seconds))
    parts += [] if eta_seconds is None else [f"ETA {format_duration(eta_seconds)}"]
    return " | ".join(parts)


@dataclass
class RunProgress:
    """Fits done and planned in one run; the ETA extrapolates the mean time per fit so far.

    Parameters
    ----------
    plan : dict of str to int
        Planned member fits per subject group (empty: unknown).
    done : int
        Fits finished since :meth:`start`.
    started : float
        :func:`time.perf_counter` at :meth:`start`.
    """

    plan: dict[str, int] = field(default_factory=dict)
    done: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def total(self) -> int | None:
        """Planned fits in the run, ``None`` when unknown."""
        return sum(self.plan.values()) or None

    def start(self, plan: Mapping[str, int] | None = None) -> None:
        """Reset the counts for a new run, with its planned fits per group (or none)."""
        self.plan, self.done, self.started = dict(plan or {}), 0, time.perf_counter()

    def plan_more(self, group: str | None, fits: int) -> None:
        """Add ``fits`` to a group's planned fits, once a choice made during the run decides them."""
        if group in self.plan:
            self.plan[group] += int(fits)

    def split_name(self, name: str) -> tuple[str | None, str]:
        """``(group, rest)`` of a member name ``"{group}_{fold}"`` for a planned group."""
        for group in sorted(self.plan, key=len, reverse=True):
            if name.startswith(f"{group}_"):
                return group, name[len(group) + 1:]
        return None, name

    def finish(self, name: str, epochs: int | str, train_loss: float | None, seconds: float) -> str:
        """Count one finished fit, log its line and return it (``epochs``: see :func:`member_line`)."""
        self.done += 1
        total = self.total
        eta = None
        if total is not None and self.done <= total:
            eta = (time.perf_counter() - self.started) / self.done * (total - self.done)
        group, fold = self.split_name(name)
        line = member_line(self.done, total, group, fold, epochs, train_loss, seconds, eta)
        log.info("%s", line)
        return line


#: The run in progress: :func:`cyborg.cli.train_from_config` starts it, :class:`MemberLine` counts on it.
RUN = RunProgress()


class MemberLine(L.Callback):
    """Lightning callback: one line through :data:`RUN` (or ``progress``) when a member's fit ends.

    Parameters
    ----------
    name : str
        Member name, ``"{group}_{fold}"`` as :func:`cyborg.training.fit.fit_folds` builds it.
    progress : RunProgress | None
        The run's counts; :data:`RUN` when ``None``.
    """

    def __init__(self, name: str, progress: RunProgress | None = None) -> None:
        self.name = name
        self.progress = RUN if progress is None else progress
        self.fit_started = time.perf_counter()

    def on_fit_start(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        self.fit_started = time.perf_counter()

    def on_fit_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        loss = trainer.callback_metrics.get("train_loss")
        self.progress.finish(self.name, int(trainer.current_epoch), None if loss is None else float(loss),
                             time.perf_counter() - self.fit_started)


def show_bars(requested: bool = True) -> bool:
    """Whether Lightning's progress bars are worth drawing: asked for, and stdout is a terminal."""
    return bool(requested) and sys.stdout.isatty()


def planned_fits(metadata: pd.DataFrame, split: Mapping, subject_column: str, members_per_fold: int = 1,
                 pretrain: bool = False) -> dict[str, int]:
    """Lightning member fits per subject group, as :func:`cyborg.experiment.run_experiment` makes them.

    Parameters
    ----------
    metadata : pandas.DataFrame
        The training trials' metadata.
    split : mapping
        The ``split`` config (``protocol``, ``per_subject``, ``args``, ``refit``).
    subject_column : str
        The task's subject column (groups when ``split["per_subject"]``).
    members_per_fold : int
        Members (seeds) fitted per fold.
    pretrain : bool
        Whether each group first pre-trains one model on the other groups
        (only when there are other groups).

    Returns
    -------
    plan : dict of str to int
        Fits per group, for :meth:`RunProgress.start`.
    """
    group_column = subject_column if split.get("per_subject") else None
    groups = list(iter_groups(metadata, group_column))
    plan = {}
    for group, rows in groups:
        folds = make_folds(split["protocol"], metadata.iloc[rows].reset_index(drop=True),
                           **dict(split.get("args") or {}))
        refit = int(bool(split.get("refit")))     # one more fold, on every trial, with its own pre-training
        plan[group] = ((len(folds) + refit) * int(members_per_fold)
                       + (1 + refit) * int(bool(pretrain) and len(groups) > 1))
    return plan
