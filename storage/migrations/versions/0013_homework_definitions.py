"""homework as data: each entry's definition version, and the definitions' text per version

Entries written before this revision were answered under version "1" of their homework (every
homework type was then code, at its first version).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy of the table is not needed and keeps nothing better
    op.add_column("entries", sa.Column("flow_version", sa.String(16), server_default="1", nullable=False))
    op.create_table(
        "homework_definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(32), nullable=False),
        sa.Column("version", sa.String(16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("stored_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework_definitions")),
        sa.UniqueConstraint("flow_id", "version", name="uq_homework_definitions_version"),
    )


def downgrade() -> None:
    op.drop_table("homework_definitions")
    with op.batch_alter_table("entries") as batch_op:
        batch_op.drop_column("flow_version")
