"""high-risk flags (raised by an item alert or risk language, cleared by the therapist) and a
schedule's cadence (before every session, before every other session, every N days)

Existing schedules keep their weekly plan ("weekly", no interval).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC_DATETIME = storage.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "risk_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", UTC_DATETIME, nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("where", sa.String(length=64), nullable=False),
        sa.Column("risk_event_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", UTC_DATETIME, nullable=True),
        sa.Column("cleared_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_risk_flags_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["risk_event_id"],
            ["risk_events.id"],
            name=op.f("fk_risk_flags_risk_event_id_risk_events"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_flags")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_risk_flags_open", "risk_flags", ["person_id", "cleared_at"])
    # plain ADD COLUMNs: a batch copy of the table is not needed to add nullable/defaulted columns
    op.add_column(
        "schedules", sa.Column("cadence", sa.String(length=24), server_default="weekly", nullable=False)
    )
    op.add_column("schedules", sa.Column("interval_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch_op:
        batch_op.drop_column("interval_days")
        batch_op.drop_column("cadence")
    op.drop_index("ix_risk_flags_open", table_name="risk_flags")
    op.drop_table("risk_flags")
