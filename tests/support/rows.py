"""What the database holds, read through the storage layer: one helper for every test.

Rows are read in a storage transaction with the models' column types (sealed values opened,
times aware and in UTC), so an assertion on them holds on SQLite and on PostgreSQL alike, where
raw SQL on the SQLite file ties a test to one database. Only tests about the bytes at rest
(encryption) should still read the file itself.

    await rows(database, "due_prompts", "status", "snoozes", local_day=date(2026, 3, 2))
    await count(database, "outbox", chat_id="4006")
    await change(database, "people", {"external_user_id": "1061"}, consent_version="old")
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, column, func, insert, select, table, update

from storage import Database
from storage.models import Base


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _matching(table: Table, equal: dict[str, object]) -> list[ColumnElement[bool]]:
    return [table.c[name] == value for name, value in equal.items()]


async def rows(database: Database, table: str, *columns: str, **equal: object) -> list[tuple[Any, ...]]:
    """The named columns (every column when none is named) of the rows of ``table`` whose
    columns equal the ``equal`` values, in primary-key order (the order they were written)."""
    source = _table(table)
    chosen = [source.c[name] for name in columns] or list(source.columns)
    query = select(*chosen).where(*_matching(source, equal)).order_by(*source.primary_key.columns)
    async with database.transaction() as tx:
        return [tuple(row) for row in await tx.execute(query)]


async def count(database: Database, table: str, **equal: object) -> int:
    """How many rows of ``table`` have columns equal to the ``equal`` values."""
    source = _table(table)
    query = select(func.count()).select_from(source).where(*_matching(source, equal))
    async with database.transaction() as tx:
        return int((await tx.execute(query)).scalar_one())


async def change(database: Database, table: str, where: dict[str, object], **values: object) -> int:
    """Set ``values`` on the rows of ``table`` whose columns equal ``where``: a state no journey
    leads to (consent given to an older text, a timer woken twice). Returns how many changed."""
    target = _table(table)
    statement = update(target).where(*_matching(target, where)).values(**values)
    async with database.transaction() as tx:
        return int((await tx.execute(statement)).rowcount)


PEOPLE_0005 = (
    "transport",
    "external_user_id",
    "chat_id",
    "role",
    "timezone",
    "status",
    "created_at",
    "updated_at",
)
"""Columns every revision since 0005 has on ``people`` (besides ``last_update_id``)."""


async def old_person(connection: Any, user_id: str, now: Any, *, update_id: int | None = None) -> int:
    """A Telegram client's row written the way an older revision would (its columns only), so an
    upgrade test does not depend on today's ``people`` columns (SQLite: times as naive UTC)."""
    people = table("people", *(column(name) for name in (*PEOPLE_0005, "last_update_id")))
    stamp = now.replace(tzinfo=None)
    row = ("telegram", user_id, user_id, "client", "UTC", "active", stamp, stamp)
    values = dict(zip(PEOPLE_0005, row, strict=True))
    result = await connection.execute(insert(people).values(**values, last_update_id=update_id))
    return int(result.lastrowid)
