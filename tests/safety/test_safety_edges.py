"""Where a cry for help could slip through — each once found by a review, each now answered:
out-of-date consent, a flood, a /start or command with words, a caption edited later, a flow
open when the words came another way; and what must not happen: a therapist's clinical words
treated as a crisis, "not safe" forgotten, the follow-up starved by a failing tick, an erased
person's id handed to the next newcomer, plaintext left behind by an upgrade."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.chat import texts
from bot.runtime.settings import Settings
from bot.runtime.wiring import _job, open_runtime, scheduled_work
from storage import Database, EntryStatus, StorageError
from storage.crypto import KeyRing
from tests.support.clock import FakeClock
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import RISKY, invite, join, therapist_and_client
from tests.support.rows import change, count, rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

CRISIS_HEAD = "Thank you for telling me."


async def outdated_consent(database: Database, user_id: int) -> None:
    await change(database, "people", {"external_user_id": str(user_id)}, consent_version="old")


async def test_a_client_whose_consent_is_out_of_date_still_gets_the_resources(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    _, client = await therapist_and_client(bot, api, 2000)
    await outdated_consent(database, 2001)
    await client.send(RISKY)
    assert CRISIS_HEAD in ((await client.expect(1))[0].text or "")
    await client.press(texts.BUTTON_SAFE)  # the crisis buttons work before consent too
    await client.expect_text(texts.SAFE_THANKS)


async def test_a_client_who_has_not_agreed_again_may_still_delete_or_decline(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    _, client = await therapist_and_client(bot, api, 2010)
    await outdated_consent(database, 2011)
    await client.send("/delete")
    assert (await client.expect(1))[0].labels() == [texts.BUTTON_DELETE, texts.BUTTON_KEEP]
    await client.send("/help")
    await client.expect(1)
    await client.press(texts.BUTTON_NOT_NOW)
    assert (await client.expect(1))[0].text == texts.CONSENT_DECLINED_EXISTING  # not "nothing kept"


@pytest.mark.parametrize(
    "sent", [f"/start {RISKY}", "/note\nsuicidal again, I have a plan", f"/history {RISKY}"]
)
async def test_words_after_a_command_are_read(api: FakeBotApi, bot: RunningBot, sent: str) -> None:
    _, client = await therapist_and_client(bot, api, 2020)
    await client.send(sent)
    await client.expect_text(CRISIS_HEAD)


async def test_a_strangers_command_words_are_read(api: FakeBotApi, bot: RunningBot) -> None:
    stranger = api.user(2030)
    await stranger.send(f"/help {RISKY}")
    assert CRISIS_HEAD in ((await stranger.expect(1))[0].text or "")


async def test_a_caption_edited_later_is_read(api: FakeBotApi, bot: RunningBot) -> None:
    _, client = await therapist_and_client(bot, api, 2040)
    message_id = await client.send_photo(caption="my lunch")
    await client.expect(1)
    original = api.user_message(client.chat_id, message_id)
    assert original is not None
    await api.push_update({"edited_message": {**original, "caption": RISKY, "edit_date": int(time.time())}})
    await client.expect_text(CRISIS_HEAD)


async def test_a_flooded_client_in_crisis_still_gets_the_resources(api: FakeBotApi, bot: RunningBot) -> None:
    await bot.stop()
    bot.settings = bot.settings.model_copy(update={"messages_per_minute": 3})
    await bot.start()
    _, client = await therapist_and_client(bot, api, 2050)
    bot.clock.advance(seconds=61)
    for n in range(3):
        await client.send(f"hello {n}")
        await client.expect(1)
    await client.send("one too many")
    assert (await client.expect(1))[0].text == texts.SLOW_DOWN
    await client.send(RISKY)
    await client.expect_text(CRISIS_HEAD)


@pytest.mark.parametrize("way", ["caption", "edit", "note", "cancel"])
async def test_an_open_flow_pauses_however_the_words_came(
    api: FakeBotApi, bot: RunningBot, database: Database, way: str
) -> None:
    _, client = await therapist_and_client(bot, api, 2060)
    first = await client.send("/thought")
    question = (await client.expect(2))[1]
    if way == "caption":
        await client.send_photo(caption=RISKY)
    elif way == "edit":
        await client.edit(first, f"/thought {RISKY}")
    elif way == "note":
        await client.send(f"/note {RISKY}")
    else:
        await client.send(f"/cancel {RISKY}")
    await client.expect_text(CRISIS_HEAD)
    assert [paused is not None for (paused,) in await rows(database, "conversations", "paused_at")] == [True]
    await client.api.wait_until(lambda: question.buttons == [])  # the open question waits too
    if way == "note":
        await client.expect_text(texts.NOTE_KEPT)  # the note is kept all the same
    client.mark_read()
    await client.send("a quiet answer")
    assert (await client.expect(1))[0].text == texts.PAUSED


async def test_a_therapists_clinical_words_are_not_a_crisis(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, _ = await therapist_and_client(bot, api, 2070)
    await therapist.send('/assign Sam mood 08:00 weekdays "to catch the urges to self-harm early"')
    assert ((await therapist.expect(1))[0].text or "").startswith("Assigned to Sam")
    assert await count(database, "risk_events") == 0


async def test_not_safe_stays_on_record(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    therapist, client = await therapist_and_client(bot, api, 2080)
    await client.send(RISKY)
    await client.expect(1)
    await client.press(texts.BUTTON_NOT_SAFE)
    await client.expect(1)
    await client.press(texts.BUTTON_SAFE_NOW)
    await client.expect_text(texts.SAFE_THANKS)
    assert await rows(database, "risk_events", "answer") == [("not_safe",)]
    await therapist.send("/digest Sam")
    await therapist.expect(1)
    await bot.tick()
    digest = await therapist.expect_text("Pre-session digest: Sam")
    assert "when asked: NOT safe" in (digest.text or "")


async def test_the_follow_up_is_asked_even_when_the_scheduler_fails(
    api: FakeBotApi, bot: RunningBot, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, client = await therapist_and_client(bot, api, 2090)
    await client.send(RISKY)
    await client.expect(1)
    assert bot.runtime is not None

    async def broken() -> int:
        raise StorageError("database is locked")

    monkeypatch.setattr(bot.runtime.scheduler, "tick", broken)
    bot.clock.advance(hours=4)
    await _job(scheduled_work, bot.runtime, "scheduler")(None)  # type: ignore[arg-type]
    sent = await rows(database, "risk_events", "follow_up_sent_at")
    assert [at is not None for (at,) in sent] == [True]


async def test_a_newcomer_never_gets_an_erased_persons_id(api: FakeBotApi, bot: RunningBot) -> None:
    therapist, client = await therapist_and_client(bot, api, 2100)
    await client.send(RISKY)
    await client.expect(1)
    await client.send("/delete")
    await client.expect(1)
    await client.press(texts.BUTTON_DELETE)
    await client.expect_text(texts.DELETED)
    await bot.tick()
    await therapist.expect_text("Sam has left")
    therapist.mark_read()
    newcomer: FakeUser = await join(bot, api, 2102, await invite(therapist, "Kim"), "Kim")
    await newcomer.send("/export")
    _, data_file, _ = await newcomer.expect(3)
    assert data_file.content is not None
    assert json.loads(data_file.content.decode())["who_read_your_data"] == []


async def test_text_written_before_encryption_is_sealed_at_start(
    tmp_path: Path, settings_for: Callable[..., Settings]
) -> None:
    canary = "CANARYupgrade4411"
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    url = f"sqlite+aiosqlite:///{tmp_path / 'between.db'}"
    old = Database(url)  # as a practice before encryption wrote it
    await old.migrate()
    async with old.transaction() as tx:
        person = await tx.people.create("telegram", "1", "1", "UTC", now)
        entry = await tx.entries.start(person.id, "mood_check", now)
        await tx.entries.finish(entry, {"note": canary}, EntryStatus.COMPLETED, now)
    await old.close()
    ring = KeyRing.generate()
    async with (
        open_runtime(settings_for(database_url=url), FakeClock(), keyring=ring) as runtime,
        runtime.database.transaction() as tx,
    ):
        (kept,) = await tx.entries.for_person(person.id)
        assert kept.answers == {"note": canary}  # readable through the key…
    files = [tmp_path / "between.db", tmp_path / "between.db-wal"]
    assert all(canary.encode() not in f.read_bytes() for f in files if f.exists())  # …and only so
