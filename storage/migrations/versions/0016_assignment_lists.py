"""lists given with an assignment (an exposure ladder's steps), sealed like the rationale

A plain ADD COLUMN: schedules written before this revision have none (the client names the step).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("schedules", sa.Column("given", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.drop_column("given")
