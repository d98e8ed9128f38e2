"""What the server does, without HTTP: teams and tokens, phases, submissions, leaderboards.

The web application (:mod:`cyborg.host.app`) and the command line
(:mod:`cyborg.host.cli`) both call :class:`Host`. Scores come from the
library's scorer (:func:`cyborg.submission.score_submission`); a file it
refuses is an invalid submission with the scorer's one-line message.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from cyborg.cli import one_line
from cyborg.errors import CyborgError
from cyborg.host.config import Competition, Phase
from cyborg.host.models import PhaseClosure, Setting, Submission, Team
from cyborg.host.store import FileStore, sha256
from cyborg.submission import score_submission
from cyborg.validation import fail

log = logging.getLogger("cyborg.host")

#: Where accepted files are kept, inside the competition folder.
STORE_FOLDER = "submissions"
_ADMIN_KEY = "admin_token_sha256"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class HostError(CyborgError):
    """A request the server refuses; ``status`` is its HTTP status code."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def utcnow() -> dt.datetime:
    """The current time, naive UTC (as the database keeps it)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as the database keeps it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def safe_filename(name: str | None) -> str:
    """A participant's file name for display only: its last path part, ``[A-Za-z0-9._-]``, at most 100 characters."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = _UNSAFE.sub("_", base).lstrip(".")[:100]
    return base or "submission"


@dataclass(frozen=True)
class BoardRow:
    """One line of a leaderboard.

    Attributes
    ----------
    rank : int
        1 for the best.
    team : str
        Team name.
    score : float
        Public score (public board) or private score (private board).
    submission_id : int
        The submission that holds the score.
    submitted_at : datetime.datetime
        When it was made.
    entries : int
        The team's valid submissions in the phase.
    """

    rank: int
    team: str
    score: float
    submission_id: int
    submitted_at: dt.datetime
    entries: int


