"""A client's data is theirs: /export hands all of it over, /delete erases all of it."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.chat import texts
from storage import Database
from storage.models import Base
from storage.privacy import OWNER_COLUMNS, rows_left
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import answer, invite, join, register
from tests.support.rows import count, rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

CANARY = "CANARYpelican5521"


async def client_with_everything(bot: RunningBot, api: FakeBotApi, base: int) -> tuple[FakeUser, FakeUser]:
    """A client with an entry, a draft, a plan, a prompt skipped with a reason, a note, a
    session and a risk event — a row in every table that can hold theirs."""
    therapist = await register(bot, api, base, "Ana")
    client = await join(bot, api, base + 1, await invite(therapist, "Sam"), "Sam")
    await answer(therapist, '/assign Sam mood 09:30 daily "to notice"', "/session Sam 2026-03-20 10:00")
    await bot.tick()
    await client.expect(2)
    await answer(client, "press:7")  # confidence
    await client.send("/mood")
    await client.expect(2)
    await answer(client, "press:6", "press:Done", f"a note {CANARY}", "press:Skip", f"/note bring {CANARY}")
    bot.clock.advance(minutes=30)
    await bot.tick()
    await client.expect(1)
    await answer(client, "press:Skip today", "press:Something else", f"reason {CANARY}")
    await client.send("/thought")
    await client.expect(2)
    await answer(client, f"situation {CANARY}", "I want to kill myself")
    return therapist, client


async def test_export_sends_everything_as_json_and_the_practice_as_csv(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    _, client = await client_with_everything(bot, api, 1100)
    await client.send("/export")
    ready, data_file, table_file = await client.expect(3)
    assert ready.text == texts.EXPORT_READY
    assert data_file.content is not None and table_file.content is not None
    data = json.loads(data_file.content.decode("utf-8"))
    assert (data_file.filename or "").endswith(".json") and (table_file.filename or "").endswith(".csv")
    for table in (
        "people",
        "entries",
        "conversations",
        "schedules",
        "due_prompts",
        "client_notes",
        "risk_events",
    ):
        assert data.get(table), table
    assert data["therapy_sessions"][0]["starts_at"].startswith("2026-03-20T10:00")
    assert CANARY in json.dumps(data)
    assert "code_hash" not in json.dumps(data)
    assert [r["action"] for r in data["who_read_your_data"]] == ["risk_alert"]
    table = list(csv.reader(io.StringIO(table_file.content.decode("utf-8-sig"))))
    assert table[0][:4] == ["started (local time)", "homework", "status", "mood check: mood"]
    assert any(
        row[1] == "mood check" and CANARY in row[table[0].index("mood check: note")] for row in table[1:]
    )
    assert await rows(database, "audit_log", "action", action="export") == [("export",)]


async def test_delete_erases_every_row_and_tells_the_therapist(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await client_with_everything(bot, api, 1110)
    ((person_id,),) = await rows(database, "people", "id", external_user_id="1111")
    assert isinstance(person_id, int)
    await client.send("/delete")
    (confirm,) = await client.expect(1)
    assert confirm.labels() == [texts.BUTTON_DELETE, texts.BUTTON_KEEP]
    await client.press(texts.BUTTON_KEEP)
    assert (await client.expect(1))[0].text == texts.DELETE_KEPT
    await client.send("/delete")
    await client.expect(1)
    await client.press(texts.BUTTON_DELETE)
    assert (await client.expect(1))[0].text == texts.DELETED
    await bot.tick()
    await therapist.expect_text(texts.CLIENT_LEFT.format(alias="Sam"))

    assert bot.runtime is not None
    await bot.runtime.courier.flush()
    async with bot.runtime.database.transaction() as tx:
        assert await rows_left(tx.connection, person_id) == {}
    for table in Base.metadata.sorted_tables:  # no trace of their words anywhere
        for row in await rows(database, table.name):
            assert CANARY not in str(row), table.name
            assert "1111" not in [str(value) for value in row], table.name
    # the audit log keeps that it happened: ids and action names, nothing they wrote
    assert ("erased",) in await rows(database, "audit_log", "action", subject_id=person_id)

    await client.send("hello again")
    assert (await client.expect(1))[0].text == texts.STRANGER


def test_every_table_that_refers_to_a_person_is_covered() -> None:
    referring = {
        table.name
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "people" for fk in column.foreign_keys)
    }
    assert referring - {"people"} <= set(OWNER_COLUMNS) | {"therapy_sessions", "schedules", "one_time_codes"}
    assert referring <= set(OWNER_COLUMNS)


async def test_someone_elses_delete_button_does_nothing(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 1120, "Ana")
    client = await join(bot, api, 1121, await invite(therapist, "Sam"), "Sam")
    query = await client.press_data(
        "del:1:yes", message_id=client.last_message().message_id
    )  # the therapist's id
    assert (await client.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED
    assert await count(database, "people") == 2
