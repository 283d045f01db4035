"""Whom each message was addressed to and whose project each incident happened on.

The portal shows a client only the messages and incidents of its own organisation; a
project that later moves to another client does not take them along.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_RECORDS = ("communications", "incidents")


def upgrade() -> None:
    for name in _RECORDS:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column("client_id", sa.String(length=80), nullable=True))
    # What was recorded before: the client its project belongs to now, the best there is.
    projects = sa.table("projects", sa.column("id", sa.String), sa.column("client_id", sa.String))
    for name in _RECORDS:
        records = sa.table(name, sa.column("project_id", sa.String), sa.column("client_id"))
        owner = (
            sa.select(projects.c.client_id)
            .where(projects.c.id == records.c.project_id)
            .scalar_subquery()
        )
        op.execute(records.update().values(client_id=owner))


def downgrade() -> None:
    for name in reversed(_RECORDS):
        with op.batch_alter_table(name) as batch:
            batch.drop_column("client_id")
