"""Everything stored about one person: to hand it to them, or to erase it.

The map below names every table that holds a person's rows and the column that says whose they
are. A test checks it covers every table with a reference to ``people``, so a new table cannot
be forgotten by ``/export`` or ``/delete``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

OWNER_COLUMNS: dict[str, tuple[str, ...]] = {
    "people": ("id",),
    "therapists": ("person_id",),
    "entries": ("person_id",),
    "conversations": ("person_id",),
    "schedules": ("person_id",),
    "due_prompts": ("person_id",),
    "client_notes": ("person_id",),
    "risk_events": ("person_id",),
    "goals": ("person_id",),
    "goal_changes": ("person_id",),
    "goal_ratings": ("person_id",),
    "risk_flags": ("person_id",),
    "therapy_sessions": ("client_id",),
    "one_time_codes": ("used_by",),
    "outbox": ("person_id",),
}
"""Table → the columns that make a row this person's."""
NOT_EXPORTED = {"outbox"}
"""Messages on their way to them: not data about them."""
HIDDEN_COLUMNS = {"code_hash", "prompt_token", "token", "last_update_id", "coalesce_key"}
"""Internal machinery, not information about the person."""
KEPT_ON_ERASURE = {
    "audit_log": "who read a client's data and when: ids and action names only, append-only",
    "schedules.created_by / therapy_sessions.therapist_id": "a therapist's id on their clients' rows",
}


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


async def export_person(connection: AsyncConnection, person_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row that is this person's, as plain JSON-ready dicts, table by table."""
    data: dict[str, list[dict[str, Any]]] = {}
    for name, columns in OWNER_COLUMNS.items():
        if name in NOT_EXPORTED:
            continue
        table = _table(name)
        for column in columns:
            result = await connection.execute(select(table).where(table.c[column] == person_id))
            rows = [
                {key: _plain(value) for key, value in row._mapping.items() if key not in HIDDEN_COLUMNS}
                for row in result
            ]
            if rows:
                data.setdefault(name, []).extend(rows)
    audit = _table("audit_log")
    result = await connection.execute(
        select(audit.c.at, audit.c.action).where(audit.c.subject_id == person_id).order_by(audit.c.id)
    )
    data["who_read_your_data"] = [{"at": _plain(row[0]), "action": row[1]} for row in result]
    return data


async def erase_person(connection: AsyncConnection, person_id: int) -> None:
    """Delete every row that is this person's (the people row last; foreign keys cascade)."""
    for name, columns in reversed(OWNER_COLUMNS.items()):
        table = _table(name)
        for column in columns:
            await connection.execute(delete(table).where(table.c[column] == person_id))


async def rows_left(connection: AsyncConnection, person_id: int) -> dict[str, int]:
    """How many rows still refer to this person, table by table (for checking an erasure)."""
    left: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            refers = any(fk.column.table.name == "people" for fk in column.foreign_keys)
            if refers or (table.name, column.name) == ("people", "id"):
                result = await connection.execute(select(table).where(column == person_id))
                count = len(result.all())
                if count:
                    left[f"{table.name}.{column.name}"] = count
    return left
