"""several bot processes on one PostgreSQL: drainer claims on outbox rows (owner, expiry), the
shared send budget, and a NOTIFY that wakes the other processes' drainers

Rows queued before this revision are unclaimed. The trigger exists on PostgreSQL only (SQLite
runs one process, whose drainer the gateway wakes itself).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

UTC_DATETIME = storage.types.UtcDateTime(timezone=True)

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION between_outbox_notify() RETURNS trigger AS $$
BEGIN
    -- a reply leased to its handler (due later) is not the drainers' business yet
    IF TG_OP = 'INSERT' AND NEW.due_at > NEW.created_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.due_at >= OLD.due_at THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('between_outbox', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
NOTIFY_TRIGGER = """
CREATE TRIGGER between_outbox_notify AFTER INSERT OR UPDATE OF due_at ON outbox
FOR EACH ROW EXECUTE FUNCTION between_outbox_notify()
"""


def upgrade() -> None:
    # plain ADD COLUMN: a batch copy would lose SQLite's AUTOINCREMENT (see 0010)
    op.add_column("outbox", sa.Column("lease_owner", sa.String(length=40), nullable=True))
    op.add_column("outbox", sa.Column("lease_until", UTC_DATETIME, nullable=True))
    op.create_table(
        "send_budget",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("next_slot", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_send_budget")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS between_outbox_notify ON outbox")
        op.execute("DROP FUNCTION IF EXISTS between_outbox_notify()")
    op.drop_table("send_budget")
    with op.batch_alter_table("outbox", table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_owner")
