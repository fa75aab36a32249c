"""goals: a client's goals in their own words, their dated changes and their 0–10 ratings

New tables only; rows written before this revision are untouched.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC_DATETIME = storage.types.UtcDateTime(timezone=True)


def _person(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["person_id"], ["people.id"], name=op.f(f"fk_{table}_person_id_people"), ondelete="CASCADE"
    )


def _goal(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["goal_id"], ["goals.id"], name=op.f(f"fk_{table}_goal_id_goals"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("retired_at", UTC_DATETIME, nullable=True),
        _person("goals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("person_id", "number", name="uq_goals_person_number"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "goal_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        _goal("goal_changes"),
        _person("goal_changes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_goal_changes_goal", "goal_changes", ["goal_id", "at"])
    op.create_index(op.f("ix_goal_changes_person_id"), "goal_changes", ["person_id"])
    op.create_table(
        "goal_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("rated_at", UTC_DATETIME, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        _goal("goal_ratings"),
        _person("goal_ratings"),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_goal_ratings_entry_id_entries"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_ratings")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_goal_ratings_person", "goal_ratings", ["person_id", "rated_at"])
    op.create_index(op.f("ix_goal_ratings_goal_id"), "goal_ratings", ["goal_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_goal_ratings_goal_id"), table_name="goal_ratings")
    op.drop_index("ix_goal_ratings_person", table_name="goal_ratings")
    op.drop_table("goal_ratings")
    op.drop_index(op.f("ix_goal_changes_person_id"), table_name="goal_changes")
    op.drop_index("ix_goal_changes_goal", table_name="goal_changes")
    op.drop_table("goal_changes")
    op.drop_table("goals")
