"""urgent outbox messages: a crisis reply or a risk alert goes before its chat's queue

Rows queued before this revision are normal (not urgent) and keep their order.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on every database: a batch copy of the table would lose SQLite's
    # AUTOINCREMENT (ids never reused: a delivery written down late must not delete a newer row)
    op.add_column("outbox", sa.Column("urgent", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("outbox", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("urgent")
