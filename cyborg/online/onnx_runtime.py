"""Run a decoder exported by ``python -m cyborg.export RUN_DIR --format onnx`` with numpy, scipy and onnxruntime.

This module imports nothing else from cyborg, so it can be copied alone next
to an exported folder. The folder holds ``decoder.json`` (input channels and
rate, the output spec, the side rule and, per member, the preprocessing as
plain parameters and the channel scaler's statistics) and one ONNX graph per
member (windows in, class probabilities or kinematics in physical units out).
:meth:`OnnxDecoder.predict` reproduces ``Decoder.predict`` of the saved
torch decoder: per member, preprocessing, channel scaling, centre crop and
the graph; the plain mean over members; the side rule of theme 2.

Example
-------
>>> decoder = OnnxDecoder.load("outputs/velocity/<run>/onnx/all")  # doctest: +SKIP
>>> decoder.predict(windows, subject="0001", side="test")           # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from math import gcd
from pathlib import Path
from typing import Any

import numpy as np

#: The ``format`` field of ``decoder.json`` this runtime reads, and its version.
FORMAT, VERSION = "cyborg-onnx", 1


def _per_trial(value: str | Sequence[str] | None, n: int, name: str) -> np.ndarray:
    """A metadata value for each of ``n`` trials (one value repeated, or one per trial)."""
    if value is None or isinstance(value, str):
        return np.full(n, "" if value is None else value, dtype=object)
    values = np.asarray(list(value), dtype=object)
    if values.shape != (n,):
        raise ValueError(f"{name}: expected one value or {n} values (one per window), found {len(values)}")
    return values.astype(str).astype(object)


def _groups(*columns: np.ndarray) -> list[np.ndarray]:
    """Row positions of each distinct combination of ``columns``, in order of first appearance."""
    keys = list(zip(*columns))
    order: dict[tuple, list[int]] = {}
    for row, key in enumerate(keys):
        order.setdefault(key, []).append(row)
    return [np.asarray(rows) for rows in order.values()]


def _median_std(X: np.ndarray) -> np.ndarray:
    """Median over windows of each channel's standard deviation, shape (n_chans,)."""
    return np.median(X.std(axis=-1, dtype=np.float64), axis=0)


def _inverse_sqrt_mean_cov(X: np.ndarray, shrinkage: float) -> np.ndarray:
    """``R^{-1/2}`` of the shrunk mean window covariance of ``X`` (n, n_chans, n_times), shape (n_chans, n_chans)."""
    n_chans, n_times = X.shape[1:]
    windows = X.astype(np.float64)
    mean_cov = np.einsum("nct,ndt->cd", windows, windows) / (len(X) * n_times)
    load = np.trace(mean_cov) / n_chans or 1.0
    mean_cov = (1 - shrinkage) * mean_cov + shrinkage * load * np.eye(n_chans)
    values, vectors = np.linalg.eigh(mean_cov)
    return (vectors / np.sqrt(values)) @ vectors.T


def _resample(X: np.ndarray, sfreq: float, new_sfreq: float) -> np.ndarray:
    """MNE's polyphase resampling of the last axis (``mne.filter.resample(..., method="polyphase")``)."""
    from scipy.signal import firwin, resample_poly

    ratio = Fraction(new_sfreq / sfreq).limit_denominator(1000)
    n_in = X.shape[-1]
    n_out = int(round(ratio.numerator / ratio.denominator * n_in))
    common = gcd(n_out, n_in)
    up, down = n_out // common, n_in // common
    taps = firwin(2 * 10 * max(up, down) + 1, 1.0 / max(up, down), window=("kaiser", 5.0))
    return resample_poly(X, up, down, axis=-1, window=taps, padtype="reflect")


