"""Fixtures of the host tests: an empty database and real servers on 127.0.0.1.

Every server test runs on SQLite, and again on PostgreSQL when
``CYBORG_TEST_POSTGRES_URL`` is set (``.ci/run`` starts one); each test gets an
empty database.
"""

from __future__ import annotations

import os

import pytest

from .serving import Server, make_competition

POSTGRES_ENV = "CYBORG_TEST_POSTGRES_URL"


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty database: a SQLite file, or the PostgreSQL server of ``CYBORG_TEST_POSTGRES_URL``."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} not set (.ci/run starts a PostgreSQL server when it can)")
    _reset_postgres(url)
    return url


@pytest.fixture
def server_factory(database_url, tmp_path):
    """Start servers on ``database_url`` over a competition folder; stopped after the test."""
    started: list[Server] = []

    def start(folder: str = "competition", **options) -> Server:
        root = tmp_path / folder
        if not (root / "competition.yaml").is_file():
            make_competition(root, **options)
        server = Server(root, database_url).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
