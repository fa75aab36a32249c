"""therapists: registration and invitation codes, clients' aliases and consent, sessions,
notes to bring, confidence in assignments, the audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC_DATETIME = storage.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("therapist_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("alias", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("consent_version", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("consented_at", UTC_DATETIME, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_people_therapist_id_people"),
            "people",
            ["therapist_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_people_therapist_id"), ["therapist_id"], unique=False)
        batch_op.create_unique_constraint("uq_people_therapist_alias", ["therapist_id", "alias"])
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confidence", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confidence_at", UTC_DATETIME, nullable=True))

    op.create_table(
        "therapists",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("digest_transport", sa.String(length=16), nullable=True),
        sa.Column("digest_chat_id", sa.String(length=64), nullable=True),
        sa.Column("digest_chat_title", sa.String(length=128), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_therapists_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_therapists")),
    )
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("alias", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["people.id"],
            name=op.f("fk_one_time_codes_therapist_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by"], ["people.id"], name=op.f("fk_one_time_codes_used_by_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_one_time_codes_code_hash")),
    )
    op.create_index(op.f("ix_one_time_codes_therapist_id"), "one_time_codes", ["therapist_id"], unique=False)
    op.create_table(
        "therapy_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("therapist_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTC_DATETIME, nullable=False),
        sa.Column("repeat", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("digest_due_at", UTC_DATETIME, nullable=False),
        sa.Column("digest_sent_at", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["people.id"],
            name=op.f("fk_therapy_sessions_client_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["therapist_id"],
            ["people.id"],
            name=op.f("fk_therapy_sessions_therapist_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_therapy_sessions")),
    )
    op.create_index("ix_therapy_sessions_digest_due", "therapy_sessions", ["status", "digest_due_at"])
    op.create_index("ix_therapy_sessions_client", "therapy_sessions", ["client_id", "starts_at"])
    op.create_index(op.f("ix_therapy_sessions_therapist_id"), "therapy_sessions", ["therapist_id"])
    op.create_table(
        "client_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_client_notes_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_notes")),
    )
    op.create_index("ix_client_notes_person", "client_notes", ["person_id", "created_at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_subject", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_client_notes_person", table_name="client_notes")
    op.drop_table("client_notes")
    op.drop_index(op.f("ix_therapy_sessions_therapist_id"), table_name="therapy_sessions")
    op.drop_index("ix_therapy_sessions_client", table_name="therapy_sessions")
    op.drop_index("ix_therapy_sessions_digest_due", table_name="therapy_sessions")
    op.drop_table("therapy_sessions")
    op.drop_index(op.f("ix_one_time_codes_therapist_id"), table_name="one_time_codes")
    op.drop_table("one_time_codes")
    op.drop_table("therapists")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.drop_column("confidence_at")
        batch_op.drop_column("confidence")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint("uq_people_therapist_alias", type_="unique")
        batch_op.drop_index(batch_op.f("ix_people_therapist_id"))
        batch_op.drop_constraint(batch_op.f("fk_people_therapist_id_people"), type_="foreignkey")
        batch_op.drop_column("consented_at")
        batch_op.drop_column("consent_version")
        batch_op.drop_column("alias")
        batch_op.drop_column("therapist_id")
