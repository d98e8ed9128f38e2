"""Split protocols as manifests of which trials went where.

A protocol maps a metadata table (one row per trial) to folds. Folds key off
metadata columns (subject, session, side), never off positions alone, and
every fold can be written out as a manifest so a run records exactly what it
trained and validated on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cyborg.errors import CyborgError
from cyborg.validation import check_option


@dataclass(frozen=True)
class Fold:
    """One train/validation split.

    Parameters
    ----------
    name : str
        Fold name, e.g. ``"val=train2"``.
    train, val : np.ndarray of int
        Row positions in the metadata table the fold was made from.
    """

    name: str
    train: np.ndarray
    val: np.ndarray


def _require(metadata: pd.DataFrame, columns: tuple[str, ...], protocol: str) -> None:
    missing = [c for c in columns if c not in metadata]
    if missing:
        raise CyborgError(f"split '{protocol}': expected metadata columns {list(columns)}, "
                          f"found {list(metadata.columns)}")


def leave_one_group_out(metadata: pd.DataFrame, column: str) -> list[Fold]:
    """One fold per value of ``column``: that value is validation, the rest train."""
    _require(metadata, (column,), f"leave-one-{column}-out")
    values = metadata[column].to_numpy()
    groups = list(dict.fromkeys(values))
    if len(groups) < 2:
        raise CyborgError(f"split leave-one-{column}-out: expected at least 2 values of '{column}', "
                          f"found {groups}")
    return [Fold(f"val={g}", np.flatnonzero(values != g), np.flatnonzero(values == g)) for g in groups]


def leave_one_session_out(metadata: pd.DataFrame) -> list[Fold]:
    """Within-subject protocol: one fold per session (use on one subject's trials)."""
    return leave_one_group_out(metadata, "session")


def leave_one_subject_out(metadata: pd.DataFrame) -> list[Fold]:
    """Cross-subject protocol: one fold per subject."""
    return leave_one_group_out(metadata, "subject")


def side_transfer(metadata: pd.DataFrame, reference_subject: str | None = None) -> list[Fold]:
    """Theme-2 protocol: train on the train side, validate on the reference subject's test side.

    Parameters
    ----------
    metadata : pandas.DataFrame
        Needs ``side`` and ``subject`` columns.
    reference_subject : str | None
        The subject recorded on both sides (``"0005"`` in the challenge).
        ``None``: the one subject with test-side trials among the training
        trials (they come from ``reference.mat``); an error when there are several.
    """
    _require(metadata, ("side", "subject"), "side-transfer")
    side = metadata["side"].to_numpy()
    subject = metadata["subject"].astype(str).to_numpy()
    if reference_subject is None:
        candidates = list(dict.fromkeys(subject[side == "test"]))
        if len(candidates) != 1:
            raise CyborgError(f"split side-transfer: expected test-side trials of one reference subject "
                              f"(split.args.reference_subject is null), found "
                              f"{candidates or 'none'}; set split.args.reference_subject")
        reference_subject = candidates[0]
    val = np.flatnonzero((side == "test") & (subject == str(reference_subject)))
    train = np.flatnonzero(side == "train")
    if val.size == 0:
        raise CyborgError(f"split side-transfer: expected test-side trials of reference subject "
                          f"'{reference_subject}', found none")
    return [Fold(f"val={reference_subject}/test-side", train, val)]


PROTOCOLS = ("leave_one_session_out", "leave_one_subject_out", "side_transfer")


def make_folds(protocol: str, metadata: pd.DataFrame, **kwargs) -> list[Fold]:
    """Folds of a named protocol (one of :data:`PROTOCOLS`)."""
    check_option(protocol, PROTOCOLS, "split.protocol")
    folds = {"leave_one_session_out": leave_one_session_out,
             "leave_one_subject_out": leave_one_subject_out,
             "side_transfer": side_transfer}[protocol](metadata, **kwargs)
    for fold in folds:
        check_disjoint(fold, metadata)
    return folds


#: Columns that identify a trial.
TRIAL_KEYS = ("subject", "session", "side", "trial", "window")


def refit_fold(n_trials: int) -> Fold:
    """The fold ``"all"`` of ``split.refit``: every one of ``n_trials`` trials to train on, none to score."""
    return Fold("all", np.arange(n_trials), np.arange(0))


def check_disjoint(fold: Fold, metadata: pd.DataFrame) -> None:
    """Raise when a trial (by its identifying metadata) is on both sides of ``fold``."""
    keys = [k for k in TRIAL_KEYS if k in metadata]
    ids = metadata[keys].astype(str).agg("/".join, axis=1).to_numpy()
    both = set(ids[fold.train]) & set(ids[fold.val])
    if both:
        raise CyborgError(f"split {fold.name}: expected disjoint train and validation trials, "
                          f"found {len(both)} on both sides (e.g. {sorted(both)[0]})")


def manifest(folds: list[Fold], metadata: pd.DataFrame) -> pd.DataFrame:
    """One row per (fold, trial) with its role, for saving next to a run."""
    keys = [k for k in TRIAL_KEYS if k in metadata]
    parts = []
    for fold in folds:
        for role, rows in (("train", fold.train), ("val", fold.val)):
            part = metadata.iloc[rows][keys].copy()
            part.insert(0, "role", role)
            part.insert(0, "fold", fold.name)
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def iter_groups(metadata: pd.DataFrame, column: str | None) -> Iterator[tuple[str, np.ndarray]]:
    """(value, row positions) per value of ``column``; one group ``"all"`` when ``None``."""
    if column is None:
        yield "all", np.arange(len(metadata))
        return
    for value, rows in metadata.groupby(column, sort=True).indices.items():
        yield str(value), np.asarray(rows)
