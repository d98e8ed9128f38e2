"""``kill -9`` during a burst of uploads loses no accepted submission; a restart serves the same boards."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import select

from cyborg.host.models import Submission
from cyborg.host.store import sha256

from .serving import Server, call, submission_text, truth_rows


def _burst(server: Server, tokens: list[str], rows: list, accepted: list, stop: threading.Event) -> list:
    """One uploading thread per token until ``stop``; 201 answers go to ``accepted``."""
    def upload(team: int, token: str) -> None:
        for k in range(10_000):
            if stop.is_set():
                return
            data = submission_text(rows, wrong={rows[(7 * k + team) % len(rows)][0], rows[team][0]})
            try:
                status, body = call(f"{server.url}/api/submissions?filename=t{team}-{k}.csv", "POST", token, data,
                                    timeout=10)
            except OSError:  # the server is gone
                return
            if status == 201:
                accepted.append((body["id"], body["sha256"], sha256(data)))
    threads = [threading.Thread(target=upload, args=(i, token)) for i, token in enumerate(tokens)]
    for thread in threads:
        thread.start()
    return threads


def test_kill_9_during_a_burst_loses_nothing_accepted(server_factory):
    server = server_factory(daily_quota=10_000)
    host = server.host()
    tokens = [host.add_team(f"team{i}") for i in range(4)]
    rows = truth_rows(server.competition)
    accepted: list = []
    stop = threading.Event()
    threads = _burst(server, tokens, rows, accepted, stop)
    deadline = time.monotonic() + 60
    while len(accepted) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.stop(kill=True)  # SIGKILL while the uploads are in flight
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(accepted) >= 20

    with host.sessions() as session:
        stored = {row.id: row for row in session.scalars(select(Submission)).all()}
    for submission_id, digest, sent in accepted:
        row = stored[submission_id]
        assert row.status == "scored" and row.sha256 == digest == sent
        assert host.store.holds(digest)
    checked, missing = host.verify()
    assert checked == len(stored) and missing == []  # rows committed without an answer have their files too

    board_before = host.public_board(host.board_phase())
    restarted = Server(server.competition, server.database_url).start()
    try:
        assert "every stored file present" in Path(restarted.log.name).read_text()
        status, board = call(f"{restarted.url}/api/leaderboard")
        assert [(r["team"], r["public_score"], r["submission_id"], r["entries"]) for r in board["rows"]] == \
            [(r.team, r.score, r.submission_id, r.entries) for r in board_before]
        assert len(board["rows"]) == 4
    finally:
        restarted.stop()
