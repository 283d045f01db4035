"""Each client's time zone, and whether an incident's first contact is due on weekends.

Call times and deadlines a client reads are written in the client's clock, and an
incident's first contact is due at 09:00 of it the next morning. Clients stored before
read UTC and weekends included, which is what Keepword assumed until now.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would copy and drop the clients table, which
    # the projects that refer to it forbid.
    op.add_column(
        "clients",
        sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC"),
    )
    op.add_column(
        "clients",
        sa.Column("first_contact_weekends", sa.Boolean(), nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("first_contact_weekends")
        batch.drop_column("time_zone")
