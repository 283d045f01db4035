"""Alembic environment: the engine comes from Keepword, never from an ini file."""

from __future__ import annotations

from alembic import context

from keepword.adapters.database.tables import metadata

target_metadata = metadata


def run_migrations() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations()
