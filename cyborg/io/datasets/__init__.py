"""Loaders for the public datasets used for development: real recordings -> Trials.

Each module reads one dataset into :class:`cyborg.recording.Recording` objects
and turns them into :class:`cyborg.trials.Trials` ready for training:

- :mod:`cyborg.io.datasets.eegmmidb`: PhysioNet EEG Motor Movement/Imagery,
  left vs right fist (classification).
- :mod:`cyborg.io.datasets.lower_limb`: UCI lower-limb sEMG -> knee angle
  (regression, sliding windows).
- :mod:`cyborg.io.datasets.gestures`: UCI Myo gestures (classification,
  sliding windows).

The files are not part of the repository. They are looked up under
:func:`shared_data_root`: the folder named by the ``CYBORG_SHARED_DATA``
environment variable, else ``../shared/data`` next to the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming the folder that holds the shared datasets.
SHARED_DATA_ENV = "CYBORG_SHARED_DATA"
#: How to point a command or a loader at the files, ending every "no files found" message.
DATA_ROOT_HINT = (f"set data.root=DIR on the train.py / baselines/run.py command line or the {SHARED_DATA_ENV} "
                  "environment variable, or pass root=DIR in Python")


def shared_data_root() -> Path:
    """The folder of the shared real datasets.

    Returns
    -------
    root : Path
        ``$CYBORG_SHARED_DATA`` when set, else ``<repository>/../shared/data``
        (the repository being the folder that holds the ``cyborg`` package).
        The folder may not exist (a fresh clone has no ``../shared``).
    """
    configured = os.environ.get(SHARED_DATA_ENV)
    if configured:
        return Path(configured).expanduser()
    repository = Path(__file__).resolve().parents[3]
    return (repository / ".." / "shared" / "data").resolve()
