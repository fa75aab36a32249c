"""A practice's own homework, end to end: a file in HOMEWORK_DIR (the README's example) is assigned
in the therapist's chat (guided and one line), answered by the client through the real
Application and the fake Bot API, and read in /history and /export — with no code of its own. An
edit of the file (a new version, a question reworded, one removed) never changes how the old
entry reads; a file changed without a new version is refused at start-up while the rest works."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.runtime.settings import Settings
from storage import Database
from tests.support.clock import FakeClock
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.homework import readme_example
from tests.support.journeys import answer, invite, join, register
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

V2 = (
    readme_example()
    .replace('version = "1"', 'version = "2"')
    .replace("About how many hours did you sleep last night?", "How long did you sleep?")
    .replace('journal = "slept {hours} h · {rested}"', 'journal = "{hours} hours"')
    .replace('items = ["hours", { step = "rested", weight = 3 }]', 'items = ["hours"]')
    .replace(', { step = "rested", equals = "no" }', "")
    .replace('{ low = 7, high = 12, name = "fair" },\n  { low = 13, high = 18, name = "good" },', "")
    .replace('{ low = 0, high = 6, name = "poor" },', '{ low = 0, high = 12, name = "any" },')
)
"""The README's sleep check, version 2: "rested" removed, the hours question reworded."""


def without_rested(text: str) -> str:
    start = text.index('[[steps]]\nid = "rested"')
    return text[:start] + text[text.index("[[steps]]", start + 1) :]


async def started(settings: Settings, clock: FakeClock) -> RunningBot:
    running = RunningBot(settings, clock)
    await running.start()
    return running


async def history(client: FakeUser) -> str:
    client.mark_read()
    await client.send("/history")
    (page,) = await client.expect(1)
    return page.text or ""


async def exported_csv(client: FakeUser) -> list[list[str]]:
    client.mark_read()
    await client.send("/export")
    _ready, _data, table = await client.expect(3)
    assert table.content is not None
    return list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))


async def assign_guided(therapist: FakeUser) -> None:
    therapist.mark_read()
    await therapist.send("/assign")
    (clients,) = await therapist.expect(1)
    assert clients.labels() == ["Sam"]
    await therapist.press("Sam")
    (homework,) = await therapist.expect(1)
    assert "Sleep check" in homework.labels() and "PHQ-9" in homework.labels()
    await answer(therapist, "press:Sleep check", "08:00", "press:Every day", "press:Today")
    await therapist.send("To see how sleep and mood go together.")
    (done,) = await therapist.expect(1)
    assert (done.text or "").startswith("Assigned to Sam: sleep check, 08:00 (every day")


async def told_and_confident(bot: RunningBot, client: FakeUser, plan: str) -> None:
    """The client hears what was agreed and rates their confidence."""
    await bot.tick()
    told, _confidence = await client.expect(2)
    assert plan in (told.text or "")
    await client.press("8")
    await client.expect(1)


async def answer_the_sleep_check(client: FakeUser) -> str:
    client.mark_read()
    await client.send("/sleep")
    intro, first = await client.expect(2)
    assert intro.text == "A few questions about last night. Any answer is fine."
    assert (first.text or "").startswith(
        "About how many hours did you sleep last night?\n0 = none, 12 = 12 or more"
    )
    await answer(client, "4", "press:Not rested", "toggle:Worry", "press:Done", "8", "press:Skip")
    return client.last_message().text or ""


