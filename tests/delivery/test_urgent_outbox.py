"""The outbox's urgency (#17): rows queued before migration 0010 keep working as normal ones;
urgent rows go first in their chat, and the drainer takes their chats first."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from bot.core.messages import Outgoing
from storage import Database
from storage.migrate import upgrade

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_rows_queued_before_0010_are_normal_and_keep_their_order(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'before.db'}"
    engine = create_async_engine(url)
    await upgrade(engine, "0009")  # as the previous release left it, with replies still queued
    await engine.dispose()
    with sqlite3.connect(tmp_path / "before.db") as db:
        for n in (1, 2):
            payload = json.dumps(Outgoing(text=f"queued {n}").to_json() | {"urgent": None})
            db.execute(
                "INSERT INTO outbox (transport, chat_id, payload, created_at, due_at, attempts)"
                " VALUES ('telegram', '7', ?, '2026-03-02 08:59:00.000000', '2026-03-02 08:59:00.000000', 0)",
                (payload,),
            )
    database = Database(url)
    await database.migrate()
    try:
        async with database.transaction() as tx:
            await tx.outbox.put_many("telegram", "7", [Outgoing(text="crisis", urgent=True).to_json()], NOW)
            pending = await tx.outbox.pending_for_chat("telegram", "7")
            assert [(Outgoing.from_json(m.payload).text, m.urgent) for m in pending] == [
                ("crisis", True),
                ("queued 1", False),
                ("queued 2", False),
            ]
            await tx.outbox.delivered([pending[0].id, pending[2].id])
            await tx.outbox.put_many("telegram", "7", [Outgoing(text="next").to_json()], NOW)
            ids = [m.id for m in await tx.outbox.pending_for_chat("telegram", "7")]
            assert ids[-1] > pending[0].id  # ids never reused: the table kept AUTOINCREMENT
    finally:
        await database.close()


async def test_the_drainer_takes_a_chat_with_an_urgent_message_first(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'due.db'}")
    await database.migrate()
    try:
        async with database.transaction() as tx:
            await tx.outbox.put_many("telegram", "1", [Outgoing(text="prompt").to_json()], NOW)
            await tx.outbox.put_many("telegram", "2", [Outgoing(text="digest").to_json()], NOW)
            retry = await tx.outbox.put_many("telegram", "2", [Outgoing(text="old").to_json()], NOW)
            await tx.outbox.retry_later(retry[0].id, "network", NOW + timedelta(minutes=5))
            await tx.outbox.put_many("telegram", "3", [Outgoing(text="alert", urgent=True).to_json()], NOW)
            assert await tx.outbox.due_chats(NOW) == [("telegram", "3"), ("telegram", "1"), ("telegram", "2")]
            await tx.outbox.put_many("telegram", "2", [Outgoing(text="alert", urgent=True).to_json()], NOW)
            assert await tx.outbox.due_chats(NOW) == [("telegram", "3"), ("telegram", "2"), ("telegram", "1")]
    finally:
        await database.close()
