"""A 0012 database holding queued messages upgrades to 0014: they stay queued, in order, unclaimed,
and the drainer sends them; the send budget table starts empty."""

from __future__ import annotations

from pathlib import Path

from bot.core.messages import Outgoing
from bot.delivery.courier import Courier
from storage import Database
from storage.migrate import current_revision, head_revision, upgrade
from tests.support.clock import FakeClock
from tests.support.rows import count, rows
from tests.support.sinks import FakeSink


async def test_a_0012_database_with_queued_messages_upgrades_to_0014(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'between.db'}"
    clock = FakeClock()
    old = Database(url)
    try:
        await upgrade(old.engine, "0012")
        async with old.transaction() as tx:
            payloads = [Outgoing(text=t).to_json() for t in ("first", "second")]
            await tx.outbox.put_many("telegram", "7", payloads, clock())
    finally:
        await old.close()

    database = Database(url)
    try:
        await database.migrate()
        assert await current_revision(database.engine) == head_revision()
        assert await rows(database, "outbox", "lease_owner", "lease_until") == [(None, None), (None, None)]
        assert await count(database, "send_budget") == 0
        courier, sink = Courier(database, clock), FakeSink()
        courier.register("telegram", sink)
        await courier.prime()
        await courier.deliver_due()
        await courier.flush()
        assert sink.shown == ["first", "second"]
        assert await count(database, "outbox") == 0
    finally:
        await database.close()