async def test_a_practice_file_is_assigned_answered_and_read_in_the_journal(
    api: FakeBotApi,
    settings_for: Callable[..., Settings],
    clock: FakeClock,
    database: Database,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "homework"
    folder.mkdir()
    (folder / "sleep.toml").write_text(readme_example(), encoding="utf-8")
    settings = settings_for(api, homework_dir=str(folder), digest_charts=False)
    bot = await started(settings, clock)
    try:
        therapist = await register(bot, api, 700, "Ana")
        client = await join(bot, api, 701, await invite(therapist, "Sam"), "Samantha")
        await bot.tick()
        await assign_guided(therapist)
        await told_and_confident(bot, client, "sleep check, 08:00 (every day)")
        await therapist.send('/assign Sam sleep 21:00 daily "and in the evening"')
        (one_line,) = await therapist.expect(1)
        assert (one_line.text or "").startswith("Assigned to Sam: sleep check, 21:00")
        await told_and_confident(bot, client, "sleep check, 21:00 (every day)")
        assert await rows(database, "schedules", "flow_id", "times") == [
            ("sleep_check", ["08:00"]),
            ("sleep_check", ["21:00"]),
        ]

        client.mark_read()
        await client.send("/help")
        assert "/sleep — a short check-in about last night's sleep" in (
            (await client.expect(1))[0].text or ""
        )
        summary = await answer_the_sleep_check(client)
        assert summary.endswith("Thank you, it's saved. Your sleep score: 4 (poor).")
        assert await rows(database, "entries", "flow_id", "flow_version", "status") == [
            ("sleep_check", "1", "completed")
        ]
        assert "Sleep check: slept 4 h · Not rested" in await history(client)
        table = await exported_csv(client)
        rested = table[0].index("sleep check: rested")
        assert table[1][1:3] == ["sleep check", "completed"] and table[1][rested] == "Not rested"
        assert await rows(database, "homework_definitions", "flow_id", "version") == [
            ("activity_log", "1"),
            ("exposure", "2"),
            ("gad7", "1"),
            ("phq9", "1"),
            ("sleep_check", "1"),
        ]
    finally:
        await bot.stop()

    # version 2: the hours question reworded, "rested" removed — the old entry reads as it was
    (folder / "sleep.toml").write_text(without_rested(V2), encoding="utf-8")
    bot = await started(settings, clock)
    try:
        assert bot.runtime is not None and bot.runtime.catalogue.refused == ()
        client = api.user(701)
        journal = await history(client)
        assert "Sleep check: slept 4 h · Not rested" in journal
        table = await exported_csv(client)
        assert table[1][table[0].index("sleep check: rested")] == "Not rested"
        client.mark_read()
        await client.send("/sleep")
        _intro, first = await client.expect(2)
        assert (first.text or "").startswith("How long did you sleep?")
        await answer(client, "9", "press:Skip")
        journal = await history(client)
        assert "Sleep check: 9 hours" in journal and "Sleep check: slept 4 h · Not rested" in journal
        assert await rows(database, "entries", "flow_version") == [("1",), ("2",)]
        therapist = api.user(700)
        therapist.mark_read()
        await therapist.send("/digest Sam")
        await therapist.expect_text("Preparing the digest for Sam")
        await bot.tick()
        digest = await therapist.expect_text("SLEEP CHECK")
        section = (digest.text or "").split("SLEEP CHECK", 1)[1]
        assert "2 entries" in section
        assert (
            "sleep score 4 (poor)\n  hours slept: 4\n  rested: Not rested\n  kept awake by: Worry\n"
            in section
        )
        assert "  how much: Worry 8" in section  # answered under version 1, read as it was
        assert "sleep score 9 (any)\n  hours slept: 9" in section
    finally:
        await bot.stop()

    # changed again without a new version: refused with one line; the built-ins still work
    (folder / "sleep.toml").write_text(
        without_rested(V2).replace("How long", "For how long"), encoding="utf-8"
    )
    bot = await started(settings, clock)
    try:
        assert bot.runtime is not None
        (refused,) = bot.runtime.catalogue.refused
        assert refused == (
            f'{folder / "sleep.toml"} refused: version: "2" of "sleep_check" was first run with other text; '
            "give the changed file a new version"
        )
        client = api.user(701)
        client.mark_read()
        await client.send("/phq9")
        _intro, item1 = await client.expect(2)
        assert "1. Little interest or pleasure in doing things" in (item1.text or "")
        assert "Sleep check: slept 4 h · Not rested" in await history(client)  # the kept version reads it
    finally:
        await bot.stop()
