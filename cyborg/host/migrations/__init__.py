"""Alembic's migration scripts of the host database (``versions/``), applied by :func:`cyborg.host.db.migrate`."""
