"""A practice file that changes (a new version) while a client is part-way through it: a draft set
aside under version 1, or a conversation still open, is not carried on under version 2 — the
client is told kindly the questions changed and starts afresh, and what they wrote stays in their
journal under the version it was written with. Through the real Application and the fake Bot API,
the bot restarted between the versions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.chat import texts
from bot.runtime.settings import Settings
from storage import Database
from tests.practice.test_homework_as_data_telegram import started
from tests.support.clock import FakeClock
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.homework import readme_example
from tests.support.journeys import answer, invite, join, register
from tests.support.rows import rows

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

V1 = readme_example().replace("min_interval_days = 0 ", "keeps_drafts = true\nmin_interval_days = 0 ")
V2 = V1.replace('version = "1"', 'version = "2"').replace(
    "About how many hours did you sleep last night?", "How long did you sleep?"
)
V3 = V2.replace('version = "2"', 'version = "3"').replace("How long did you sleep?", "Hours of sleep?")
CHANGED = texts.HOMEWORK_CHANGED.format(title="sleep check")


async def sleep_command(client: FakeUser, replies: int = 2) -> list[str]:
    client.mark_read()
    await client.send("/sleep")
    return [m.text or "" for m in await client.expect(replies)]


async def test_a_draft_or_an_open_check_in_of_an_earlier_version_starts_afresh_kindly(
    api: FakeBotApi,
    settings_for: Callable[..., Settings],
    clock: FakeClock,
    database: Database,
    tmp_path: Path,
) -> None:
    assert "keeps_drafts = true" in V1
    folder = tmp_path / "homework"
    folder.mkdir()
    (folder / "sleep.toml").write_text(V1, encoding="utf-8")
    settings = settings_for(api, homework_dir=str(folder), digest_charts=False)
    bot = await started(settings, clock)
    try:
        therapist = await register(bot, api, 800, "Ana")
        client = await join(bot, api, 801, await invite(therapist, "Sam"), "Samantha")
        await bot.tick()
        await sleep_command(client)
        await answer(client, "4")  # then set aside
        await client.send("/cancel")
        await client.expect(1)
    finally:
        await bot.stop()

    # version 2: the draft begun under version 1 is not offered; they start afresh, kindly told
    (folder / "sleep.toml").write_text(V2, encoding="utf-8")
    bot = await started(settings, clock)
    try:
        client = api.user(801)
        changed, _intro, first = await sleep_command(client, 3)
        assert changed == CHANGED
        assert first.startswith("How long did you sleep?")
        assert await rows(database, "entries", "flow_version", "status", "answers") == [
            ("1", "cancelled", {"hours": 4}),  # what they wrote, kept under its version
            ("2", "in_progress", {}),
        ]
        await answer(client, "5")  # the next question is open when the file changes again
    finally:
        await bot.stop()

    # version 3 while version 2's check-in is open: their next answer starts it afresh
    (folder / "sleep.toml").write_text(V3, encoding="utf-8")
    bot = await started(settings, clock)
    try:
        client = api.user(801)
        client.mark_read()
        await client.press("Not rested")
        replies = [m.text or "" for m in await client.expect(3)]  # the old question loses its buttons
        assert replies == [
            CHANGED,
            "A few questions about last night. Any answer is fine.",
            "Hours of sleep?\n0 = none, 12 = 12 or more",
        ], replies
        assert await rows(database, "entries", "flow_version", "status", "answers") == [
            ("1", "cancelled", {"hours": 4}),
            ("2", "cancelled", {"hours": 5}),
            ("3", "in_progress", {}),
        ]
        await answer(client, "7", "press:Rested", "press:Skip")
        client.mark_read()
        await client.send("/history")
        (journal,) = await client.expect(1)
        assert "slept 7 h · Rested" in (journal.text or "") and "(draft)" in (journal.text or "")
    finally:
        await bot.stop()
