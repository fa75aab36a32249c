"""The therapist's side at its edges: aliases beyond ASCII, a digest chat that went away, a
series cancelled after its next session was written, sessions missed while down, odd input."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.digest import texts as digest_texts
from bot.practice import texts as ptexts
from storage import Database
from tests.support.fake_bot_api import FakeBotApi
from tests.support.journeys import ask, invite, join, register
from tests.support.rows import count, rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here


async def test_aliases_are_matched_as_people_read_them(api: FakeBotApi, bot: RunningBot) -> None:
    therapist = await register(bot, api, 900, "Ana")
    await join(bot, api, 901, await invite(therapist, "Émile"), "E")
    await bot.tick()
    assert (await ask(therapist, "/assignments émile")) == ptexts.NO_ASSIGNMENTS.format(alias="Émile")
    assert (await ask(therapist, "/invite ÉMILE")) == ptexts.ALIAS_TAKEN.format(alias="ÉMILE")
    await invite(therapist, "Straße")
    assert (await ask(therapist, "/invite STRASSE")) == ptexts.ALIAS_TAKEN.format(alias="STRASSE")


async def test_a_digest_chat_that_removed_the_bot_sends_the_digest_privately(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 902, "Ana")
    await join(bot, api, 903, await invite(therapist, "Kai"), "Kai")
    therapist.mark_read()
    await therapist.send("/digestchat")
    _, line = await therapist.expect(2)
    channel = api.channel(-100900, "Ana's digests")
    await channel.post(line.text or "")
    await bot.tick()
    await channel.expect(1)
    await therapist.expect_text("Done — your digests")
    await channel.remove_bot()
    await ask(therapist, "/digest Kai")
    await bot.tick()  # refused in the channel…
    await bot.tick()  # …and sent privately (the drainer, woken, does this at once)
    note, digest = await therapist.expect(2)
    assert note.text == digest_texts.DIGEST_CHAT_UNREACHABLE
    assert (digest.text or "").startswith("Pre-session digest: Kai")
    assert bot.runtime is not None
    await bot.runtime.courier.flush()
    assert await count(database, "outbox") == 0  # nothing left behind


async def test_a_public_channel_is_not_linked(api: FakeBotApi, bot: RunningBot) -> None:
    therapist = await register(bot, api, 904, "Ana")
    await therapist.send("/digestchat")
    _, line = await therapist.expect(2)
    channel = api.channel(-100901, "Open", username="open_channel")
    await channel.post(line.text or "")
    await bot.tick()
    assert (await channel.expect(1))[0].text == ptexts.DIGEST_CHAT_PUBLIC
    assert "this private chat" in await ask(therapist, "/settings")


async def test_cancelling_a_series_after_its_digest_cancels_the_session_written_ahead(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 905, "Ana")
    await join(bot, api, 906, await invite(therapist, "Kai"), "Kai")
    await ask(therapist, "/session Kai 2026-03-02 12:00 weekly")  # digest due at 10:00 UTC
    bot.clock.advance(hours=1)
    await bot.tick()
    assert await rows(database, "therapy_sessions", "id", "status") == [
        (1, "digest_sent"),
        (2, "scheduled"),
    ]
    reply = await ask(therapist, "/cancelsession 1")
    assert reply.endswith(ptexts.SERIES_ENDS + ".")
    assert await rows(database, "therapy_sessions", "id", "status") == [
        (1, "cancelled"),
        (2, "cancelled"),
    ]
    assert await ask(therapist, "/sessions") == ptexts.NO_SESSIONS


async def test_sessions_that_passed_while_the_bot_was_down_get_no_digest(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 907, "Ana")
    await join(bot, api, 908, await invite(therapist, "Kai"), "Kai")
    await ask(therapist, "/session Kai 2026-03-04 12:00 weekly")
    await bot.stop()
    bot.clock.now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # 4, 11 and 18 March went by
    await bot.start()
    therapist.mark_read()
    await bot.tick()
    assert [m for m in therapist.unread() if (m.text or "").startswith("Pre-session")] == []
    assert await rows(database, "therapy_sessions", "starts_at", "status") == [
        (datetime(2026, 3, 4, 12, 0, tzinfo=UTC), "passed"),
        (datetime(2026, 3, 25, 12, 0, tzinfo=UTC), "scheduled"),
    ]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("/session Kai 0001-01-01 00:30", ptexts.SESSION_PAST),
        ("/session Kai 9999-12-31 23:00", ptexts.SESSION_TOO_FAR),
        ("/session Kai 2030-01-01 10:00", ptexts.SESSION_TOO_FAR),
    ],
)
async def test_session_dates_far_away_get_a_kind_reply(
    api: FakeBotApi, bot: RunningBot, line: str, problem: str
) -> None:
    therapist = await register(bot, api, 909, "Ana")
    await therapist.send("/timezone America/New_York")
    (choice,) = await therapist.expect(1)
    await therapist.press(choice.labels()[0])
    await therapist.expect(1)
    await join(bot, api, 910, await invite(therapist, "Kai"), "Kai")
    assert problem in await ask(therapist, line)


async def test_an_assignment_has_at_most_eight_times_a_day(api: FakeBotApi, bot: RunningBot) -> None:
    therapist = await register(bot, api, 911, "Ana")
    await join(bot, api, 912, await invite(therapist, "Kai"), "Kai")
    times = ",".join(f"{hour:02d}:00" for hour in range(9))
    assert ptexts.TOO_MANY_TIMES.format(most=8) in await ask(therapist, f"/assign Kai mood {times}")


async def test_the_same_homework_at_the_same_time_is_not_assigned_twice(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await register(bot, api, 913, "Ana")
    await join(bot, api, 914, await invite(therapist, "Kai"), "Kai")
    await ask(therapist, "/assign Kai mood 09:30 mon-fri")
    twice = await ask(therapist, "/assign Kai mood 09:30,20:00 fri-sun")  # Friday 09:30 again
    number = (await rows(database, "schedules", "id"))[0][0]
    title = "mood check"
    shown = {"alias": "Kai", "title": title, "time": "09:30", "number": number}
    assert twice == ptexts.ASSIGNED_ALREADY.format(**shown)
    assert await count(database, "schedules") == 1  # they would have been prompted twice
    # other days, or another time, are a second assignment
    assert (await ask(therapist, "/assign Kai mood 09:30 sat,sun")).startswith("Assigned to Kai")
    assert (await ask(therapist, "/assign Kai mood 12:00 mon")).startswith("Assigned to Kai")
    assert await count(database, "schedules") == 3
