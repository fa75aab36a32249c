"""Storage on real SQLite files through real migrations."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import Database, EntryStatus, StorageError
from storage.migrate import current_revision, head_revision
from tests.support.rows import count

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> Database:
    db = Database(database_url)
    await db.migrate()
    yield db  # type: ignore[misc]
    await db.close()


# That the migrations build exactly the models is checked on every database in
# test_storage_contract.py.


async def test_migrating_twice_is_harmless(database: Database) -> None:
    assert await current_revision(database.engine) == head_revision()
    await database.migrate()
    assert await current_revision(database.engine) == head_revision()


async def test_sqlite_runs_with_wal_and_foreign_keys(database: Database, tmp_path: Path) -> None:
    async with database.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_datetimes_come_back_aware_and_in_utc(database: Database) -> None:
    berlin_morning = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    async with database.transaction() as tx:
        person = await tx.people.find_or_create("telegram", "1", "1", "Europe/Berlin", berlin_morning)
    async with database.transaction() as tx:
        again = await tx.people.get(person.id)
    assert again is not None
    assert again.created_at == berlin_morning
    assert again.created_at.tzinfo is UTC


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(StorageError) as raised:
        async with database.transaction() as tx:
            await tx.people.find_or_create("telegram", "1", "1", "UTC", datetime(2026, 1, 1))
    assert "naive" in str(raised.value.__cause__)


async def test_people_remember_the_newest_update(database: Database) -> None:
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "41", "41", "UTC", NOW, update_id=7)
        await tx.people.record_update(person.id, 9)
    async with database.transaction() as tx:
        again = await tx.people.get(person.id)
        assert again is not None and again.last_update_id == 9


async def test_transactions_do_not_nest(database: Database) -> None:
    async with database.transaction():
        with pytest.raises(RuntimeError, match="nested"):
            async with database.transaction():
                pass


async def test_a_failed_transaction_leaves_nothing_behind(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.transaction() as tx:
            person = await tx.people.find_or_create("telegram", "7", "7", "UTC", NOW)
            await tx.entries.start(person.id, "mood_check", NOW)
            raise RuntimeError("boom")
    async with database.transaction() as tx:
        assert await tx.people.find("telegram", "7") is None


async def test_a_write_that_meets_a_lock_waits_without_holding_up_the_event_loop(
    database: Database, tmp_path: Path
) -> None:
    """Statements run on the event loop's thread (storage/sqlite_driver.py), but one that meets
    another connection's write lock (a ``between`` command beside the bot) waits on the driver's
    thread: the loop goes on meanwhile, and the write lands once the lock is gone."""
    async with database.transaction() as tx:  # the connection is open before the lock is taken
        await tx.people.find_or_create("telegram", "1", "1", "UTC", NOW)
    holder = sqlite3.connect(tmp_path / "between.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    loop_turns = 0

    async def turning() -> None:
        nonlocal loop_turns
        while True:
            loop_turns += 1
            await asyncio.sleep(0.01)

    turner = asyncio.create_task(turning())
    asyncio.get_running_loop().call_later(0.3, holder.rollback)  # needs the loop to run
    try:
        async with database.transaction() as tx:
            await tx.people.find_or_create("telegram", "2", "2", "UTC", NOW)
    finally:
        turner.cancel()
        holder.close()
    assert loop_turns >= 10
    async with database.transaction() as tx:
        assert await tx.people.find("telegram", "2") is not None


async def test_entries_and_conversations_belong_to_their_person(database: Database) -> None:
    async with database.transaction() as tx:
        person = await tx.people.find_or_create("telegram", "9", "9", "UTC", NOW)
        entry_id = await tx.entries.start(person.id, "mood_check", NOW)
        conversation = await tx.conversations.begin(person.id, entry_id, "mood_check", "mood", "tok", NOW)
        conversation.answers = {"mood": 4}
        await tx.conversations.save(conversation)
    async with database.transaction() as tx:
        found, opened = await tx.people.find_with_conversation("telegram", "9")
        assert found is not None and found.id == person.id
        assert opened is not None and opened.answers == {"mood": 4} and opened.prompt_message_id is None
        await tx.conversations.record_prompt_message(person.id, "tok", "55")
        await tx.conversations.record_prompt_message(person.id, "other", "66")
        await tx.outbox.put_many("telegram", "9", [{"text": "a"}, {"text": "b"}], NOW, person_id=person.id)
    async with database.transaction() as tx:
        _, opened = await tx.people.find_with_conversation("telegram", "9")
        assert opened is not None and opened.prompt_message_id == "55"
        await tx.entries.finish(entry_id, {"mood": 4}, EntryStatus.COMPLETED, NOW)
        await tx.conversations.end(opened.person_id)
        assert [m.payload["text"] for m in await tx.outbox.pending_for_chat("telegram", "9")] == ["a", "b"]
    async with database.transaction() as tx:
        again, closed = await tx.people.find_with_conversation("telegram", "9")
        assert again is not None and again.id == person.id and closed is None
        assert await tx.entries.count(person.id, EntryStatus.COMPLETED) == 1
        stored = await tx.entries.get(entry_id)
        assert stored is not None and stored.answers == {"mood": 4} and stored.completed_at == NOW
    # deleting the person takes everything of theirs with it (foreign keys are on)
    async with database.transaction() as tx:
        await tx.execute(text("DELETE FROM people WHERE id = :id"), {"id": person.id})
    for table in ("entries", "conversations", "outbox"):
        assert await count(database, table) == 0, table


async def test_upgrading_keeps_existing_rows(database_url: str) -> None:
    """A database made by the first release keeps its clients and answers through every migration."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.migrate import upgrade

    engine = create_async_engine(database_url)
    await upgrade(engine, "0001")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO people (transport, external_user_id, chat_id, role, timezone, status,"
                " created_at, updated_at) VALUES ('telegram', '1', '1', 'client', 'UTC', 'active',"
                " '2026-03-01 09:00:00', '2026-03-01 09:00:00')"
            )
        )
        await connection.execute(
            text(
                "INSERT INTO entries (person_id, flow_id, status, answers, started_at, updated_at)"
                " VALUES (1, 'mood_check', 'completed', '{\"mood\": 6}', '2026-03-01 09:00:00',"
                " '2026-03-01 09:01:00')"
            )
        )
    await engine.dispose()
    database = Database(database_url)
    await database.migrate()
    async with database.transaction() as tx:
        person = await tx.people.find("telegram", "1")
        assert person is not None and person.unreachable_since is None
        (entry,) = await tx.entries.for_person(person.id)
        assert entry.answers == {"mood": 6} and entry.draft is None
    await database.close()
