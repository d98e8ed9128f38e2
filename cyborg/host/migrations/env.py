"""Alembic's entry point: run the migrations on the connection :func:`cyborg.host.db.migrate` passes."""

from alembic import context

from cyborg.host.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata)
with context.begin_transaction():
    context.run_migrations()
