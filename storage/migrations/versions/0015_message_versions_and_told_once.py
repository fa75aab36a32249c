"""message versions and told-once facts: a messenger that edits in place (Signal) keeps each
message's versions and edit count, and what it said once (a captcha, a changed safety number),
across a restart

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UTC_DATETIME = storage.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "message_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("version_id", sa.String(length=64), nullable=False),
        sa.Column("edits", sa.Integer(), nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=False),
        sa.Column("changed_at", UTC_DATETIME, nullable=False),
        sa.Column(
            "offered",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("question", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_versions")),
        sa.UniqueConstraint("transport", "version_id", name="uq_message_versions_version"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("message_versions", schema=None) as batch_op:
        batch_op.create_index("ix_message_versions_message", ["transport", "message_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_versions_changed_at"), ["changed_at"], unique=False)
    op.create_table(
        "told_once",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("fact", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("told_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_told_once")),
        sa.UniqueConstraint("transport", "fact", "subject", name="uq_told_once_fact"),
    )


def downgrade() -> None:
    op.drop_table("told_once")
    with op.batch_alter_table("message_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_versions_changed_at"))
        batch_op.drop_index("ix_message_versions_message")
    op.drop_table("message_versions")
