"""A practice's database from before the reshaping (schema 0008, rows written as that code wrote
them) upgrades at start-up and goes on working: the client carries on mid-flow, and a reply queued
by the old code (its prompt kind a bare string) is delivered and still reads as a 0–10 scale."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import column, insert, table

from bot.chat.turn import Sender, TextReceived
from bot.core.messages import Button, Expects
from bot.practice.admission import consent_version
from bot.runtime.settings import Settings
from bot.runtime.wiring import open_runtime
from bot.transports.telegram.texts import PRIVACY_NOTE
from flows.mood_check import FEELINGS_PROMPT
from storage import Database
from storage.migrate import current_revision, upgrade
from tests.support.clock import FakeClock
from tests.support.rows import old_person
from tests.support.sinks import FakeSink

CLIENT = Sender("telegram", "7", "7")
OUTBOX_0008 = ("person_id", "transport", "chat_id", "payload", "created_at", "due_at", "attempts")
SCALE_BUTTONS = [[str(n), f"tok:{n}"] for n in range(11)]
OLD_PROMPT = {  # an outbox payload exactly as the code of schema 0008 wrote it
    "text": "How is your mood right now?",
    "purpose": "prompt",
    "buttons": [SCALE_BUTTONS[:6], SCALE_BUTTONS[6:]],
    "expects": "scale",
    "optional": False,
    "edit_of": None,
    "prompt_token": "tok",
    "due_prompt_id": None,
    "coalesce_key": None,
    "attachment": None,
    "reroute": None,
}


async def write_0008_database(url: str, clock: FakeClock) -> None:
    database = Database(url)
    try:
        await upgrade(database.engine, "0008")
        assert await current_revision(database.engine) == "0008"
        now = clock()
        async with database.transaction() as tx:
            person = await old_person(tx.connection, "7", now, update_id=1)
            await tx.clients.record_consent(person, consent_version(PRIVACY_NOTE), now)
            entry_id = await tx.entries.start(person, "mood_check", now)
            await tx.conversations.begin(person, entry_id, "mood_check", "mood", "tok", now, 1)
            old_outbox = table("outbox", *(column(name) for name in OUTBOX_0008))  # 0008's columns only
            stamp = now.replace(tzinfo=None)  # stored as naive UTC on SQLite
            await tx.connection.execute(
                insert(old_outbox).values(
                    person_id=person,
                    transport="telegram",
                    chat_id="7",
                    payload=json.dumps(OLD_PROMPT),
                    created_at=stamp,
                    due_at=stamp,
                    attempts=0,
                )
            )
    finally:
        await database.close()


async def test_a_0008_database_upgrades_and_the_client_carries_on(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'between.db'}"
    clock = FakeClock()
    await write_0008_database(url, clock)
    settings = Settings(_env_file=None, database_url=url, send_rate_per_second=0)  # type: ignore[call-arg]
    async with open_runtime(settings, clock) as runtime:
        assert await current_revision(runtime.database.engine) not in (None, "0008")
        sink = FakeSink()
        runtime.courier.register("telegram", sink)
        await runtime.courier.deliver_due()
        ((chat, queued),) = sink.sent
        assert chat == "7" and queued.text == OLD_PROMPT["text"]
        choices = tuple(Button(label, data) for row in OLD_PROMPT["buttons"] for label, data in row)
        assert queued.expected == Expects("scale", 0, 10, choices)

        handled = await runtime.conversations.handle(CLIENT, TextReceived("6"), update_id=2)
        await runtime.courier.deliver("telegram", "7", handled.replies)
        assert FEELINGS_PROMPT in (sink.sent[-1][1].text or "")  # the next question, as today's code asks it
        async with runtime.database.transaction() as tx:
            _, conversation = await tx.people.get_with_conversation(1)
        assert conversation is not None and conversation.step_id == "feelings"
        assert conversation.answers == {"mood": 6}
