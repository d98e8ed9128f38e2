"""Export every decoder of a ``train.py`` run folder and check each against its torch original."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cyborg.challenge import EEG_CHANNELS, EEG_SFREQ, EMG_CHANNELS, EMG_N_TIMES, EMG_SFREQ, EPOCH_N_TIMES
from cyborg.errors import ExportError
from cyborg.export.onnx import export_decoder
from cyborg.online.onnx_runtime import OnnxDecoder
from cyborg.training.decoder import Decoder
from cyborg.trials import Trials
from cyborg.validation import check_option

#: Export formats (``--format``).
FORMATS = ("onnx",)
#: Input geometry of the challenge tasks, for run folders written before ``metrics.json`` recorded it.
CHALLENGE_INPUTS = {"trick": (list(EEG_CHANNELS), EEG_SFREQ, EPOCH_N_TIMES),
                    "velocity": (list(EMG_CHANNELS), EMG_SFREQ, EMG_N_TIMES)}


@dataclass
class Exported:
    """One exported decoder: its name, folder, member count and largest difference to the torch decoder."""

    name: str
    folder: Path
    n_members: int
    max_abs_diff: float


def run_input(run_dir: Path) -> tuple[list[str], float, int]:
    """Channel names, rate (Hz) and window length (samples) of a run's input, from its ``metrics.json``.

    Raises
    ------
    ExportError
        No ``metrics.json``, or one without ``input`` for a task other than the challenge's two.
    """
    path = run_dir / "metrics.json"
    if not path.is_file():
        raise ExportError(f"{run_dir}: expected a run folder of train.py (metrics.json and decoders/*.pt), "
                          f"found no metrics.json")
    metrics = json.loads(path.read_text())
    if "input" in metrics:
        return list(metrics["input"]["ch_names"]), float(metrics["input"]["sfreq"]), int(metrics["input"]["n_times"])
    if metrics.get("task") in CHALLENGE_INPUTS:
        return CHALLENGE_INPUTS[metrics["task"]]
    raise ExportError(f"{path}: field 'input': expected the input channels, rate and window length (written by "
                      f"train.py), found none for task {metrics.get('task')!r}; train the run again")


def check_parity(decoder: Decoder, exported: OnnxDecoder, n_windows: int = 8, seed: int = 0) -> float:
    """Largest absolute difference of the two decoders' outputs on random windows.

    Half the windows are marked as the test side of the ramp; the subject is
    one the decoder never saw (statistics from the windows themselves).
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_windows, len(exported.ch_names), exported.n_times)).astype(np.float32)
    sides = np.where(np.arange(n_windows) % 2 == 0, "train", "test")
    metadata = pd.DataFrame({"subject": "export-check", "session": "export-check", "side": sides})
    y = (np.zeros(n_windows, dtype=np.int64) if decoder.class_names is not None
         else np.zeros((n_windows, *decoder.target_shape), dtype=np.float32))
    trials = Trials(X=X, y=y, metadata=metadata, sfreq=exported.sfreq, ch_names=exported.ch_names,
                    class_names=decoder.class_names)
    torch_out = decoder.predict_output(trials)
    onnx_out = exported.predict_output(X, subject="export-check", session="export-check", side=list(sides))
    return float(np.max(np.abs(torch_out - onnx_out)))


def export_run(run_dir: str | Path, out: str | Path | None = None, fmt: str = "onnx") -> list[Exported]:
    """Export each ``RUN_DIR/decoders/<name>.pt`` to ``OUT/<name>/`` and check it.

    Parameters
    ----------
    run_dir : str | Path
        A run folder of ``train.py`` (``metrics.json``, ``decoders/*.pt``).
    out : str | Path | None
        Output folder; default ``RUN_DIR/<fmt>``.
    fmt : {"onnx"}
        Export format.

    Returns
    -------
    exported : list of Exported
        One per decoder, with the largest output difference to the torch
        decoder on random windows (probabilities, or kinematics in their unit).

    Raises
    ------
    ExportError
        A bad run folder (named, with what was expected) or a decoder that cannot be exported.
    """
    check_option(fmt, FORMATS, "--format", error=ExportError)
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ExportError(f"{run_dir}: expected a run folder of train.py (metrics.json and decoders/*.pt), "
                          f"found {'a file' if run_dir.exists() else 'nothing at that path'}")
    paths = sorted((run_dir / "decoders").glob("*.pt"))
    if not paths:
        raise ExportError(f"{run_dir / 'decoders'}: expected decoder files <group>.pt written by train.py, "
                          f"found none")
    ch_names, sfreq, n_times = run_input(run_dir)
    out = Path(out) if out is not None else run_dir / fmt
    exported = []
    for path in paths:
        decoder = Decoder.load(path)
        folder = export_decoder(decoder, out / path.stem, ch_names=ch_names, sfreq=sfreq, n_times=n_times,
                                name=path.stem)
        diff = check_parity(decoder, OnnxDecoder.load(folder))
        exported.append(Exported(path.stem, folder, len(decoder.members), diff))
    return exported
