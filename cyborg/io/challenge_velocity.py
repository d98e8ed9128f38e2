"""Theme 2 (CoM velocity) challenge files: read into Recordings, write back.

Layout (CHALLENGE.md 2.2): ``ROOT/train.mat``, ``ROOT/test.mat`` and
``ROOT/reference.mat``, each with one 1x1 struct per subject key (``'0001'``...).
The field names of the originals are unknown, so fields are read **by
position**:

============  ====================================================================
file          fields
============  ====================================================================
train.mat     [0] EMG (N, 16, 1000), [1] velocity (N, 3, 30), [2] stance
test.mat      [0] EMG (N, 16, 1000), [1] not empty, read as the stance by
              some code (ignored here: any value is accepted), [2] stance
reference     [0] train-side EMG, [1] train-side velocity, [2] test-side EMG,
              [3] test-side velocity, [4] stance
============  ====================================================================

Extra trailing fields are ignored. EMG values stay in the file's unit; arrays
may be float64 (as in the originals), float32 or integer.

test.mat's field [1]: CHALLENGE.md 2.2 leaves it open. Published code reads
the test stance both as field [2] and as the struct's second-to-last field
(``[-2]``, i.e. [1] of a 3-field struct, compared to ``'regular'``), and
unpacks exactly 3 fields, so the synthetic files write the stance in both [1]
and [2]; this reader takes [2] and accepts anything in [1] (an empty array
too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mne
import numpy as np
import pandas as pd

from cyborg.challenge import (EMG_CHANNELS, EMG_N_TIMES, EMG_SFREQ, VELOCITY_AXES, VELOCITY_SFREQ,
                              VELOCITY_STEPS)
from cyborg.errors import CyborgError
from cyborg.io.matfile import load_mat, save_mat
from cyborg.recording import Recording
from cyborg.validation import check_finite, check_option, fail

FILE_KINDS = ("train", "test", "reference")
STANCES = ("regular", "goofy")
#: Neutral field names the writer can use; readers never look at names.
TRAIN_FIELDS = ("emg", "velocity", "stance")
TEST_FIELDS = ("emg", "stance_copy", "stance")
REFERENCE_FIELDS = ("emg_train_side", "velocity_train_side", "emg_test_side", "velocity_test_side", "stance")
_N_FIELDS = {"train": 3, "test": 3, "reference": 5}


def load_velocity(root: str | Path) -> dict[str, list[Recording]]:
    """Read a whole theme 2 folder.

    Parameters
    ----------
    root : str | Path
        Folder holding ``train.mat`` and, when available, ``test.mat`` and
        ``reference.mat``.

    Returns
    -------
    dict
        ``"train"``, ``"test"`` and ``"reference"``: lists of Recordings (see
        :func:`read_velocity_file`), empty for a file that is absent.
    """
    root = Path(root)
    if not (root / "train.mat").is_file():
        found = sorted(p.name for p in root.iterdir()) if root.is_dir() else "no such folder"
        fail(root, None, "a folder with train.mat, test.mat and reference.mat (theme 2 layout)", found)
    return {kind: read_velocity_file(root / f"{kind}.mat", kind) if (root / f"{kind}.mat").is_file() else []
            for kind in FILE_KINDS}


def read_velocity_file(path: str | Path, kind: str) -> list[Recording]:
    """Read one theme 2 file, one Recording per subject and side.

    Parameters
    ----------
    path : str | Path
        ``train.mat``, ``test.mat`` or ``reference.mat`` (MATLAB v5 or v7.3).
    kind : {"train", "test", "reference"}
        Which layout the file has (fields by position, module docstring).

    Returns
    -------
    list of Recording
        In subject-key order; the reference file gives two per subject (side
        ``"train"`` then ``"test"``). ``raw`` is an ``mne.EpochsArray`` of
        shape (N, 16, 1000), ``'emg'`` channels named
        :data:`cyborg.challenge.EMG_CHANNELS`, sfreq 2000 Hz, values in the
        file's unit (``extra["emg_unit"] == "file unit"``), metadata columns
        ``subject``, ``side``, ``trial`` (1-based). ``targets`` is the velocity
        as (N, 30, 3) float32 in m/s (``None`` for test.mat), in the frame the
        file stores (the test side is rotated by pi about z).
    """
    check_option(kind, FILE_KINDS, "theme 2 file kind")
    path = Path(path)
    content = load_mat(path)
    subjects = sorted(content)
    if not subjects:
        fail(path, None, "one struct per subject key ('0001', ...)", "no variables")
    recordings = []
    for key in subjects:
        where = f"{path}: subject '{key}'"
        fields = _fields(content[key], where, _N_FIELDS[kind])
        stance = _stance(fields[-1] if kind == "reference" else fields[2], where,
                         4 if kind == "reference" else 2)
        names = list(_struct(content[key], where))
        common = {"key": key, "stance": stance, "path": path, "field_names": names}
        if kind == "train":
            emg = _emg(fields[0], where, 0)
            recordings.append(_recording(emg, _velocity(fields[1], len(emg), where, 1), "train", **common))
        elif kind == "test":
            recordings.append(_recording(_emg(fields[0], where, 0), None, "test", **common))
        else:
            for side, first in (("train", 0), ("test", 2)):
                emg = _emg(fields[first], where, first)
                recordings.append(_recording(emg, _velocity(fields[first + 1], len(emg), where, first + 1),
                                             side, **common))
    return recordings


def write_velocity_file(path: str | Path, subjects: Mapping[str, Sequence[Any]], version: str = "5",
                        field_names: Sequence[str] | None = None) -> Path:
    """Write one theme 2 file: one 1x1 struct per subject key.

    Parameters
    ----------
    path : str | Path
        Destination ``.mat`` file.
    subjects : Mapping[str, sequence]
        Subject key (``'0001'``) -> field values in file order: EMG arrays
        (N, 16, 1000), velocity arrays (N, 3, 30), the stance string (test.mat
        writes it as field [1] too).
    version : {"5", "7.3"}
        MATLAB file version.
    field_names : sequence of str | None
        Struct field names (e.g. :data:`TRAIN_FIELDS`); ``field0``, ``field1``
        ... when ``None``. Readers ignore them.
    """
    mapping = {}
    for key, values in subjects.items():
        names = list(field_names) if field_names is not None else [f"field{i}" for i in range(len(values))]
        if len(names) != len(values):
            fail(path, key, f"{len(names)} field values (one per field name)", len(values), CyborgError)
        mapping[key] = dict(zip(names, values))
    return save_mat(path, mapping, version=version)


def _struct(value: Any, where: str) -> dict:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]
    if not isinstance(value, dict):
        fail(where, None, "a 1x1 struct", type(value).__name__ if not isinstance(value, list)
             else f"a struct array of {len(value)} elements")
    return value


def _fields(value: Any, where: str, n_fields: int) -> list[Any]:
    fields = list(_struct(value, where).values())
    if len(fields) < n_fields:
        fail(where, None, f"a struct with at least {n_fields} fields", f"{len(fields)} fields")
    return fields


def _trial_array(value: Any, where: str, field: str, shape: tuple[int, int], n_trials: int | None) -> np.ndarray:
    expected = f"shape ({'N' if n_trials is None else n_trials}, {shape[0]}, {shape[1]})"
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "fiu":
        fail(where, field, f"a numeric array of {expected}",
             type(value).__name__ if not isinstance(value, np.ndarray) else f"dtype {value.dtype}")
    if value.ndim != 3 or value.shape[1:] != shape or (n_trials is not None and len(value) != n_trials):
        fail(where, field, expected, tuple(value.shape))
    return check_finite(value, where, field)


def _emg(value: Any, where: str, index: int) -> np.ndarray:
    return _trial_array(value, where, f"[{index}] EMG", (len(EMG_CHANNELS), EMG_N_TIMES), None)


def _velocity(value: Any, n_trials: int, where: str, index: int) -> np.ndarray:
    velocity = _trial_array(value, where, f"[{index}] velocity", (len(VELOCITY_AXES), VELOCITY_STEPS), n_trials)
    return np.ascontiguousarray(velocity.transpose(0, 2, 1), dtype=np.float32)


def _stance(value: Any, where: str, index: int) -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, np.ndarray) and value.dtype.kind == "U" and value.size == 1:
        value = str(value.item())
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in STANCES:
        fail(where, f"[{index}] stance", f"one of {list(STANCES)}", repr(value)[:60])
    return text


def _recording(emg: np.ndarray, targets: np.ndarray | None, side: str, *, key: str, stance: str,
               path: Path, field_names: list[str]) -> Recording:
    metadata = pd.DataFrame({"subject": key, "side": side, "trial": np.arange(1, len(emg) + 1)})
    info = mne.create_info(list(EMG_CHANNELS), EMG_SFREQ, "emg")
    epochs = mne.EpochsArray(emg, info, tmin=0.0, metadata=metadata, verbose=False)
    return Recording(raw=epochs, subject=key, session=path.stem, side=side, stance=stance, source=path,
                     targets=targets, target_names=VELOCITY_AXES, target_sfreq=VELOCITY_SFREQ,
                     extra={"emg_unit": "file unit", "field_names": field_names})
