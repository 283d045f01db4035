"""Which projects each event is about, so that a project's history is read by index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:10:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from keepword.domain.events import Event, projects_of

_ANY_TIME = datetime.min.replace(tzinfo=UTC)  # projects_of reads what the event is about only

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "event_projects",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("project", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_projects_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", "project", name=op.f("pk_event_projects")),
    )
    op.create_index(
        "ix_event_projects_project_event", "event_projects", ["project", "event_id"], unique=False
    )
    # The history recorded before this revision, indexed the same way as new events are.
    events = sa.table(
        "events",
        sa.column("id", sa.Integer),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Text),
        sa.column("before", sa.JSON),
        sa.column("after", sa.JSON),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(events.c.id, events.c.entity, events.c.entity_id, events.c.before, events.c.after)
    )
    links = [
        {"event_id": row.id, "project": project}
        for row in rows
        for project in sorted(
            projects_of(Event(_ANY_TIME, "", "", row.entity, row.entity_id, row.before, row.after))
        )
    ]
    if links:
        op.bulk_insert(table, links)


def downgrade() -> None:
    op.drop_index("ix_event_projects_project_event", table_name="event_projects")
    op.drop_table("event_projects")
