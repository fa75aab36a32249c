"""One storage contract, run against every database we support: SQLite and PostgreSQL.

PostgreSQL runs when the machine has its server binaries (see tests/postgres_server.py) or
BETWEEN_TEST_POSTGRES_URL points at an empty database; otherwise its cases are skipped with the
reason printed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.scheduling.scheduler import HomeworkScheduler
from flows import FLOWS
from storage import Database, EntryStatus, NewOccurrence, PromptStatus, ScheduleRow, Transaction
from storage.models import Base
from tests.support.clock import FakeClock
from tests.support.postgres_server import postgres_url, unavailable_reason
from tests.support.rows import count, rows

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    if unavailable_reason() is not None:
        yield None
        return
    with postgres_url() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: str | None
) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'contract.db'}"
    else:
        if postgres_server is None:
            pytest.skip(f"PostgreSQL: {unavailable_reason()}")
        url = postgres_server
        engine = create_async_engine(url)
        async with engine.begin() as connection:  # a clean schema for every test
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
    db = Database(url)
    await db.migrate()
    try:
        yield db
    finally:
        await db.close()


async def test_migrations_build_exactly_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert differences == []


async def test_people_conversations_entries(database: Database) -> None:
    berlin_morning = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "1", "1", "Europe/Berlin", berlin_morning, update_id=5)
        entry_id = await tx.entries.start(person.id, "mood_check", NOW)
        conversation = await tx.conversations.begin(person.id, entry_id, "mood_check", "mood", "tok", NOW, 6)
        conversation.answers = {"mood": 4, "note": "Grüße — 🌿"}
        conversation.selection = ["calm"]
        await tx.conversations.save(conversation)
    async with database.transaction() as tx:
        found, opened = await tx.people.find_with_conversation("telegram", "1")
        assert found is not None and found.created_at == berlin_morning and found.created_at.tzinfo == UTC
        assert found.last_update_id == 5
        assert opened is not None and opened.answers == {"mood": 4, "note": "Grüße — 🌿"}
        assert opened.selection == ["calm"] and opened.last_update_id == 6
        await tx.conversations.record_prompt_message(person.id, "tok", "77")
        await tx.entries.finish(entry_id, opened.answers, EntryStatus.COMPLETED, NOW)
    async with database.transaction() as tx:
        _, opened = await tx.people.find_with_conversation("telegram", "1")
        assert opened is not None and opened.prompt_message_id == "77"
        await tx.conversations.end(person.id)
        stored = await tx.entries.get(entry_id)
        assert stored is not None and stored.status == "completed" and stored.completed_at == NOW
    async with database.transaction() as tx:
        assert (await tx.people.find_with_conversation("telegram", "1"))[1] is None
        await tx.people.mark_unreachable([person.id], NOW)
        assert (await tx.people.get(person.id)).status == "unreachable"  # type: ignore[union-attr]


async def test_a_measures_earlier_entries_are_read_by_homework_type_oldest_first(database: Database) -> None:
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "1", "1", "UTC", NOW, update_id=1)
        other = await tx.people.create("telegram", "2", "2", "UTC", NOW, update_id=1)
        days = (NOW - timedelta(days=30), NOW - timedelta(days=60), NOW - timedelta(days=1), NOW)
        ids = [await tx.entries.start(person.id, "phq9", at) for at in days]
        await tx.entries.start(person.id, "mood_check", NOW - timedelta(days=90))
        await tx.entries.start(other.id, "phq9", NOW - timedelta(days=90))
    async with database.transaction() as tx:
        found = await tx.entries.of_flows_before(person.id, ["phq9", "gad7"], NOW)
        assert [e.id for e in found] == [ids[1], ids[0], ids[2]]  # oldest first, not the one at NOW
        assert await tx.entries.of_flows_before(person.id, [], NOW) == []


async def test_the_rows_helper_reads_through_the_column_types(database: Database) -> None:
    """tests/support/rows.py: the same values, typed the same, on every database."""
    berlin_morning = datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "3", "3", "Europe/Berlin", berlin_morning)
        first = await tx.entries.start(person.id, "mood_check", NOW)
        await tx.entries.finish(first, {"mood": 4, "note": "Grüße"}, EntryStatus.COMPLETED, NOW)
        await tx.entries.start(person.id, "journal", NOW)
    entries = await rows(database, "entries", "flow_id", "answers", "status", person_id=person.id)
    assert entries == [
        ("mood_check", {"mood": 4, "note": "Grüße"}, "completed"),
        ("journal", {}, "in_progress"),
    ]
    ((created_at,),) = await rows(database, "people", "created_at", external_user_id="3")
    assert created_at == berlin_morning and created_at.tzinfo == UTC
    assert await count(database, "entries", person_id=person.id, status=EntryStatus.COMPLETED) == 1
    assert await count(database, "entries", person_id=person.id + 1) == 0


async def test_outbox(database: Database) -> None:
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "2", "2", "UTC", NOW)
        queued = await tx.outbox.put_many(
            "telegram",
            "2",
            [{"text": "a"}, {"text": "b"}, {"text": "c"}],
            NOW,
            person_id=person.id,
            lease=timedelta(seconds=15),
        )
        await tx.outbox.put_rows([("telegram", "3", None, {"text": "d"})], NOW)
    assert [m.payload["text"] for m in queued] == ["a", "b", "c"]
    async with database.transaction() as tx:
        assert await tx.outbox.due_chats(NOW) == [("telegram", "3")]  # the others are leased
        await tx.outbox.delivered([queued[0].id])
        await tx.outbox.retry_later(queued[1].id, "boom", NOW + timedelta(seconds=4))
        await tx.outbox.make_due([queued[2].id], NOW)
    async with database.transaction() as tx:
        pending = await tx.outbox.pending_for_chat("telegram", "2")
        assert [(m.payload["text"], m.attempts) for m in pending] == [("b", 1), ("c", 0)]
        assert await tx.outbox.due_chats(NOW) == [("telegram", "3")]  # chat 2 waits for its retry
        assert await tx.outbox.drop_chat("telegram", "2") == 2
        assert await tx.outbox.count() == 1


async def daily_schedule(tx: Transaction, person_id: int) -> ScheduleRow:
    schedule_id = await tx.schedules.add(
        person_id=person_id,
        flow_id="mood_check",
        times=["09:30"],
        weekdays=range(7),
        start_date=date(2026, 3, 2),
        end_date=None,
        quiet_start=None,
        quiet_end=None,
        rationale=None,
        created_by=None,
        now=NOW,
    )
    schedule = await tx.schedules.get(schedule_id)
    assert schedule is not None
    return schedule


async def test_due_prompts_are_unique_per_occurrence_and_claimed_once(database: Database) -> None:
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "4", "4", "UTC", NOW)
        schedule = await daily_schedule(tx, person.id)
        occurrences = [
            NewOccurrence(
                f"2026-03-02T09:{m:02d}",
                date(2026, 3, 2),
                NOW + timedelta(minutes=m),
                NOW + timedelta(hours=15),
                f"tok{m}",
            )
            for m in (30, 31, 32, 33)
        ]
        await tx.due_prompts.add_many(schedule, occurrences)
        await tx.due_prompts.add_many(schedule, occurrences)  # the same again: a no-op
    later = NOW + timedelta(hours=1)
    async with database.transaction() as tx:
        assert len(await tx.due_prompts.for_person(person.id)) == 4
        first = await tx.due_prompts.claim_due(later, limit=2)
        await tx.due_prompts.mark_sent_many([(p.id, None) for p, _ in first], later)
    async with database.transaction() as tx:
        second = await tx.due_prompts.claim_due(later, limit=10)
        assert {p.id for p, _ in first}.isdisjoint({p.id for p, _ in second})
        assert len(second) == 2 and second[0][1].timezone == "UTC"
        await tx.due_prompts.close_many([(p.id, PromptStatus.MISSED, "late") for p, _ in second])
    async with database.transaction() as tx:
        assert await tx.due_prompts.claim_due(later, limit=10) == []


async def test_skip_locked_lets_two_workers_share_the_due_prompts(database: Database) -> None:
    """On PostgreSQL two ticks in parallel claim disjoint prompts; SQLite has a single writer."""
    if database.is_sqlite:
        pytest.skip("SQLite serialises writers; FOR UPDATE SKIP LOCKED is PostgreSQL's")
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "5", "5", "UTC", NOW)
        schedule = await daily_schedule(tx, person.id)
        await tx.due_prompts.add_many(
            schedule,
            [
                NewOccurrence(f"2026-03-02T10:{m:02d}", date(2026, 3, 2), NOW, NOW + timedelta(hours=15), "t")
                for m in range(6)
            ],
        )
    first_claimed = asyncio.Event()
    release = asyncio.Event()
    claims: dict[str, set[int]] = {}
    other_process = Database(database.url)  # one process takes turns; two processes share

    async def worker(name: str, wait_for: asyncio.Event | None) -> None:
        if wait_for is not None:
            await wait_for.wait()
        async with (database if name == "a" else other_process).transaction() as tx:
            claimed = await tx.due_prompts.claim_due(NOW, limit=3 if name == "a" else 10)
            claims[name] = {p.id for p, _ in claimed}
            if name == "a":
                first_claimed.set()
                await release.wait()  # hold the row locks while b claims
            await tx.due_prompts.mark_sent_many([(i, None) for i in claims[name]], NOW)
        if name == "b":
            release.set()

    await asyncio.gather(worker("a", None), worker("b", first_claimed))
    await other_process.close()
    assert len(claims["a"]) == 3 and len(claims["b"]) == 3
    assert claims["a"].isdisjoint(claims["b"])


class Sink:
    def __init__(self) -> None:
        self.shown: list[str | None] = []

    async def deliver(self, chat_id: str, message: object) -> str | None:
        self.shown.append(getattr(message, "text", None))
        return str(len(self.shown))


async def test_the_scheduler_across_a_daylight_saving_change(database: Database) -> None:
    """Berlin, 02:30 and 12:00 daily, 2026-03-28 to 03-30: 02:30 on the 29th comes at 03:00."""
    from bot.delivery.courier import Courier

    clock = FakeClock(datetime(2026, 3, 27, 23, 0, tzinfo=UTC))
    scheduler = HomeworkScheduler(database, clock, flows=FLOWS, new_token=lambda: "tok")
    courier = Courier(database, clock)
    sink = Sink()
    courier.register("telegram", sink)
    async with database.transaction() as tx:
        person = await tx.people.create("telegram", "6", "6", "Europe/Berlin", clock())
        await tx.schedules.add(
            person_id=person.id,
            flow_id="mood_check",
            times=["02:30", "12:00"],
            weekdays=range(7),
            start_date=date(2026, 3, 28),
            end_date=date(2026, 3, 30),
            quiet_start=None,
            quiet_end=None,
            rationale=None,
            created_by=None,
            now=clock(),
        )
    while clock.now < datetime(2026, 3, 31, tzinfo=UTC):
        await scheduler.tick()
        await courier.deliver_due()
        clock.advance(minutes=30)
    await courier.close()
    async with database.transaction() as tx:
        prompts = await tx.due_prompts.for_person(person.id)
    assert [(p.occurrence, p.due_at, p.status) for p in prompts] == [
        ("2026-03-28T02:30", datetime(2026, 3, 28, 1, 30, tzinfo=UTC), "missed"),
        ("2026-03-28T12:00", datetime(2026, 3, 28, 11, 0, tzinfo=UTC), "missed"),
        ("2026-03-29T02:30", datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "missed"),
        ("2026-03-29T12:00", datetime(2026, 3, 29, 10, 0, tzinfo=UTC), "missed"),
        ("2026-03-30T02:30", datetime(2026, 3, 30, 0, 30, tzinfo=UTC), "missed"),
        ("2026-03-30T12:00", datetime(2026, 3, 30, 10, 0, tzinfo=UTC), "missed"),
    ]
    assert all(p.sent_at is not None and p.missed_reason == "not_acted" for p in prompts)
    assert sum(1 for t in sink.shown if t and t.startswith("It's time")) == 6, sink.shown
