"""typed choices: what typed numbers mean in a chat without buttons, kept per chat and message

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "typed_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transport", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "choices",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("shown_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_typed_choices")),
        sa.UniqueConstraint("transport", "chat_id", "message_id", name=op.f("uq_typed_choices_transport")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("typed_choices", schema=None) as batch_op:
        batch_op.create_index("ix_typed_choices_chat", ["transport", "chat_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("typed_choices", schema=None) as batch_op:
        batch_op.drop_index("ix_typed_choices_chat")
    op.drop_table("typed_choices")