def preprocess(X: np.ndarray, steps: list[dict[str, Any]], sfreq: float, subjects: np.ndarray,
               sessions: np.ndarray) -> np.ndarray:
    """Replay exported preprocessing steps on raw windows.

    Parameters
    ----------
    X : np.ndarray, shape (n, n_chans, n_times)
        Raw windows.
    steps : list of dict
        The ``preprocessing`` list of a member in ``decoder.json``.
    sfreq : float
        Rate of ``X`` in Hz.
    subjects, sessions : np.ndarray of str, shape (n,)
        Per-window subject and session (statistics are grouped by them).

    Returns
    -------
    X : np.ndarray of float32, shape (n, n_chans, n_times_out)
    """
    from scipy.signal import sosfilt

    for step in steps:
        kind = step["step"]
        if kind == "remove_dc":
            X = X - X.mean(axis=-1, keepdims=True, dtype=np.float64)
        elif kind == "sosfilt":
            X = sosfilt(np.asarray(step["sos"]), X.astype(np.float64), axis=-1)
        elif kind == "abs":
            X = np.abs(X)
        elif kind == "resample":
            X, sfreq = _resample(X.astype(np.float64), sfreq, step["sfreq"]), step["sfreq"]
        elif kind == "dead_channels":
            X = X.copy()
            for rows in _groups(subjects):
                bad = step["bad"].get(subjects[rows[0]])
                if bad is None:
                    std = _median_std(X[rows])
                    alive = std[std > step["flat_uv"]]
                    reference = np.median(alive) if alive.size else 0.0
                    bad = np.flatnonzero((std <= step["flat_uv"]) | (std > step["wild_ratio"] * reference))
                X[np.ix_(rows, np.asarray(bad, dtype=int))] = 0.0
        elif kind == "subject_scale":
            out = np.empty(X.shape, dtype=np.float32)
            for rows in _groups(subjects):
                scale = step["scale"].get(subjects[rows[0]])
                if scale is None:
                    scale = _median_std(X[rows])
                    scale = np.where(scale > 0, scale, 1.0)
                out[rows] = X[rows] / np.asarray(scale, dtype=np.float32)[:, None]
            X = out
        elif kind == "session_scale":
            out = np.empty(X.shape, dtype=np.float32)
            for rows in _groups(subjects, sessions):
                scale = _median_std(X[rows])
                out[rows] = X[rows] / np.where(scale > 0, scale, 1.0).astype(np.float32)[:, None]
            X = out
        elif kind == "euclidean_align":
            out = np.empty(X.shape, dtype=np.float32)
            for rows in _groups(subjects, sessions):
                whitening = _inverse_sqrt_mean_cov(X[rows], step["shrinkage"])
                out[rows] = whitening @ X[rows].astype(np.float64)
            X = out
        elif kind == "channel_divide":
            X = X / np.asarray(step["divisors"], dtype=np.float32)[:, None]
        elif kind == "spatial_filter":
            X = np.asarray(step["matrix"]) @ X.astype(np.float64)
        else:
            raise ValueError(f"preprocessing step {kind!r}: expected one of remove_dc, sosfilt, abs, resample, "
                             f"dead_channels, subject_scale, session_scale, euclidean_align, channel_divide, "
                             f"spatial_filter")
        X = X.astype(np.float32)
    return X



