"""Rows are read by column name, and every stored status fits the column that holds it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pytest
from sqlalchemy import String, Table, select

from bot.core.statuses import (
    CodePurpose,
    EntryStatus,
    PersonStatus,
    PromptStatus,
    Role,
    ScheduleStatus,
    SessionStatus,
)
from storage import Database
from storage.people import PERSON
from storage.repository import RowReader
from storage.tables import CODES, DUE_PROMPTS, ENTRIES, PEOPLE, SCHEDULES, SESSIONS
from tests.support.rows import count, rows

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await db.migrate()
    yield db
    await db.close()


async def test_a_select_in_another_column_order_reads_the_same_row(database: Database) -> None:
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "11", "chat-11", "Europe/Berlin", NOW, update_id=3)
        reversed_columns = select(*reversed(PEOPLE.columns)).where(PEOPLE.c.id == person.id)
        row = (await tx.execute(reversed_columns)).one()
    assert row[0] != person.id  # by position this row starts with another column
    assert PERSON.read(row) == person


async def test_a_join_reads_each_field_from_its_own_table(database: Database) -> None:
    """People and conversations both have ``updated_at`` and ``last_update_id``."""
    later = NOW + timedelta(minutes=5)
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "12", "12", "UTC", NOW, update_id=1)
        await tx.conversations.begin(person.id, None, "mood_check", "mood", "tok", later, update_id=2)
    async with database.transaction() as tx:
        found, opened = await tx.people.get_with_conversation(person.id)
    assert found is not None and (found.updated_at, found.last_update_id) == (NOW, 1)
    assert opened is not None and (opened.updated_at, opened.last_update_id) == (later, 2)


def test_a_record_field_with_no_column_of_its_name_fails_when_the_reader_is_made() -> None:
    @dataclass
    class Misspelt:
        id: int
        extrnal_user_id: str

    with pytest.raises(KeyError, match="extrnal_user_id"):
        RowReader.of(Misspelt, PEOPLE)


STORED_IN: list[tuple[type[StrEnum], Table, str]] = [
    (Role, PEOPLE, "role"),
    (PersonStatus, PEOPLE, "status"),
    (EntryStatus, ENTRIES, "status"),
    (ScheduleStatus, SCHEDULES, "status"),
    (PromptStatus, DUE_PROMPTS, "status"),
    (SessionStatus, SESSIONS, "status"),
    (CodePurpose, CODES, "purpose"),
]


@pytest.mark.parametrize(
    ("statuses", "table", "column"), STORED_IN, ids=lambda v: getattr(v, "__name__", None)
)
def test_every_status_fits_the_column_that_stores_it(
    statuses: type[StrEnum], table: Table, column: str
) -> None:
    kind = table.c[column].type
    assert isinstance(kind, String) and kind.length is not None
    assert [s.value for s in statuses if len(s.value) > kind.length] == []


async def test_statuses_are_stored_as_the_strings_they_equal(database: Database) -> None:
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "13", "13", "UTC", NOW)
        await tx.people.mark_unreachable([person.id], NOW)
        entry_id = await tx.entries.start(person.id, "mood_check", NOW)
        await tx.entries.finish(entry_id, {}, EntryStatus.CANCELLED, NOW)
    assert await rows(database, "people", "role", "status", id=person.id) == [("client", "unreachable")]
    assert await rows(database, "entries", "status") == [("cancelled",)]
    assert await count(database, "entries", status=EntryStatus.CANCELLED) == 1
    assert PromptStatus.OPEN == ("pending", "sent")
