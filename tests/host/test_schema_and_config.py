"""Alembic builds exactly the ORM's schema; bad competition folders fail in one line; the core stays light."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from cyborg.host.cli import main
from cyborg.host.db import make_engine, migrate
from cyborg.host.models import Base

from .serving import REPO, make_competition, run_cli


def test_migrations_build_the_models_schema(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)  # idempotent
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert MigrationContext.configure(connection).get_current_revision() == "0001"
    assert set(inspect(engine).get_table_names()) == {"alembic_version", "teams", "submissions",
                                                      "phase_closures", "settings"}
    engine.dispose()


def test_bad_competition_folders_fail_in_one_line(tmp_path, capsys):
    root = make_competition(tmp_path / "c")
    config = json.loads((root / "competition.yaml").read_text())
    cases = [({"theme": "gestures"}, "theme: expected one of ['trick', 'velocity'], found 'gestures'"),
             ({"truth": "answer/none.csv"}, "field 'truth': expected an existing file, found nothing at "),
             ({"daily_quota": 0}, "field 'daily_quota': expected an integer >= 1, found 0"),
             ({"phases": [{"name": "a b", "start": "2020-01-01", "end": "2021-01-01"}]},
              "field 'phases[0].name': expected a name of letters, digits, '-' and '_', found 'a b'"),
             ({"phases": [{"name": "a", "start": "2021-01-01", "end": "2020-01-01"}]},
              "field 'phases[0].end': expected a time after its start 2021-01-01T00:00:00, found 2020-01-01T00:00:00")]
    for change, message in cases:
        (root / "competition.yaml").write_text(json.dumps({**config, **change}))
        with pytest.raises(SystemExit) as stopped:
            main(["team", "add", "x", "--competition", str(root)])
        stderr = capsys.readouterr().err
        assert stopped.value.code == 2 and stderr.startswith("error: ") and message in stderr, stderr
        assert len(stderr.splitlines()) == 1
    missing = run_cli("serve", "--competition", str(tmp_path / "nowhere"), check=False)
    assert missing.returncode == 2
    assert missing.stderr == f"error: {tmp_path / 'nowhere'}: expected a competition folder holding " \
                             "competition.yaml, found no such folder\n"


def test_import_cyborg_stays_light():
    code = "import sys, cyborg, cyborg.submission; print(sorted(m for m in ('fastapi', 'sqlalchemy', 'uvicorn', " \
           "'alembic') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
