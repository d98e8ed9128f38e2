"""Leak audit of a competition's test files, before launch.

Four checks, each a row of the printed table (one row per subject where it applies):

order
    Does the test files' trial order tell the answer? Theme 1: per subject, a
    Kruskal-Wallis test of the position by class and a permutation test of
    how often neighbours share a label; theme 2: per subject, Spearman's
    correlation of the position with each mean velocity component. A finding
    when a p-value falls below ``alpha`` divided by the number of tests
    (Bonferroni). The subject itself is public by design (ids and files name it).
duplicates
    Test trials equal to a training trial: correlation >= 0.999 between
    mean-removed trials (theme 1 training epochs cut 0.2-0.7 s after each
    event, as the test epochs are; theme 2 training and reference trials).
adversarial AUC
    Can a classifier tell test from training trials on simple features
    (per-channel log variance and log line length)? Cross-validated ROC AUC of
    a logistic regression, per subject; a finding above ``max_auc``. Theme 2
    trains on the other side of the ramp by design, so there the AUC is shown
    for information and is never a finding.
split balance
    Is the public/private split balanced? Chi-square tests of public/private
    against class (theme 1) and subject; theme 2 also a Kolmogorov-Smirnov test
    of the mean speed. A finding when p < ``alpha``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cyborg.errors import ConfigError
from cyborg.host.config import Competition, load_competition
from cyborg.submission import public_mask, read_trick_submission, read_velocity_submission
from cyborg.validation import fail

#: Duplicates: trials this correlated (after removing each channel's mean) count as the same.
DUPLICATE_CORRELATION = 0.999


@dataclass(frozen=True)
class Check:
    """One row of the audit table.

    Attributes
    ----------
    check : str
        ``order``, ``duplicates``, ``adversarial AUC`` or ``split balance``.
    scope : str
        What it looked at (a subject, ``all``, ``class``, ...).
    value : str
        What it measured.
    limit : str
        What passes.
    passed : bool
        False for a finding.
    """

    check: str
    scope: str
    value: str
    limit: str
    passed: bool


@dataclass(frozen=True)
class AuditData:
    """What the checks read: trials as arrays, subjects, test ids and the truth.

    Attributes
    ----------
    train_X, test_X : np.ndarray
        Trials (n, n_chans, n_times) in the files' units.
    train_subjects, test_subjects : np.ndarray of str
        The subject of each trial.
    test_ids : np.ndarray of str
        Each test trial's submission id, in file order within each subject.
    truth : np.ndarray
        Per test id: class names (theme 1) or velocities (n, 30, 3) (theme 2).
    """

    train_X: np.ndarray
    train_subjects: np.ndarray
    test_X: np.ndarray
    test_subjects: np.ndarray
    test_ids: np.ndarray
    truth: np.ndarray


def load_trick_audit(data: Path, truth_path: Path) -> AuditData:
    """Theme 1: training epochs cut 0.2-0.7 s after each event, the test epochs, the truth by id."""
    from cyborg.challenge import EPOCH_N_TIMES, EPOCH_TMIN
    from cyborg.io.challenge_trick import load_trick

    recordings = load_trick(data)
    train, train_subjects = [], []
    for recording in recordings["train"]:
        values = recording.raw.get_data() * 1e6
        events = recording.extra["events"]
        onset = np.round((events["init_time"].to_numpy() - recording.extra["times_start_s"]) * recording.sfreq)
        start = onset.astype(int) + round(EPOCH_TMIN * recording.sfreq)
        start = start[start + EPOCH_N_TIMES <= values.shape[1]]
        train.append(values[:, start[:, None] + np.arange(EPOCH_N_TIMES)].transpose(1, 0, 2))
        train_subjects += [recording.subject] * len(start)
    if not recordings["test"]:
        fail(data / "test", None, "test files subject{k}.mat", "none", ConfigError)
    test = [recording.raw.get_data() * 1e6 for recording in recordings["test"]]
    ids = np.concatenate([recording.raw.metadata["sample_id"].to_numpy(str) for recording in recordings["test"]])
    labels = read_trick_submission(truth_path).set_index("sample_id")["label"]
    missing = [i for i in ids if i not in labels.index]
    if missing or len(labels) != len(ids):
        fail(truth_path, None, f"one label per test epoch of {data} ({len(ids)})",
             f"{len(labels)} rows" + (f", none for {missing[0]!r}" if missing else ""), ConfigError)
    return AuditData(np.concatenate(train), np.array(train_subjects), np.concatenate(test),
                     np.concatenate([[r.subject] * len(x) for r, x in zip(recordings["test"], test)]), ids,
                     labels.loc[ids].to_numpy(str))


def load_velocity_audit(data: Path, truth_path: Path) -> AuditData:
    """Theme 2: training and reference trials against the test trials, the truth by id."""
    from cyborg.challenge import submission_subject
    from cyborg.io.challenge_velocity import load_velocity

    recordings = load_velocity(data)
    train = recordings["train"] + recordings["reference"]
    if not recordings["test"]:
        fail(data / "test.mat", None, "the test trials", "no file", ConfigError)
    truth = read_velocity_submission(truth_path)
    test_X, subjects, ids, targets = [], [], [], []
    for recording in recordings["test"]:
        name = submission_subject(recording.subject)
        values = recording.raw.get_data()
        if name not in truth or len(truth[name]) != len(values):
            fail(truth_path, name, f"{len(values)} trials (as in test.mat)",
                 "none" if name not in truth else len(truth[name]), ConfigError)
        test_X.append(values)
        subjects += [recording.subject] * len(values)
        ids += [f"{name}/trial{i + 1}" for i in range(len(values))]
        targets.append(truth[name])
    return AuditData(np.concatenate([r.raw.get_data() for r in train]),
                     np.concatenate([[r.subject] * len(r.raw) for r in train]), np.concatenate(test_X),
                     np.array(subjects), np.array(ids), np.concatenate(targets))


def _order_checks(data: AuditData, classification: bool, alpha: float, seed: int) -> list[Check]:
    from scipy import stats

    rng = np.random.default_rng(seed)
    rows = []
    subjects = list(dict.fromkeys(data.test_subjects))
    n_tests = len(subjects) * (2 if classification else 3)
    limit = alpha / n_tests
    for subject in subjects:
        truth = data.truth[data.test_subjects == subject]
        position = np.arange(len(truth))
        if classification:
            groups = [position[truth == label] for label in np.unique(truth)]
            kruskal = stats.kruskal(*groups).pvalue if len(groups) > 1 else 1.0
            same = np.mean(truth[1:] == truth[:-1])
            shuffled = np.array([np.mean(p[1:] == p[:-1]) for p in (rng.permutation(truth) for _ in range(2000))])
            runs = (1 + np.sum(shuffled >= same)) / (1 + len(shuffled))
            p_values = {"position~class": kruskal, "neighbours alike": runs}
        else:
            means = truth.mean(axis=1)
            p_values = {f"position~mean {axis}": stats.spearmanr(position, means[:, k]).pvalue
                        for k, axis in enumerate(("vx", "vy", "vz"))}
        worst = min(p_values, key=p_values.get)
        rows.append(Check("order", subject, f"min p {p_values[worst]:.2g} ({worst})", f"p >= {limit:.2g}",
                          bool(p_values[worst] >= limit)))
    return rows


def _centred(X: np.ndarray) -> np.ndarray:
    """Trials flattened after removing each channel's mean, scaled to unit norm (float32)."""
    flat = (X - X.mean(axis=2, keepdims=True)).reshape(len(X), -1).astype(np.float32)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return flat / np.where(norms > 0, norms, 1)