class Host:
    """The competition's server state.

    Parameters
    ----------
    competition : Competition
        The competition folder, read.
    sessions : sessionmaker
        Sessions of the migrated database (:func:`cyborg.host.db.open_database`).
    """

    def __init__(self, competition: Competition, sessions: sessionmaker[Session]) -> None:
        self.competition = competition
        self.sessions = sessions
        self.store = FileStore(competition.root / STORE_FOLDER)
        self._team_locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- tokens ---------------------------------------------------------------------------------
    def add_team(self, name: str) -> str:
        """Register a team and return its new token (shown once, stored only as a hash).

        Raises
        ------
        CyborgError
            If the name is empty, too long, or taken.
        """
        name = name.strip()
        if not name or len(name) > 100 or not name.isprintable():
            fail("team name", None, "1 to 100 printable characters", repr(name), CyborgError)
        token = secrets.token_urlsafe(24)
        with self.sessions.begin() as session:
            if session.scalar(select(Team).where(Team.name == name)) is not None:
                fail("team name", None, "a name no other team has", f"{name!r} taken", CyborgError)
            session.add(Team(name=name, token_sha256=token_hash(token), created_at=utcnow()))
        return token

    def new_admin_token(self) -> str:
        """Make a new admin token (the old one stops working) and return it."""
        token = secrets.token_urlsafe(24)
        with self.sessions.begin() as session:
            session.merge(Setting(key=_ADMIN_KEY, value=token_hash(token)))
        return token

    def team_for(self, token: str | None) -> Team:
        """The team holding ``token``.

        Raises
        ------
        HostError
            401 for a missing or unknown token.
        """
        if token:
            with self.sessions() as session:
                team = session.scalar(select(Team).where(Team.token_sha256 == token_hash(token)))
            if team is not None:
                return team
        raise HostError("unknown or missing team token (send 'Authorization: Bearer TOKEN')", 401)

    def check_admin(self, token: str | None) -> None:
        """Refuse anything but the admin token (401)."""
        with self.sessions() as session:
            stored = session.get(Setting, _ADMIN_KEY)
        if not token or stored is None or not secrets.compare_digest(stored.value, token_hash(token)):
            raise HostError("unknown or missing admin token (send 'Authorization: Bearer TOKEN')", 401)

    # -- phases ---------------------------------------------------------------------------------
    def closed_at(self, phase: Phase) -> dt.datetime:
        """When ``phase`` ends: its scheduled end, or earlier when the admin closed it."""
        with self.sessions() as session:
            closure = session.get(PhaseClosure, phase.name)
        return phase.end if closure is None else min(phase.end, closure.closed_at)

    def has_ended(self, phase: Phase, now: dt.datetime | None = None) -> bool:
        """True once ``phase`` is over: then its private scores are revealed."""
        return (now or utcnow()) >= self.closed_at(phase)

    def open_phase(self, now: dt.datetime | None = None) -> Phase | None:
        """The phase taking submissions now, if any."""
        now = now or utcnow()
        return next((p for p in self.competition.phases if p.start <= now and not self.has_ended(p, now)), None)

    def board_phase(self, name: str | None = None) -> Phase:
        """The phase a board shows: ``name``, else the open one, else the last one started, else the first."""
        if name:
            return self.competition.phase(name)
        now = utcnow()
        started = [p for p in self.competition.phases if p.start <= now]
        return self.open_phase(now) or (started[-1] if started else self.competition.phases[0])

    def close_phase(self, name: str) -> Phase:
        """End phase ``name`` now (idempotent); its private ranking is revealed."""
        phase = self.competition.phase(name)
        with self.sessions.begin() as session:
            if session.get(PhaseClosure, phase.name) is None:
                session.add(PhaseClosure(phase=phase.name, closed_at=utcnow()))
        return phase

    # -- submissions ----------------------------------------------------------------------------
    def _team_lock(self, team_id: int) -> threading.Lock:
        with self._locks_guard:
            return self._team_locks.setdefault(team_id, threading.Lock())

    def score(self, data: bytes, filename: str, phase: Phase) -> tuple[float, float]:
        """Validate and score ``data`` on the phase's truth; returns (public, private).

        Raises
        ------
        CyborgError
            The validator's one line, naming ``filename`` (never the server's paths or the truth).
        """
        competition = self.competition
        with tempfile.TemporaryDirectory(prefix="cyborg-host-") as folder:
            path = Path(folder) / filename
            path.write_bytes(data)
            try:
                result = score_submission(path, phase.truth, split_seed=competition.split_seed,
                                          public_fraction=competition.public_fraction, show_private=True)
            except CyborgError as error:
                raise CyborgError(one_line(str(error)).replace(str(path), filename)) from None
            except Exception as error:  # a bug, not bad input: one line for the team, the trace in the log
                log.exception("scoring %s failed", filename)
                raise CyborgError(f"{filename}: unexpected {type(error).__name__} while scoring") from None
        return result.public_score, result.private_score

    def used_today(self, team: Team, phase: Phase | None, now: dt.datetime | None = None) -> int:
        """The team's valid submissions in ``phase`` since midnight UTC (what the daily quota counts)."""
        if phase is None:
            return 0
        day = (now or utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
        with self.sessions() as session:
            return session.scalar(select(func.count(Submission.id)).where(
                Submission.team_id == team.id, Submission.phase == phase.name,
                Submission.status == "scored", Submission.created_at >= day))

    def submit(self, team: Team, filename: str | None, data: bytes) -> Submission:
        """Validate, store and score one upload of ``team`` in the open phase.

        Returns
        -------
        Submission
            Its row: ``status`` ``"scored"`` (file stored, scores kept) or
            ``"invalid"`` (``message`` says why; not counted against the quota).

        Raises
        ------
        HostError
            409 when no phase is open, 429 when the team's daily quota is used.
        """
        phase = self.open_phase()
        if phase is None:
            raise HostError("no phase is open for submissions", 409)
        name = safe_filename(filename)
        with self._team_lock(team.id):
            now = utcnow()
            used = self.used_today(team, phase, now)
            if used >= self.competition.daily_quota:
                raise HostError(f"daily quota used: {used} of {self.competition.daily_quota} valid submissions "
                                f"today (UTC); invalid files do not count", 429)
            row = Submission(team_id=team.id, phase=phase.name, filename=name, sha256=sha256(data),
                             size_bytes=len(data), created_at=now)
            try:
                row.public_score, row.private_score = self.score(data, name, phase)
                row.status = "scored"
                self.store.put(data)  # on disk before the row that names it is committed
            except CyborgError as error:
                row.status, row.message = "invalid", str(error)[:500]
            with self.sessions.begin() as session:
                session.add(row)
        return row

    def history(self, team: Team) -> list[dict]:
        """The team's own submissions, newest first; private scores only for phases that have ended."""
        ended = {p.name: self.has_ended(p) for p in self.competition.phases}
        with self.sessions() as session:
            rows = session.scalars(select(Submission).where(Submission.team_id == team.id)
                                   .order_by(Submission.id.desc())).all()
        out = []
        for row in rows:
            item = {"id": row.id, "phase": row.phase, "filename": row.filename, "status": row.status,
                    "submitted_at": row.created_at.isoformat(timespec="seconds") + "Z",
                    "sha256": row.sha256, "public_score": row.public_score, "message": row.message}
            if ended.get(row.phase):
                item["private_score"] = row.private_score
            out.append(item)
        return out

    # -- leaderboards ---------------------------------------------------------------------------
    def _best_rows(self, phase: Phase) -> list[tuple[Submission, str, int]]:
        """Each team's best public submission in ``phase`` (earliest on ties), with team name and entry count."""
        sign = -1.0 if self.competition.higher_is_better else 1.0
        with self.sessions() as session:
            rows = session.execute(select(Submission, Team.name).join(Team).where(
                Submission.phase == phase.name, Submission.status == "scored")).all()
        by_team: dict[str, list[Submission]] = {}
        for submission, team in rows:
            by_team.setdefault(team, []).append(submission)
        best = [(min(entries, key=lambda s: (sign * s.public_score, s.created_at, s.id)), team, len(entries))
                for team, entries in by_team.items()]
        return best

    def _ranked(self, items: list[tuple[Submission, str, int]], private: bool) -> list[BoardRow]:
        sign = -1.0 if self.competition.higher_is_better else 1.0

        def score(submission: Submission) -> float:
            return submission.private_score if private else submission.public_score

        items = sorted(items, key=lambda item: (sign * score(item[0]), item[0].created_at, item[0].id))
        return [BoardRow(rank=index + 1, team=team, score=score(submission), submission_id=submission.id,
                         submitted_at=submission.created_at, entries=entries)
                for index, (submission, team, entries) in enumerate(items)]

    def public_board(self, phase: Phase) -> list[BoardRow]:
        """Best public score per team, best first."""
        return self._ranked(self._best_rows(phase), private=False)

    def private_board(self, phase: Phase) -> list[BoardRow]:
        """The private ranking: each team's public-board submission scored on the private half.

        Raises
        ------
        HostError
            403 before the phase has ended.
        """
        if not self.has_ended(phase):
            raise HostError(f"phase {phase.name!r}: the private ranking is revealed when the phase ends "
                            f"({self.closed_at(phase).isoformat(timespec='seconds')}Z)", 403)
        return self._ranked(self._best_rows(phase), private=True)

    def board_csv(self, phase: Phase, private: bool) -> str:
        """A leaderboard as CSV: ``rank,team,score,submission_id,submitted_at,entries`` with a header."""
        rows = self.private_board(phase) if private else self.public_board(phase)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["rank", "team", f"{'private' if private else 'public'}_score", "submission_id",
                         "submitted_at", "entries"])
        for row in rows:
            writer.writerow([row.rank, row.team, repr(row.score), row.submission_id,
                             row.submitted_at.isoformat(timespec="seconds") + "Z", row.entries])
        return buffer.getvalue()

    # -- restart --------------------------------------------------------------------------------
    def verify(self) -> tuple[int, list[int]]:
        """Check every scored submission's file against its hash (run at start-up).

        Returns
        -------
        n_checked : int
            Scored submissions in the database.
        missing : list of int
            Ids whose stored file is absent or altered.
        """
        with self.sessions() as session:
            rows = session.execute(select(Submission.id, Submission.sha256)
                                   .where(Submission.status == "scored")).all()
        missing = [row_id for row_id, digest in rows if not self.store.holds(digest)]
        return len(rows), missing
