"""timers: conversations wake up on the clock; outbox frames replace each other

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wake_at", storage.types.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_conversations_wake_at"), ["wake_at"], unique=False)
    # On SQLite the table is rebuilt with AUTOINCREMENT: outbox ids are never reused, so a
    # delivery written down late (by id) can never delete a newer message that got the same id.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "outbox",
        schema=None,
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True},
    ) as batch_op:
        batch_op.add_column(sa.Column("coalesce_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("coalesce_key")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_wake_at"))
        batch_op.drop_column("wake_at")