def _duplicate_checks(data: AuditData) -> list[Check]:
    test = _centred(data.test_X)
    best = np.full(len(test), -1.0, dtype=np.float32)
    for start in range(0, len(data.train_X), 256):
        best = np.maximum(best, (test @ _centred(data.train_X[start:start + 256]).T).max(axis=1))
    copies = data.test_ids[best >= DUPLICATE_CORRELATION]
    shown = ", ".join(copies[:3]) + (f" and {len(copies) - 3} more" if len(copies) > 3 else "")
    return [Check("duplicates", "all", f"{len(copies)} test trials equal a training trial"
                  + (f" ({shown})" if len(copies) else ""), f"0 (correlation >= {DUPLICATE_CORRELATION})",
                  not len(copies))]


def _features(X: np.ndarray) -> np.ndarray:
    """Per channel: log variance and log line length of the mean-removed trial."""
    centred = X - X.mean(axis=2, keepdims=True)
    variance = np.log(centred.var(axis=2) + 1e-12)
    length = np.log(np.abs(np.diff(X, axis=2)).mean(axis=2) + 1e-12)
    return np.concatenate([variance, length], axis=1)


def _adversarial_checks(data: AuditData, max_auc: float, seed: int, informational: bool) -> list[Check]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows = []
    train_features, test_features = _features(data.train_X), _features(data.test_X)
    for subject in dict.fromkeys(data.test_subjects):
        own = data.train_subjects == subject
        features = np.concatenate([train_features[own], test_features[data.test_subjects == subject]])
        is_test = np.r_[np.zeros(own.sum()), np.ones((data.test_subjects == subject).sum())]
        if own.sum() < 5:
            rows.append(Check("adversarial AUC", subject, f"{int(own.sum())} training trials", ">= 5", False))
            continue
        model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        scores = cross_val_predict(model, features, is_test, cv=folds, method="predict_proba")[:, 1]
        auc = roc_auc_score(is_test, scores)
        if informational:
            rows.append(Check("adversarial AUC", subject, f"{auc:.3f}", "information only: the test side differs "
                              "by design", True))
        else:
            rows.append(Check("adversarial AUC", subject, f"{auc:.3f}", f"<= {max_auc}", bool(auc <= max_auc)))
    return rows


