"""Helpers of the host tests: a small competition folder, HTTP calls, a real server process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
CLASSES = ("frontside_kickturn", "backside_kickturn", "pumping")


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """``python -m cyborg.host ARGS`` from the repository, its output captured."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "cyborg.host", *args], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def make_competition(root: Path, n_per_subject: int = 20, **options) -> Path:
    """A theme 1 competition folder: 2 subjects x ``n_per_subject`` test ids, seeded labels, one open phase."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "answer").mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    rows = [f"subject{s}_{i:03d},{CLASSES[rng.integers(3)]}" for s in range(2) for i in range(n_per_subject)]
    (root / "answer" / "test_labels.csv").write_text("\n".join(rows) + "\n")
    config = {"title": "Trick test", "theme": "trick", "truth": "answer/test_labels.csv", "daily_quota": 3,
              "split": {"seed": 0, "public_fraction": 0.5}, "max_upload_bytes": 100_000,
              "rate_limit": {"requests": 1000, "per_seconds": 60},
              "phases": [{"name": "main", "start": "2020-01-01T00:00:00Z", "end": "2099-01-01T00:00:00Z"}]}
    config.update(options)
    (root / "competition.yaml").write_text(json.dumps(config))  # JSON is YAML
    return root


def truth_rows(root: Path) -> list[tuple[str, str]]:
    """The competition's truth as (id, label) rows."""
    return [tuple(line.split(",")) for line in (root / "answer" / "test_labels.csv").read_text().split()]


def submission_text(rows: list[tuple[str, str]], wrong: set[str] = frozenset()) -> bytes:
    """A submission with the true labels, except a wrong label on the ids in ``wrong``."""
    def other(label: str) -> str:
        return CLASSES[(CLASSES.index(label) + 1) % 3]
    return "".join(f"{i},{other(label) if i in wrong else label}\n" for i, label in rows).encode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url: str, method: str = "GET", token: str | None = None, data: bytes | None = None,
         timeout: float = 60) -> tuple[int, object]:
    """One HTTP request; (status, parsed JSON or text)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    text = body.decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


@dataclass
class Server:
    """A running ``serve`` process and what the tests need of it."""

    competition: Path
    database_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    admin: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.log = open(self.competition / f"server-{time.monotonic_ns()}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cyborg.host", "serve", "--competition", str(self.competition),
             "--database-url", self.database_url, "--port", str(self.port), "--log-level", "warning"],
            cwd=REPO, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, Path(self.log.name).read_text()
            try:
                if call(self.url + "/api/competition", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("server did not start: " + Path(self.log.name).read_text())

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()

    def host(self):  # noqa: ANN201
        """The same competition and database, in this process (teams, tokens, direct reads)."""
        from cyborg.host.config import load_competition
        from cyborg.host.db import open_database
        from cyborg.host.service import Host

        return Host(load_competition(self.competition), open_database(self.database_url))
