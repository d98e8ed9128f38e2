"""The synthetic data folder: its ``simulation.json`` record and safe (re)creation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cyborg.errors import CyborgError

#: Bump when the generated content changes for equal parameters, so cached folders are rebuilt.
#: 2: theme 2 arrays written as float64, the stance in test.mat's field [1]; theme 1 sample_submit.csv
#: holds seeded random labels (theme 1 arrays unchanged).
GENERATOR_VERSION = 2
RECORD_NAME = "simulation.json"


def read_record(root: str | Path) -> dict[str, Any] | None:
    """The parameters a synthetic folder was generated with, ``None`` if absent or unreadable."""
    record = Path(root) / RECORD_NAME
    try:
        return json.loads(record.read_text())
    except (OSError, ValueError):
        return None


def write_record(root: Path, parameters: dict[str, Any]) -> None:
    """Write ``simulation.json``; written last, so its presence marks a complete folder."""
    (root / RECORD_NAME).write_text(json.dumps(parameters, indent=2, sort_keys=True) + "\n")


def prepare_root(root: str | Path) -> Path:
    """Return an empty folder to generate into.

    An existing folder is emptied only if it is a synthetic one (it holds
    ``simulation.json``) or already empty.

    Raises
    ------
    CyborgError
        If ``root`` exists, is not empty and holds no ``simulation.json``.
    """
    root = Path(root)
    if root.exists():
        if not root.is_dir():
            raise CyborgError(f"{root}: expected a folder for synthetic data, found a file")
        if any(root.iterdir()):
            if not (root / RECORD_NAME).is_file():
                raise CyborgError(f"{root}: expected an empty folder or a synthetic one (with "
                                  f"{RECORD_NAME}), found other content; refusing to overwrite it")
            shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    return root