class _Member:
    """One exported member: preprocessing parameters, scaler statistics and an ONNX session."""

    def __init__(self, spec: dict[str, Any], folder: Path, sfreq: float, session_options: Any = None) -> None:
        import onnxruntime

        self.name = spec["name"]
        self.steps = spec["preprocessing"]
        self.mean = np.asarray(spec["scaler"]["mean"], dtype=np.float32)[:, None]
        self.scale = np.asarray(spec["scaler"]["scale"], dtype=np.float32)[:, None]
        self.sfreq = sfreq
        self.session = onnxruntime.InferenceSession(str(folder / spec["onnx"]), sess_options=session_options,
                                                    providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name

    def output(self, X: np.ndarray, subjects: np.ndarray, sessions: np.ndarray, n_times: int) -> np.ndarray:
        """Member output for raw windows: probabilities (n, n_classes) or kinematics (n, n_steps, n_axes)."""
        X = (preprocess(X, self.steps, self.sfreq, subjects, sessions) - self.mean) / self.scale
        if X.shape[-1] < n_times:
            raise ValueError(f"member {self.name}: expected windows of >= {n_times} samples after "
                             f"preprocessing, found {X.shape[-1]}")
        start = (X.shape[-1] - n_times) // 2
        X = np.ascontiguousarray(X[..., start:start + n_times], dtype=np.float32)
        return self.session.run(None, {self.input_name: X})[0]


class OnnxDecoder:
    """An exported decoder: the members' ONNX graphs and preprocessing, averaged.

    Parameters
    ----------
    spec : dict
        The content of ``decoder.json``.
    folder : Path
        The folder holding it and the members' ``.onnx`` files.
    session_options : onnxruntime.SessionOptions | None
        Passed to every member's inference session (threads, optimisation level).

    Attributes
    ----------
    ch_names : list of str
        Channel order of the windows :meth:`predict` takes.
    sfreq : float
        Their sampling rate in Hz.
    n_times : int
        Window length in samples the decoder was trained on (longer windows are centre-cropped
        after preprocessing, as the torch decoder does).
    class_names : list of str | None
        Class names (classification), else ``None``.
    target_shape : tuple of int | None
        (n_steps, n_axes) of kinematic outputs, else ``None``.
    """

    def __init__(self, spec: dict[str, Any], folder: Path, session_options: Any = None) -> None:
        if spec.get("format") != FORMAT or spec.get("version") != VERSION:
            raise ValueError(f"{folder / 'decoder.json'}: expected format {FORMAT!r} version {VERSION}, found "
                             f"{spec.get('format')!r} version {spec.get('version')}")
        self.spec = spec
        self.ch_names = list(spec["input"]["ch_names"])
        self.sfreq = float(spec["input"]["sfreq"])
        self.n_times = int(spec["input"]["n_times"])
        self.model_n_times = int(spec["model_input"]["n_times"])
        output = spec["output"]
        self.class_names = output.get("class_names")
        self.target_shape = tuple(output["target_shape"]) if output.get("target_shape") else None
        self.side = spec.get("side_transform")
        self.members = [_Member(m, folder, self.sfreq, session_options) for m in spec["members"]]

    @classmethod
    def load(cls, folder: str | Path, session_options: Any = None) -> "OnnxDecoder":
        """Read an exported folder (``decoder.json`` and the members' ``.onnx`` files)."""
        folder = Path(folder)
        path = folder / "decoder.json"
        if not path.is_file():
            raise FileNotFoundError(f"{folder}: expected a folder written by python -m cyborg.export "
                                    f"(decoder.json and member .onnx files), found no decoder.json")
        return cls(json.loads(path.read_text()), folder, session_options)

    def predict_output(self, X: np.ndarray, subject: str | Sequence[str] | None = None,
                       session: str | Sequence[str] | None = None,
                       side: str | Sequence[str] | None = None) -> np.ndarray:
        """Mean member output: probabilities (n, n_classes) or kinematics (n, n_steps, n_axes).

        Parameters
        ----------
        X : np.ndarray, shape (n, n_chans, n_times)
            Raw windows in the training unit (µV for EEG, the file's unit for EMG),
            channels in :attr:`ch_names` order, at :attr:`sfreq` Hz.
        subject, session : str | sequence of str | None
            Per-window metadata (one value for all, or one per window). A
            subject seen in training gets its training statistics (dead
            channels, scales); any other subject (or ``None``) gets statistics
            from its own windows in ``X``, as the torch decoder does.
        side : {"train", "test"} | sequence | None
            Theme 2: windows of the ``"test"`` side of the ramp are mapped to
            the train side (L/R channel pairs swapped when the decoder was
            trained so) and their velocities rotated back (x, y negated).

        Returns
        -------
        np.ndarray of float32
        """
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 3 or X.shape[1] != len(self.ch_names):
            raise ValueError(f"X: expected windows of shape (n, {len(self.ch_names)}, n_times), "
                             f"found {X.shape}")
        n = len(X)
        subjects, sessions = _per_trial(subject, n, "subject"), _per_trial(session, n, "session")
        test_side = _per_trial(side, n, "side") == "test"
        if self.side is not None and test_side.any() and self.side["swap_pairs"]:
            order = np.arange(X.shape[1])
            for a, b in self.side["swap_pairs"]:
                order[a], order[b] = b, a
            X = X.copy()
            X[test_side] = X[test_side][:, order]
        outputs = [m.output(X, subjects, sessions, self.model_n_times) for m in self.members]
        out = np.mean(outputs, axis=0, dtype=np.float64).astype(np.float32)
        if self.side is not None and test_side.any():
            out[test_side] = out[test_side] * np.asarray(self.side["sign"], dtype=np.float32)
        return out

    def predict(self, X: np.ndarray, subject: str | Sequence[str] | None = None,
                session: str | Sequence[str] | None = None,
                side: str | Sequence[str] | None = None) -> np.ndarray:
        """Class indices (n,) or kinematics (n, n_steps, n_axes); arguments as :meth:`predict_output`."""
        out = self.predict_output(X, subject, session, side)
        return out.argmax(-1) if self.class_names is not None else out
