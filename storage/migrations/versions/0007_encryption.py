"""encryption at rest: the JSON columns that hold what clients write become text

Sealed values (``enc:v1:…``, see storage/crypto.py) are text, not JSON, so these columns are TEXT
on every database; the text columns that are sealed too (notes, skip notes, rationales, risk
texts) are TEXT already. Existing rows keep their JSON text and are read as they are: they are
sealed when written again, or all at once by ``between keys rotate``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 09:00:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
COLUMNS = {
    "entries": (("answers", False), ("draft", True)),
    "conversations": (("answers", False), ("selection", False)),
    "outbox": (("payload", False),),
}


def _batch(table: str) -> Any:
    if table == "outbox":  # keep AUTOINCREMENT when SQLite rebuilds it (see 0004)
        return op.batch_alter_table(table, schema=None, table_kwargs={"sqlite_autoincrement": True})
    return op.batch_alter_table(table, schema=None)


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with _batch(table) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(
                    column,
                    existing_type=JSON,
                    type_=sa.Text(),
                    existing_nullable=nullable,
                    postgresql_using=f"{column}::text",
                )


def downgrade() -> None:
    bind = op.get_bind()
    for table, columns in COLUMNS.items():
        for column, _ in columns:
            sealed = bind.execute(
                sa.text(f"SELECT 1 FROM {table} WHERE {column} LIKE 'enc:v1:%' LIMIT 1")
            ).first()
            if sealed is not None:
                raise RuntimeError(f"{table}.{column} holds sealed values: 0006 cannot read them")
    for table, columns in COLUMNS.items():
        with _batch(table) as batch_op:
            for column, nullable in columns:
                batch_op.alter_column(
                    column,
                    existing_type=sa.Text(),
                    type_=JSON,
                    existing_nullable=nullable,
                    postgresql_using=f"{column}::jsonb",
                )
