"""ids never reused: people and risk events (SQLite AUTOINCREMENT)

An erased client's id stays in the append-only audit log; a new person must never get it, or
their export would show someone else's history. PostgreSQL sequences never reuse ids already.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 11:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in ("people", "risk_events"):
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in ("people", "risk_events"):
        with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": False}):
            pass
