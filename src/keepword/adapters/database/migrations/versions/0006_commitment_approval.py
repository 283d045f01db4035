"""Who approved a risky proposal before it was committed.

Below the team's approval threshold a promise is an executive's to approve first
(``keepword approve``); the approval is kept on the proposal and cleared when the proposal
changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would copy and drop the table, which the rows
    # that refer to it forbid.
    op.add_column("commitments", sa.Column("approved_by", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commitments") as batch:
        batch.drop_column("approved_by")
