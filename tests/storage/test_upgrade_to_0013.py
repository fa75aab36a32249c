"""A database of schema 0010 holding entries upgrades to 0013: its entries were answered under
version "1" of their homework, they read as before in /history, and the built-in definitions'
text is kept from the first start on."""

from __future__ import annotations

from pathlib import Path

from bot.chat.turn import CommandReceived, Sender
from bot.practice.admission import consent_version
from bot.runtime.settings import Settings
from bot.runtime.wiring import open_runtime
from bot.transports.telegram.texts import PRIVACY_NOTE
from storage import Database, EntryStatus
from storage.migrate import current_revision, head_revision, upgrade
from tests.support.clock import FakeClock
from tests.support.rows import old_person, rows
from tests.support.sinks import FakeSink

CLIENT = Sender("telegram", "7", "7")


async def write_0010_database(url: str, clock: FakeClock) -> None:
    database = Database(url)
    try:
        await upgrade(database.engine, "0010")
        assert await current_revision(database.engine) == "0010"
        now = clock()
        async with database.transaction() as tx:
            person = await old_person(tx.connection, "7", now, update_id=1)
            await tx.clients.record_consent(person, consent_version(PRIVACY_NOTE), now)
            for mood in (3, 8):
                entry_id = await tx.entries.start(person, "mood_check", now)  # as 0010's code wrote it
                await tx.entries.finish(entry_id, {"mood": mood}, EntryStatus.COMPLETED, now)
    finally:
        await database.close()


async def test_a_0010_database_with_entries_upgrades_and_reads_as_before(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'between.db'}"
    clock = FakeClock()
    await write_0010_database(url, clock)
    settings = Settings(_env_file=None, database_url=url, send_rate_per_second=0)  # type: ignore[call-arg]
    async with open_runtime(settings, clock) as runtime:
        assert await current_revision(runtime.database.engine) == head_revision()
        assert await rows(runtime.database, "entries", "flow_id", "flow_version", "answers") == [
            ("mood_check", "1", {"mood": 3}),
            ("mood_check", "1", {"mood": 8}),
        ]
        assert await rows(runtime.database, "homework_definitions", "flow_id", "version") == [
            ("activity_log", "1"),
            ("exposure", "2"),
            ("gad7", "1"),
            ("phq9", "1"),
        ]
        sink = FakeSink()
        runtime.courier.register("telegram", sink)
        handled = await runtime.conversations.handle(CLIENT, CommandReceived("history"), update_id=2)
        await runtime.courier.deliver("telegram", "7", handled.replies)
        (page,) = [text for text in sink.shown if text and "journal" in text]
        assert page.count("Mood check: mood") == 2 and "mood 8/10" in page and "mood 3/10" in page
