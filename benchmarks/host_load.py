"""Load test of the challenge server: concurrent teams upload on loopback, then every accepted file is checked.

    python benchmarks/host_load.py [--teams 20] [--submissions 500] [--database-url URL_OF_AN_EMPTY_DATABASE]

Makes a theme 1 competition (300 test ids, the synthetic default's size) in a
temporary folder, starts ``python -m cyborg.host serve`` on 127.0.0.1, registers
the teams, and runs one thread per team until exactly ``--submissions`` uploads
have been made (about one in ten is malformed, so both paths are timed). Then
it checks that every accepted submission is in the database and its file on
disk under its hash, and prints the response times (p50, p95, p99, max) and the
throughput. Exits 1 when an accepted submission is missing.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from cyborg.challenge import TRICK_CLASSES  # noqa: E402


def make_competition(root: Path, n_uploads: int) -> list[tuple[str, str]]:
    """A competition folder whose quota and rate limit never stop the load; returns the truth rows."""
    rng = np.random.default_rng(0)
    rows = [(f"subject{s}_{i:03d}", TRICK_CLASSES[rng.integers(3)]) for s in range(5) for i in range(60)]
    (root / "answer").mkdir(parents=True)
    (root / "answer" / "test_labels.csv").write_text("".join(f"{i},{label}\n" for i, label in rows))
    (root / "competition.yaml").write_text(json.dumps({
        "title": "Load test", "theme": "trick", "truth": "answer/test_labels.csv", "daily_quota": n_uploads,
        "rate_limit": {"requests": n_uploads, "per_seconds": 60},
        "phases": [{"name": "main", "start": "2020-01-01T00:00:00Z", "end": "2099-01-01T00:00:00Z"}]}))
    return rows


def upload(url: str, token: str, name: str, data: bytes) -> tuple[int, dict, float]:
    """POST one file; (status, answer, seconds)."""
    request = urllib.request.Request(f"{url}/api/submissions?filename={name}", data=data, method="POST",
                                     headers={"Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, json.loads(body), time.perf_counter() - start


def run(teams: int, submissions: int, database_url: str | None) -> int:
    """Run the load test; returns the exit code."""
    with tempfile.TemporaryDirectory(prefix="cyborg-host-load-") as folder:
        root = Path(folder) / "competition"
        rows = make_competition(root, submissions)
        url_db = database_url or f"sqlite:///{root / 'host.sqlite3'}"
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen([sys.executable, "-m", "cyborg.host", "serve", "--competition", str(root),
                                   "--database-url", url_db, "--port", str(port), "--log-level", "warning"],
                                  cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            from cyborg.host.config import load_competition
            from cyborg.host.db import open_database
            from cyborg.host.service import Host

            host = Host(load_competition(root), open_database(url_db))
            tokens = [host.add_team(f"team{k:02d}") for k in range(teams)]
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"{url}/api/competition", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            counter = itertools.count()
            results: list[tuple[int, int, float, str]] = []  # (status, id, seconds, sha256)
            lock = threading.Lock()

            def team_loop(team: int) -> None:
                rng = np.random.default_rng(team)
                while (k := next(counter)) < submissions:
                    if k % 10 == 9:
                        data = b"subject0_000,not_a_trick\n"
                    else:
                        data = "".join(f"{i},{TRICK_CLASSES[rng.integers(3)] if rng.random() < 0.3 else label}\n"
                                       for i, label in rows).encode()
                    status, answer, seconds = upload(url, tokens[team], f"team{team}-{k}.csv", data)
                    with lock:
                        results.append((status, answer.get("id", -1), seconds, answer.get("sha256", "")))

            threads = [threading.Thread(target=team_loop, args=(team,)) for team in range(teams)]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=30)

        from sqlalchemy import select

        from cyborg.host.models import Submission

        with host.sessions() as session:
            stored = dict(session.execute(select(Submission.id, Submission.sha256)
                                          .where(Submission.status == "scored")).all())
        accepted = [(row_id, digest) for status, row_id, _, digest in results if status == 201]
        lost = [row_id for row_id, digest in accepted if stored.get(row_id) != digest or not host.store.holds(digest)]
        times = np.array([seconds for _, _, seconds, _ in results]) * 1000
        statuses = {status: sum(1 for s, *_ in results if s == status) for status in sorted({s for s, *_ in results})}
        print(f"{len(results)} uploads by {teams} concurrent teams in {elapsed:.1f} s "
              f"({len(results) / elapsed:.1f} per s); HTTP statuses {statuses}")
        print(f"response time ms: p50 {np.percentile(times, 50):.0f}, p95 {np.percentile(times, 95):.0f}, "
              f"p99 {np.percentile(times, 99):.0f}, max {times.max():.0f}")
        print(f"{len(accepted)} accepted; in the database and on disk: {len(accepted) - len(lost)}"
              + (f"; MISSING ids {lost[:10]}" if lost else ""))
        return 1 if lost or len(results) != submissions else 0


def main() -> None:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=20, help="concurrent teams (threads), default 20")
    parser.add_argument("--submissions", type=int, default=500, help="uploads in all, default 500")
    parser.add_argument("--database-url", help="SQLAlchemy URL of an empty database (default: SQLite in the temporary folder)")
    args = parser.parse_args()
    sys.exit(run(args.teams, args.submissions, args.database_url))


if __name__ == "__main__":
    main()
