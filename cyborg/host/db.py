"""The database: its URL, Alembic migrations to the newest schema, and sessions.

SQLite (a file in the competition folder) is the embedded default; any
SQLAlchemy URL works, PostgreSQL's ``postgresql+psycopg://user@host/db`` among
them. SQLite runs in WAL mode with full synchronous writes, so a committed
submission survives a killed server.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

#: The default database of a competition folder (SQLite).
DEFAULT_DATABASE = "host.sqlite3"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(competition_root: Path, url: str | None) -> str:
    """``url``, or the competition folder's SQLite file when it is ``None``."""
    return url or f"sqlite:///{Path(competition_root) / DEFAULT_DATABASE}"


def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001 (DBAPI objects)
    """WAL, full fsync on commit, and a wait instead of 'database is locked' under concurrent writes."""
    cursor = connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite connections get :func:`_sqlite_pragmas`."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def migrate(engine: Engine) -> None:
    """Create the schema, or bring it to the newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_database(url: str) -> sessionmaker[Session]:
    """Connect to ``url``, migrate it, and return a session factory."""
    engine = make_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