def _balance_checks(data: AuditData, competition: Competition, classification: bool,
                    alpha: float) -> list[Check]:
    from scipy import stats

    public = public_mask(data.test_ids, seed=competition.split_seed, public_fraction=competition.public_fraction)
    columns = {"subject": data.test_subjects}
    if classification:
        columns["class"] = data.truth
    rows = []
    for name, values in columns.items():
        table = pd.crosstab(values, public).to_numpy()
        p_value = stats.chi2_contingency(table).pvalue if table.shape == (table.shape[0], 2) and \
            table.shape[0] > 1 else 1.0
        shares = ", ".join(f"{v}: {np.mean(public[values == v]):.2f}" for v in np.unique(values))
        rows.append(Check("split balance", name, f"p {p_value:.2g}; public share {shares}", f"p >= {alpha}",
                          bool(p_value >= alpha)))
    if not classification:
        speed = np.linalg.norm(data.truth, axis=2).mean(axis=1)
        p_value = stats.ks_2samp(speed[public], speed[~public]).pvalue
        rows.append(Check("split balance", "mean speed", f"KS p {p_value:.2g}", f"p >= {alpha}",
                          bool(p_value >= alpha)))
    return rows


def audit_data(data: AuditData, competition: Competition, alpha: float = 0.01, max_auc: float = 0.75,
               seed: int = 0) -> list[Check]:
    """Run the four checks on loaded arrays.

    Parameters
    ----------
    data : AuditData
        The trials and the truth.
    competition : Competition
        Its theme, split seed and public fraction.
    alpha : float
        Significance level of the order and balance tests.
    max_auc : float
        Highest adversarial-validation AUC that passes.
    seed : int
        Seed of the permutations and folds.

    Returns
    -------
    list of Check
    """
    classification = competition.theme == "trick"
    return [*_order_checks(data, classification, alpha, seed), *_duplicate_checks(data),
            *_adversarial_checks(data, max_auc, seed, informational=not classification), *_balance_checks(data, competition, classification, alpha)]


def audit_competition(root: str | Path) -> list[Check]:
    """Audit a competition folder: its ``data`` release against each distinct truth file of its phases.

    Raises
    ------
    ConfigError
        If ``competition.yaml`` names no ``data`` folder, or the files do not fit together.
    """
    competition = load_competition(root)
    if competition.data is None or not competition.data.is_dir():
        fail(competition.root / "competition.yaml", "data", "the participants' release folder (train and test "
             "files) to audit", "no key 'data'" if competition.data is None else f"no folder {competition.data}",
             ConfigError)
    load = load_trick_audit if competition.theme == "trick" else load_velocity_audit
    checks: list[Check] = []
    for truth in dict.fromkeys(phase.truth for phase in competition.phases):
        checks += audit_data(load(competition.data, truth), competition)
    return checks


def format_table(checks: Sequence[Check]) -> str:
    """The checks as an aligned text table, findings marked ``FINDING``."""
    header = ("check", "scope", "measured", "passes when", "result")
    rows = [header] + [(c.check, c.scope, c.value, c.limit, "ok" if c.passed else "FINDING") for c in checks]
    widths = [max(len(row[k]) for row in rows) for k in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)
