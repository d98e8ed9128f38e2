"""Quick checks that the synthetic data hold learnable but not trivial structure.

Run from the command line on a generated folder (it prints the folder's
scenario, from ``simulation.json``, above the table)::

    python -m cyborg.simulate.checks trick ROOT
    python -m cyborg.simulate.checks velocity ROOT

Theme 1: per subject, leave-one-session-out accuracy of tangent-space +
logistic regression on 1-40 Hz band-passed, DC-removed 0.2-0.7 s epochs, and of
the same plus a slow-potential feature (tangent space of xDAWN covariances of
the 0-5 Hz epochs), against the majority class.
Theme 2: rectified, low-passed EMG envelopes binned to the 30 velocity steps,
ridge regression, scored on the reference subject's test side after the side
mapping (swap L/R channel pairs on input, negate x, y of the prediction),
against the train-mean trajectory.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import mne
import numpy as np
from tqdm.auto import tqdm
import pandas as pd
from pyriemann.estimation import Covariances, XdawnCovariances
from pyriemann.tangentspace import TangentSpace
from scipy.signal import butter, sosfiltfilt
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from cyborg.challenge import EMG_N_TIMES, EMG_SFREQ, EPOCH_N_TIMES, EPOCH_TMIN, SIDE_SIGN, VELOCITY_SFREQ
from cyborg.io.challenge_trick import load_trick
from cyborg.evaluation.metrics import rmse_3d
from cyborg.io.challenge_velocity import load_velocity
from cyborg.simulate.folder import read_record


def trick_epochs(root: str | Path) -> dict[str, dict[str, np.ndarray]]:
    """Cut 0.2-0.7 s epochs from every training session of a theme 1 folder.

    Each epoch is filtered inside a 2 s window (-0.5 to 1.5 s around the
    event; zero-phase IIR), then cropped; events without that margin are
    skipped.

    Returns
    -------
    dict
        Subject -> ``band`` (N, 72, 250) 1-40 Hz, ``slow`` (N, 72, 25) 0-5 Hz
        decimated to 50 Hz, both with the epoch mean removed (µV); ``y``
        class index (N,); ``session`` (N,).
    """
    out: dict[str, dict[str, list]] = {}
    for recording in load_trick(root)["train"]:
        sfreq = recording.sfreq
        data = recording.raw.get_data() * 1e6
        events = recording.extra["events"]
        onset = np.round((events["init_time"].to_numpy() - recording.extra["times_start_s"]) * sfreq).astype(int)
        before, length = round(0.5 * sfreq), round(2.0 * sfreq)
        keep = (onset - before >= 0) & (onset - before + length <= data.shape[1])
        wide = data[:, (onset[keep] - before)[:, None] + np.arange(length)].transpose(1, 0, 2)
        crop = slice(before + round(EPOCH_TMIN * sfreq), before + round(EPOCH_TMIN * sfreq) + EPOCH_N_TIMES)
        band = mne.filter.filter_data(wide, sfreq, 1.0, 40.0, method="iir", verbose=False)[..., crop]
        slow = mne.filter.filter_data(wide, sfreq, None, 5.0, method="iir", verbose=False)[..., crop][..., ::10]
        parts = out.setdefault(recording.subject, {"band": [], "slow": [], "y": [], "session": []})
        parts["band"].append(band - band.mean(axis=2, keepdims=True))
        parts["slow"].append(slow - slow.mean(axis=2, keepdims=True))
        parts["y"].append(events["class_index"].to_numpy()[keep])
        parts["session"].append(np.full(int(keep.sum()), recording.session))
    return {subject: {k: np.concatenate(v) for k, v in parts.items()} for subject, parts in out.items()}


def trick_difficulty(root: str | Path) -> pd.DataFrame:
    """Leave-one-session-out accuracies per subject (see module docstring).

    Columns: ``majority`` (the training folds' most frequent class),
    ``tangent_space`` (1-40 Hz covariances, tangent space, logistic
    regression) and ``tangent_space_slow`` (the same plus the tangent space of
    xDAWN covariances of the 0-5 Hz epochs). Dead (all-zero) channels are
    dropped and channels scaled by their training-fold standard deviation.
    """
    rows = []
    for subject, epochs in tqdm(trick_epochs(root).items(), desc="subjects", unit="subject"):
        y = epochs["y"]
        hits: dict[str, list] = {"majority": [], "tangent_space": [], "tangent_space_slow": []}
        for held_out in np.unique(epochs["session"]):
            test = epochs["session"] == held_out
            train = ~test
            scale = epochs["band"][train].std(axis=(0, 2))
            alive = scale > 0
            band = epochs["band"][:, alive] / scale[alive, None]
            slow = epochs["slow"][:, alive] / scale[alive, None]
            covariances = Covariances("oas").fit_transform(band)
            band_features = TangentSpace().fit(covariances[train]).transform(covariances)
            xdawn = XdawnCovariances(nfilter=2, estimator="oas").fit(slow[train], y[train])
            slow_covariances = xdawn.transform(slow)
            slow_features = TangentSpace().fit(slow_covariances[train]).transform(slow_covariances)
            hits["majority"].append(y[test] == np.bincount(y[train]).argmax())
            for name, X in (("tangent_space", band_features),
                            ("tangent_space_slow", np.hstack([band_features, slow_features]))):
                model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=3000))
                model.fit(X[train], y[train])
                hits[name].append(model.predict(X[test]) == y[test])
        rows.append({"subject": subject, **{k: float(np.concatenate(v).mean()) for k, v in hits.items()}})
    table = pd.DataFrame(rows)
    return pd.concat([table, pd.DataFrame([{"subject": "mean", **table.drop(columns="subject").mean()}])],
                     ignore_index=True)


def envelope_features(emg: np.ndarray, n_steps: int = 30) -> np.ndarray:
    """Rectified, 10 Hz low-passed EMG averaged into the velocity steps' bins.

    Parameters
    ----------
    emg : np.ndarray, shape (N, n_chans, 1000)

    Returns
    -------
    features : np.ndarray, shape (N, n_chans, n_steps)
        Bin ``k`` holds the samples ``n`` with ``n * 60 // 2000 == k``.
    """
    rectified = np.abs(emg - emg.mean(axis=-1, keepdims=True))
    envelope = sosfiltfilt(butter(2, 10.0, fs=EMG_SFREQ, output="sos"), rectified, axis=-1)
    edges = np.searchsorted(np.arange(EMG_N_TIMES) * VELOCITY_SFREQ // EMG_SFREQ, np.arange(n_steps))
    return np.add.reduceat(envelope, edges, axis=-1) / np.diff(np.append(edges, EMG_N_TIMES))


def velocity_difficulty(root: str | Path) -> pd.DataFrame:
    """RMSE on the reference subject's test side for a few training sets (see module docstring)."""
    data = load_velocity(root)
    reference = {r.side: r for r in data["reference"]}
    swap = np.arange(16).reshape(-1, 2)[:, ::-1].ravel()
    sign = np.asarray(SIDE_SIGN, dtype=np.float32)

    def features(recording, scale: np.ndarray, swapped: bool = False) -> np.ndarray:
        values = np.log(np.maximum(envelope_features(recording.raw.get_data()) / scale, 0.0) + 0.01)
        return (values[:, swap] if swapped else values).reshape(len(values), -1)

    def scale_of(recording) -> np.ndarray:
        return np.median(envelope_features(recording.raw.get_data()), axis=(0, 2))[None, :, None]

    truth = reference["test"].targets
    training_sets = {"reference train side": [reference["train"]],
                     "all train sides": [*data["train"], reference["train"]]}
    rows = []
    for name, recordings in training_sets.items():
        X = np.concatenate([features(r, scale_of(r)) for r in recordings])
        Y = np.concatenate([r.targets for r in recordings])
        model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-1, 4, 11))).fit(X, Y.reshape(len(Y), -1))
        mean_trajectory = Y.mean(axis=0) * sign
        test_scale = scale_of(reference["test"])
        mapped = model.predict(features(reference["test"], test_scale, swapped=True)).reshape(truth.shape) * sign
        unmapped = model.predict(features(reference["test"], test_scale)).reshape(truth.shape)
        baseline = rmse_3d(truth, np.broadcast_to(mean_trajectory, truth.shape))
        rows.append({"training set": name, "train-mean RMSE": baseline,
                     "ridge RMSE (mapped)": rmse_3d(truth, mapped),
                     "ridge RMSE (unmapped)": rmse_3d(truth, unmapped),
                     "improvement (mapped)": 1.0 - rmse_3d(truth, mapped) / baseline})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("task", choices=("trick", "velocity"))
    parser.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    mne.set_log_level("ERROR")
    record = read_record(args.root)
    if record is not None:
        print(f"scenario: {record.get('scenario', 'default')}")
    table = trick_difficulty(args.root) if args.task == "trick" else velocity_difficulty(args.root)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
