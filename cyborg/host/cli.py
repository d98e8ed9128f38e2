"""``python -m cyborg.host COMMAND``: serve a competition, manage teams, submit, audit, export.

Every command ends bad input in one line ``error: ...`` and exit code 2
(:func:`cyborg.cli.one_line_errors`); ``audit`` exits 1 on a finding.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cyborg.cli import one_line_errors

_DATABASE_HELP = ("SQLAlchemy database URL, e.g. postgresql+psycopg://user:password@host/db "
                  "(default: SQLite file host.sqlite3 in the competition folder)")


def _host(competition: str, database_url: str | None):  # noqa: ANN202 (imports FastAPI-free Host lazily)
    """The competition's :class:`~cyborg.host.service.Host` on its migrated database."""
    from cyborg.host.config import load_competition
    from cyborg.host.db import database_url as default_url
    from cyborg.host.db import open_database
    from cyborg.host.service import Host

    folder = load_competition(competition)
    return Host(folder, open_database(default_url(folder.root, database_url)))


def serve(args: argparse.Namespace) -> None:
    """Check the truth files and stored submissions, then serve the web application."""
    import uvicorn
    from sqlalchemy.engine import make_url

    from cyborg.host.app import create_app
    from cyborg.host.db import database_url
    from cyborg.submission import score_submission

    host = _host(args.competition, args.database_url)
    for phase in host.competition.phases:  # an unusable truth fails here, not at the first upload
        score_submission(phase.truth, phase.truth)
    checked, missing = host.verify()
    print(f"{checked} scored submissions in the database; "
          + (f"stored files missing or altered for ids {missing}" if missing else "every stored file present"))
    url = make_url(database_url(host.competition.root, args.database_url)).render_as_string(hide_password=True)
    print(f"serving {host.competition.title!r} on http://{args.host}:{args.port} (database {url})", flush=True)
    uvicorn.run(create_app(host), host=args.host, port=args.port, log_level=args.log_level)


def team_add(args: argparse.Namespace) -> None:
    """Register a team and print its token."""
    token = _host(args.competition, args.database_url).add_team(args.name)
    print(f"team {args.name!r} added; its token (shown once): {token}")


def admin_token(args: argparse.Namespace) -> None:
    """Make a new admin token and print it."""
    token = _host(args.competition, args.database_url).new_admin_token()
    print(f"admin token (shown once; the previous one no longer works): {token}")


def submit(args: argparse.Namespace) -> None:
    """Upload a file and print its public score."""
    from cyborg.host.client import submit_file

    answer = submit_file(args.file, args.token, args.server)
    print(f"accepted: submission {answer['id']} ({answer['filename']}, sha256 {answer['sha256'][:12]}), "
          f"public score {answer['public_score']:.4f}")


def export_leaderboard(args: argparse.Namespace) -> None:
    """Write the public board and, once the phase has ended, the private one as CSV."""
    host = _host(args.competition, args.database_url)
    phase = host.board_phase(args.phase)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{phase.name}-public.csv").write_text(host.board_csv(phase, private=False))
    print(f"wrote {out / f'{phase.name}-public.csv'}")
    if host.has_ended(phase):
        (out / f"{phase.name}-private.csv").write_text(host.board_csv(phase, private=True))
        print(f"wrote {out / f'{phase.name}-private.csv'}")
    else:
        print(f"phase {phase.name!r} has not ended: no private board written")


def audit(args: argparse.Namespace) -> None:
    """Run the leak audit, print its table, exit 1 on a finding."""
    from cyborg.host.audit import audit_competition, format_table

    checks = audit_competition(args.competition)
    print(format_table(checks))
    findings = [check for check in checks if not check.passed]
    print(f"{len(findings)} finding(s) in {len(checks)} checks")
    if findings:
        sys.exit(1)


def export_codabench(args: argparse.Namespace) -> None:
    """Write a Codabench bundle."""
    from cyborg.host.codabench import write_bundle

    print(f"wrote {write_bundle(args.competition, args.out)}")


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m cyborg.host``."""
    parser = argparse.ArgumentParser(prog="python -m cyborg.host", description=(
        "Host a challenge: a web server for submissions and leaderboards, team tokens, "
        "a leak audit and a Codabench bundle. DIR is a competition folder (competition.yaml and truth files)."))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, function, help_text: str) -> argparse.ArgumentParser:  # noqa: ANN001
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=function)
        return sub

    def database(sub: argparse.ArgumentParser, competition_flag: bool = True) -> None:
        if competition_flag:
            sub.add_argument("--competition", metavar="DIR", default=".",
                             help="the competition folder (default: the working folder)")
        sub.add_argument("--database-url", metavar="URL", help=_DATABASE_HELP)

    sub = add("serve", serve, "Serve the competition's pages and HTTP API (uvicorn).")
    database(sub)
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    sub.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    sub.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"],
                     help="uvicorn's log level (default info: one line per request)")

    team = commands.add_parser("team", help="Manage teams.", description="Manage teams.")
    team_commands = team.add_subparsers(dest="team_command", required=True, metavar="ACTION")
    sub = team_commands.add_parser("add", help="register a team and print its token (shown once)",
                                   description="Register a team and print its token (shown once).")
    sub.set_defaults(run=team_add)
    sub.add_argument("name", metavar="NAME", help="the team's name on the boards")
    database(sub)

    sub = add("admin-token", admin_token, "Make a new admin token for the admin page and print it "
              "(the previous one stops working).")
    database(sub)

    sub = add("submit", submit, "Upload a submission file to a running server; prints its public score.")
    sub.add_argument("file", metavar="FILE", help="the submission (CSV for trick, JSON for velocity)")
    sub.add_argument("--token", required=True, help="the team's token")
    sub.add_argument("--server", default="http://127.0.0.1:8000", help="the server (default http://127.0.0.1:8000)")

    sub = add("export-leaderboard", export_leaderboard, "Write the final leaderboards as CSV: "
              "PHASE-public.csv, and PHASE-private.csv once the phase has ended.")
    database(sub)
    sub.add_argument("--phase", help="the phase (default: the open one, else the last started)")
    sub.add_argument("--out", metavar="FOLDER", default="leaderboards", help="output folder (default leaderboards)")

    sub = add("audit", audit, "Check the test files for leaks before launch: order, train/test duplicates, "
              "adversarial validation AUC, public/private balance; exits 1 on a finding.")
    sub.add_argument("competition", metavar="DIR", help="the competition folder (its 'data' key names the "
                     "participants' release: train/ and test/ for trick, train.mat and test.mat for velocity)")

    sub = add("export-codabench", export_codabench, "Write a Codabench competition bundle (zip) whose "
              "scoring program is cyborg's scorer.")
    sub.add_argument("competition", metavar="DIR", help="the competition folder")
    sub.add_argument("--out", metavar="FILE", default="codabench_bundle.zip",
                     help="the bundle to write (default codabench_bundle.zip)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run the command, bad input ending in one line."""
    args = build_parser().parse_args(argv)
    with one_line_errors():
        args.run(args)
