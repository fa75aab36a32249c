"""The session calendar: local times for the therapist, repeating sessions, the lead time,
cancelling, and a digest that falls due while the bot is down."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.local_time import next_in_series
from bot.practice import texts as ptexts
from storage import Database, SessionRow
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import ask, invite, join, register
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here

BERLIN = ZoneInfo("Europe/Berlin")


async def therapist_in_berlin(bot: RunningBot, api: FakeBotApi, user_id: int) -> FakeUser:
    therapist = await register(bot, api, user_id, "Ana")
    await therapist.send("/timezone Europe/Berlin")
    (choice,) = await therapist.expect(1)
    await therapist.press(choice.labels()[0])
    await therapist.expect(1)
    await join(bot, api, user_id + 100, await invite(therapist, "Sam"), "Sam")
    await bot.tick()
    therapist.mark_read()
    return therapist


def digests(therapist: FakeUser) -> list[str]:
    return [m.text or "" for m in therapist.messages() if (m.text or "").startswith("Pre-session digest")]


def utc(*moment: int) -> datetime:
    return datetime(*moment, tzinfo=UTC)


async def test_weekly_sessions_in_the_therapists_zone_with_a_digest_before_each(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await therapist_in_berlin(bot, api, 800)
    reply = await ask(therapist, "/session Sam 2026-03-04 17:00 weekly")
    assert reply == ptexts.SESSION_ADDED.format(
        number=1,
        alias="Sam",
        when="Wed 4 Mar 17:00",
        zone="Europe/Berlin",
        repeat=", weekly",
        digest="at Wed 4 Mar 15:00",
    )
    assert await rows(database, "therapy_sessions", "starts_at", "digest_due_at") == [
        (utc(2026, 3, 4, 16), utc(2026, 3, 4, 14))  # CET = UTC+1
    ]
    assert "#1 Sam — Wed 4 Mar 17:00, weekly" in await ask(therapist, "/sessions")

    bot.clock.now = datetime(2026, 3, 4, 13, 59, tzinfo=UTC)
    await bot.tick()
    assert digests(therapist) == []
    bot.clock.advance(minutes=1)
    await bot.tick()
    await therapist.expect(1)
    assert len(digests(therapist)) == 1
    # the series goes on: next Wednesday at 17:00 Berlin time
    assert await rows(database, "therapy_sessions", "id", "starts_at", "status") == [
        (1, utc(2026, 3, 4, 16), "digest_sent"),
        (2, utc(2026, 3, 11, 16), "scheduled"),
    ]

    # a shorter lead moves the next digest; cancelling stops the series
    assert await ask(therapist, "/settings lead 30") == ptexts.LEAD_SET.format(minutes=30)
    assert await rows(database, "therapy_sessions", "digest_due_at", id=2) == [(utc(2026, 3, 11, 15, 30),)]
    cancelled = await ask(therapist, "/cancelsession 2")
    assert cancelled == ptexts.SESSION_CANCELLED.format(
        number=2, alias="Sam", when="Wed 11 Mar 17:00", series=ptexts.SERIES_ENDS
    )
    bot.clock.now = datetime(2026, 3, 11, 16, 0, tzinfo=UTC)
    await bot.tick()
    assert len(digests(therapist)) == 1
    assert await ask(therapist, "/sessions") == ptexts.NO_SESSIONS


def test_a_weekly_session_keeps_its_local_time_across_the_change_to_summer_time() -> None:
    before = datetime(2026, 3, 25, 17, 0, tzinfo=BERLIN).astimezone(UTC)  # CET
    session = SessionRow(1, 2, 3, before, "weekly", "digest_sent", before, before, before, before)
    following = next_in_series(session, BERLIN)
    assert following is not None
    assert following.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 4, 1, 17, 0)
    assert following - before == (
        datetime(2026, 4, 1, 15, 0, tzinfo=UTC) - datetime(2026, 3, 25, 16, 0, tzinfo=UTC)
    )
    biweekly = next_in_series(
        SessionRow(1, 2, 3, before, "biweekly", "x", before, None, before, before), BERLIN
    )
    assert biweekly is not None and biweekly.astimezone(BERLIN).day == 8
    assert (
        next_in_series(SessionRow(1, 2, 3, before, "once", "x", before, None, before, before), BERLIN) is None
    )


async def test_a_session_sooner_than_the_lead_gets_its_digest_now(api: FakeBotApi, bot: RunningBot) -> None:
    therapist = await therapist_in_berlin(bot, api, 801)
    reply = await ask(therapist, "/session Sam 2026-03-02 11:00")  # 09:00 UTC = 10:00 Berlin
    assert reply.endswith(f"The digest will come {ptexts.SESSION_DIGEST_NOW}.")
    await bot.tick()
    await therapist.expect(1)
    assert len(digests(therapist)) == 1


async def test_bad_session_lines_get_a_kind_usage(api: FakeBotApi, bot: RunningBot) -> None:
    therapist = await therapist_in_berlin(bot, api, 802)
    usage = ptexts.SESSION_USAGE.format(zone="Europe/Berlin")
    assert await ask(therapist, "/session Sam") == usage
    assert await ask(therapist, "/session Sam 2026-03-10 17:00 monthly") == usage
    assert "is not a date" in await ask(therapist, "/session Sam 10.03.2026 17:00")
    assert ptexts.SESSION_PAST in await ask(therapist, "/session Sam 2026-03-01 17:00")
    assert await ask(therapist, "/settings lead 0") == ptexts.LEAD_USAGE
    assert await ask(therapist, "/settings lead soon") == ptexts.LEAD_USAGE
    assert await ask(therapist, "/cancelsession x") == ptexts.CANCEL_USAGE


async def test_a_digest_due_while_the_bot_was_down_comes_once_after_restart(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist = await therapist_in_berlin(bot, api, 803)
    await ask(therapist, "/session Sam 2026-03-03 12:00")
    await bot.stop()
    bot.clock.now = datetime(2026, 3, 3, 10, 30, tzinfo=UTC)  # due at 09:00 UTC, session at 11:00 UTC
    await bot.start()
    await bot.tick()
    await therapist.expect(1)
    await bot.tick()
    assert len(digests(therapist)) == 1
    assert await rows(database, "therapy_sessions", "status") == [("digest_sent",)]
