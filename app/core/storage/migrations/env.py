"""Alembic environment: always run programmatically by :func:`app.core.storage.db.upgrade`."""

from __future__ import annotations

from alembic import context

from app.core.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
