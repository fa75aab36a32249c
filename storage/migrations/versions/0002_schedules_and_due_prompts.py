"""schedules and due prompts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 05:29:05.846533
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column(
            "times",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "weekdays",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("quiet_start", sa.String(length=5), nullable=True),
        sa.Column("quiet_end", sa.String(length=5), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("materialized_through", sa.Date(), nullable=True),
        sa.Column("materialize_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("not_before", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_schedules_created_by_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_schedules_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedules")),
    )
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.create_index("ix_schedules_materialize", ["status", "materialize_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_schedules_person_id"), ["person_id"], unique=False)

    op.create_table(
        "due_prompts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("occurrence", sa.String(length=16), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("due_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("token", sa.String(length=16), nullable=False),
        sa.Column("sent_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("acted_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("remind_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reminded", sa.Boolean(), nullable=False),
        sa.Column("snoozes", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=True),
        sa.Column("skip_reason", sa.String(length=32), nullable=True),
        sa.Column("skip_note", sa.Text(), nullable=True),
        sa.Column("missed_reason", sa.String(length=32), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_due_prompts_entry_id_entries"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_due_prompts_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["schedules.id"],
            name=op.f("fk_due_prompts_schedule_id_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_prompts")),
        sa.UniqueConstraint("schedule_id", "occurrence", name="uq_due_prompts_occurrence"),
    )
    with op.batch_alter_table("due_prompts", schema=None) as batch_op:
        batch_op.create_index("ix_due_prompts_person", ["person_id", "local_day"], unique=False)
        batch_op.create_index("ix_due_prompts_status_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_due_prompts_status_expires", ["status", "expires_at"], unique=False)
        batch_op.create_index("ix_due_prompts_status_remind", ["status", "remind_at"], unique=False)

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_prompt_id", sa.Integer(), nullable=True))
        batch_op.alter_column("entry_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_conversations_due_prompt_id_due_prompts"),
            "due_prompts",
            ["due_prompt_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("unreachable_since", storage.types.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:

    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("unreachable_since")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_conversations_due_prompt_id_due_prompts"), type_="foreignkey")
        batch_op.alter_column("entry_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("due_prompt_id")

    with op.batch_alter_table("due_prompts", schema=None) as batch_op:
        batch_op.drop_index("ix_due_prompts_status_remind")
        batch_op.drop_index("ix_due_prompts_status_expires")
        batch_op.drop_index("ix_due_prompts_status_due")
        batch_op.drop_index("ix_due_prompts_person")

    op.drop_table("due_prompts")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedules_person_id"))
        batch_op.drop_index("ix_schedules_materialize")

    op.drop_table("schedules")
