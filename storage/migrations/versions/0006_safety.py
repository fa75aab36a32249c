"""safety: risk events (and the later "are you safe?"), flows paused by risk language

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_DATETIME = storage.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", UTC_DATETIME, nullable=True))
    op.create_table(
        "risk_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("where", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_at", UTC_DATETIME, nullable=True),
        sa.Column("follow_up_at", UTC_DATETIME, nullable=True),
        sa.Column("follow_up_sent_at", UTC_DATETIME, nullable=True),
        sa.Column("follow_up_answer", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_risk_events_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_events")),
    )
    op.create_index("ix_risk_events_person", "risk_events", ["person_id", "at"])
    op.create_index("ix_risk_events_follow_up", "risk_events", ["follow_up_at"])


def downgrade() -> None:
    op.drop_index("ix_risk_events_follow_up", table_name="risk_events")
    op.drop_index("ix_risk_events_person", table_name="risk_events")
    op.drop_table("risk_events")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("paused_at")
