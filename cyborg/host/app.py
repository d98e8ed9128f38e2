"""The web application (FastAPI): pages and the JSON API over :class:`cyborg.host.service.Host`.

==========================================  =====================================================
``GET /``, ``/team``, ``/admin``            the pages (:mod:`cyborg.host.pages`)
``GET /api/competition``                    title, theme, metric, phases, quota, upload limit
``GET /api/leaderboard?phase=``             best public score per team
``POST /api/submissions?filename=``         the file's bytes as the body; team token
``GET /api/team``                           the team's own submissions; team token
``GET /api/admin/leaderboard?phase=``       public and (after the phase) private ranking; admin
``POST /api/admin/phases/{name}/close``     end a phase now; admin token
``GET /api/admin/leaderboard.csv``          ``?phase=&board=public|private``; admin token
==========================================  =====================================================

Tokens travel as ``Authorization: Bearer TOKEN``; every authenticated request
counts against its token's rate limit. Errors are JSON ``{"error": "<one line>"}``.
No route serves a stored file, and no response holds a private score before
its phase has ended.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from cyborg.cli import one_line
from cyborg.errors import CyborgError
from cyborg.host import pages
from cyborg.host.ratelimit import RateLimiter
from cyborg.host.service import BoardRow, Host, HostError, token_hash
from cyborg.submission.score import METRICS


def _board_json(rows: list[BoardRow], key: str) -> list[dict]:
    return [{"rank": row.rank, "team": row.team, key: row.score, "submission_id": row.submission_id,
             "submitted_at": row.submitted_at.isoformat(timespec="seconds") + "Z", "entries": row.entries}
            for row in rows]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def create_app(host: Host) -> FastAPI:
    """The application serving ``host``'s competition.

    Parameters
    ----------
    host : Host
        The server state (competition, database, file store).

    Returns
    -------
    fastapi.FastAPI
    """
    competition = host.competition
    limiter = RateLimiter(competition.rate_requests, competition.rate_seconds)
    app = FastAPI(title=f"cyborg host: {competition.title}", docs_url=None, redoc_url=None, openapi_url=None)

    @app.exception_handler(HostError)
    async def host_error(_request: Request, error: HostError) -> JSONResponse:
        return JSONResponse({"error": one_line(str(error))}, status_code=error.status)

    @app.exception_handler(CyborgError)
    async def bad_request(_request: Request, error: CyborgError) -> JSONResponse:
        return JSONResponse({"error": one_line(str(error))}, status_code=400)

    def authenticated(request: Request) -> str | None:
        """The request's token, after counting it against the rate limit (429 when over)."""
        token = _bearer(request)
        wait = limiter.allow(token_hash(token) if token else f"anonymous:{request.client.host}")
        if wait:
            raise HostError(f"rate limit: at most {limiter.requests} requests per {limiter.seconds:g} s per "
                            f"token; retry in {wait:.0f} s", 429)
        return token

    @app.get("/", response_class=HTMLResponse)
    def leaderboard_page() -> str:
        return pages.leaderboard_page(competition.title)

    @app.get("/team", response_class=HTMLResponse)
    def team_page() -> str:
        return pages.team_page(competition.title)

    @app.get("/admin", response_class=HTMLResponse)
    def admin_page() -> str:
        return pages.admin_page(competition.title)

    @app.get("/api/competition")
    def describe() -> dict:
        return {"title": competition.title, "theme": competition.theme, "metric": METRICS[competition.theme],
                "higher_is_better": competition.higher_is_better, "daily_quota": competition.daily_quota,
                "max_upload_bytes": competition.max_upload_bytes, "public_fraction": competition.public_fraction,
                "phases": [{"name": p.name, "start": p.start.isoformat() + "Z",
                            "end": host.closed_at(p).isoformat(timespec="seconds") + "Z",
                            "ended": host.has_ended(p)} for p in competition.phases]}

    @app.get("/api/leaderboard")
    def leaderboard(phase: str | None = None) -> dict:
        shown = host.board_phase(phase)
        return {"phase": shown.name, "metric": METRICS[competition.theme],
                "rows": _board_json(host.public_board(shown), "public_score")}

    @app.post("/api/submissions", status_code=201)
    async def submit(request: Request, filename: str | None = None) -> JSONResponse:
        token = authenticated(request)
        team = await run_in_threadpool(host.team_for, token)
        limit = competition.max_upload_bytes
        too_large = HostError(f"{filename or 'upload'}: expected at most {limit} bytes, found more", 413)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        row = await run_in_threadpool(host.submit, team, filename, b"".join(chunks))
        body = {"id": row.id, "status": row.status, "filename": row.filename, "sha256": row.sha256,
                "submitted_at": row.created_at.isoformat(timespec="seconds") + "Z"}
        if row.status == "invalid":
            return JSONResponse({**body, "message": row.message}, status_code=422)
        return JSONResponse({**body, "public_score": row.public_score}, status_code=201)

    @app.get("/api/team")
    def team(request: Request) -> dict:
        found = host.team_for(authenticated(request))
        return {"team": found.name, "daily_quota": competition.daily_quota,
                "used_today": host.used_today(found, host.open_phase()), "submissions": host.history(found)}

    @app.get("/api/admin/leaderboard")
    def admin_leaderboard(request: Request, phase: str | None = None) -> dict:
        host.check_admin(authenticated(request))
        shown = host.board_phase(phase)
        revealed = host.has_ended(shown)
        return {"phase": shown.name, "revealed": revealed,
                "ends_at": host.closed_at(shown).isoformat(timespec="seconds") + "Z",
                "public": _board_json(host.public_board(shown), "public_score"),
                "private": _board_json(host.private_board(shown), "private_score") if revealed else None}

    @app.post("/api/admin/phases/{name}/close")
    def close(request: Request, name: str) -> dict:
        host.check_admin(authenticated(request))
        phase = host.close_phase(name)
        return {"phase": phase.name, "closed_at": host.closed_at(phase).isoformat(timespec="seconds") + "Z"}

    @app.get("/api/admin/leaderboard.csv", response_class=PlainTextResponse)
    def export(request: Request, phase: str | None = None, board: str = "public") -> PlainTextResponse:
        host.check_admin(authenticated(request))
        if board not in ("public", "private"):
            raise HostError(f"board: expected 'public' or 'private', found {board!r}", 400)
        shown = host.board_phase(phase)
        return PlainTextResponse(host.board_csv(shown, private=board == "private"), media_type="text/csv")

    return app

