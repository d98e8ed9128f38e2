"""The competition folder: ``competition.yaml`` and the truth file(s) it names.

::

    title: Skateboard trick classification
    theme: trick                      # trick (CSV, accuracy) or velocity (JSON, rmse_3d)
    truth: answer/test_labels.csv     # relative to the folder; never leaves the server
    data: release                     # optional: the participants' files, for the leak audit
    split: {seed: 0, public_fraction: 0.5}
    daily_quota: 5                    # valid submissions per team and UTC day
    max_upload_bytes: 20000000
    rate_limit: {requests: 30, per_seconds: 60}   # requests per token
    phases:
      - {name: main, start: 2027-01-01T00:00:00Z, end: 2027-03-01T00:00:00Z}
      - {name: final, start: ..., end: ..., truth: answer/final_labels.csv}   # a phase may have its own truth

Only ``theme``, ``truth`` and ``phases`` are required. A bad value ends in one
:class:`~cyborg.errors.ConfigError` line naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cyborg.errors import ConfigError
from cyborg.submission.score import TASKS, detect_task
from cyborg.validation import check_option, fail

#: The file a competition folder holds.
CONFIG_NAME = "competition.yaml"


@dataclass(frozen=True)
class Phase:
    """One phase of the competition.

    Attributes
    ----------
    name : str
        Its name in URLs and tables (letters, digits, ``-`` and ``_``).
    start, end : datetime.datetime
        When it opens and closes (UTC, naive).
    truth : Path
        The phase's truth file.
    """

    name: str
    start: dt.datetime
    end: dt.datetime
    truth: Path


@dataclass(frozen=True)
class Competition:
    """A competition folder, read and checked.

    Attributes
    ----------
    root : Path
        The folder.
    title, theme : str
        Its title and theme (``trick`` or ``velocity``, the library's task).
    phases : tuple of Phase
        In order of their start.
    data : Path | None
        The participants' release folder (train and test files), for the audit.
    split_seed : int
        Seed of the public / private split (:func:`cyborg.submission.public_mask`).
    public_fraction : float
        Share of the test ids on the public board.
    daily_quota : int
        Valid submissions a team may make per UTC day and phase.
    max_upload_bytes : int
        Largest accepted upload.
    rate_requests, rate_seconds : int
        At most ``rate_requests`` authenticated requests per token in any
        ``rate_seconds`` window.
    """

    root: Path
    title: str
    theme: str
    phases: tuple[Phase, ...]
    data: Path | None
    split_seed: int
    public_fraction: float
    daily_quota: int
    max_upload_bytes: int
    rate_requests: int
    rate_seconds: int

    @property
    def higher_is_better(self) -> bool:
        """True for theme 1's accuracy, False for theme 2's rmse_3d."""
        return self.theme == "trick"

    def phase(self, name: str) -> Phase:
        """The phase called ``name``.

        Raises
        ------
        ConfigError
            If there is none.
        """
        for phase in self.phases:
            if phase.name == name:
                return phase
        return check_option(name, [p.name for p in self.phases], "phase", error=ConfigError)


def _utc(value: Any, where: str, key: str) -> dt.datetime:
    """A YAML date-time (or ISO string) as a naive UTC datetime."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            fail(where, key, "an ISO date-time such as 2027-01-01T00:00:00Z", repr(value), ConfigError)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if not isinstance(value, dt.datetime):
        fail(where, key, "an ISO date-time such as 2027-01-01T00:00:00Z", repr(value), ConfigError)
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _integer(value: Any, where: str, key: str, minimum: int = 1) -> int:
    """``value`` (the value of ``key``) as an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        fail(where, key, f"an integer >= {minimum}", repr(value), ConfigError)
    return value


def _truth(root: Path, value: Any, theme: str, where: str, key: str) -> Path:
    """The truth file named by ``value``: existing, inside the folder, of the theme's format."""
    if not isinstance(value, str) or not value:
        fail(where, key, "a file name relative to the competition folder", repr(value), ConfigError)
    path = (root / value).resolve()
    if not path.is_file():
        fail(where, key, "an existing file", f"nothing at {path}", ConfigError)
    if detect_task(path) != theme:
        fail(where, key, f"a {theme} truth file", f"a {detect_task(path)} one ({path.name})", ConfigError)
    return path


def load_competition(root: str | Path) -> Competition:
    """Read and check ``ROOT/competition.yaml``.

    Parameters
    ----------
    root : str | Path
        The competition folder.

    Returns
    -------
    Competition

    Raises
    ------
    ConfigError
        If the folder, the file or one of its values is missing or wrong.
    """
    root = Path(root).resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        fail(root, None, f"a competition folder holding {CONFIG_NAME}",
             "no such folder" if not root.is_dir() else f"no {CONFIG_NAME}", ConfigError)
    where = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        fail(where, None, "YAML", f"a parse error ({str(error).splitlines()[0]})", ConfigError)
    if not isinstance(raw, dict):
        fail(where, None, "a mapping of keys", type(raw).__name__, ConfigError)
    theme = check_option(raw.get("theme"), TASKS, f"{where}: theme", error=ConfigError)
    truth = raw.get("truth")
    split = raw.get("split") or {}
    rate = raw.get("rate_limit") or {}
    if not isinstance(split, dict) or not isinstance(rate, dict):
        fail(where, "split" if not isinstance(split, dict) else "rate_limit", "a mapping", "another value",
             ConfigError)
    fraction = split.get("public_fraction", 0.5)
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        fail(where, "split.public_fraction", "a number in (0, 1)", repr(fraction), ConfigError)
    phases_raw = raw.get("phases")
    if not isinstance(phases_raw, list) or not phases_raw:
        fail(where, "phases", "a list of {name, start, end}", repr(phases_raw), ConfigError)
    phases = []
    for index, item in enumerate(phases_raw):
        key = f"phases[{index}]"
        if not isinstance(item, dict):
            fail(where, key, "a mapping {name, start, end}", repr(item), ConfigError)
        name = item.get("name")
        if not isinstance(name, str) or not name or not all(c.isalnum() or c in "-_" for c in name):
            fail(where, f"{key}.name", "a name of letters, digits, '-' and '_'", repr(name), ConfigError)
        start, end = _utc(item.get("start"), where, f"{key}.start"), _utc(item.get("end"), where, f"{key}.end")
        if end <= start:
            fail(where, f"{key}.end", f"a time after its start {start.isoformat()}", end.isoformat(), ConfigError)
        phase_truth = item.get("truth", truth)
        phases.append(Phase(name, start, end, _truth(root, phase_truth, theme, where,
                                                      f"{key}.truth" if "truth" in item else "truth")))
    if len({phase.name for phase in phases}) != len(phases):
        fail(where, "phases", "each name once", [phase.name for phase in phases], ConfigError)
    data = raw.get("data")
    if data is not None and not isinstance(data, str):
        fail(where, "data", "a folder name relative to the competition folder", repr(data), ConfigError)
    return Competition(
        root=root, title=str(raw.get("title") or root.name), theme=theme,
        phases=tuple(sorted(phases, key=lambda phase: phase.start)),
        data=None if data is None else (root / data).resolve(),
        split_seed=_integer(split.get("seed", 0), where, "split.seed", minimum=0),
        public_fraction=float(fraction),
        daily_quota=_integer(raw.get("daily_quota", 5), where, "daily_quota"),
        max_upload_bytes=_integer(raw.get("max_upload_bytes", 20_000_000), where, "max_upload_bytes"),
        rate_requests=_integer(rate.get("requests", 30), where, "rate_limit.requests"),
        rate_seconds=_integer(rate.get("per_seconds", 60), where, "rate_limit.per_seconds"))
