"""The behavioural-activation activity log (flows/definitions/activity_log.toml), end to end
through the real Application and the fake Bot API: assigned in one line, logged by the client on
two days (a rating off the scale asked again kindly), and read in the digest before the session
with mastery and pleasure, the best and worst rated activities and the days with any activity."""

from __future__ import annotations

import pytest

from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import answer, digest_now, therapist_and_client
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers  # everyone joins by invitation or registration here


async def log_activity(client: FakeUser, what: str, *rest: str) -> None:
    client.mark_read()
    await client.send("/activity")
    await client.expect(2)  # the intro, then "What did you do?"
    await answer(client, what, *rest)


async def test_activities_logged_in_telegram_reach_the_digest(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 3200)
    await therapist.send("/assign Sam activity 19:00 daily")
    (assigned,) = await therapist.expect(1)
    assert (assigned.text or "").startswith("Assigned to Sam: activity log, 19:00 (every day")

    await log_activity(client, "Walked to the park", "press:Just now", "12")  # off the scale
    assert "please choose a number from 0 to 10" in (client.last_message().text or "")
    await answer(client, "6", "8", "press:Skip")  # no mood before: not asked after
    await log_activity(client, "Paid the bills", "press:Earlier today", "7", "1", "3", "5")
    bot.clock.advance(days=1)
    await log_activity(client, "Watched TV", "press:Just now", "1", "3", "press:Skip")
    stored = await rows(database, "entries", "status", "answers", flow_id="activity_log")
    assert [(s, a["activity"], a["mastery"], a["pleasure"]) for s, a in stored] == [
        ("completed", "Walked to the park", 6, 8),
        ("completed", "Paid the bills", 7, 1),
        ("completed", "Watched TV", 1, 3),
    ]

    text = await digest_now(bot, therapist)
    section = text.split("ACTIVITY LOG", 1)[1]
    assert "3 entries on 2 days" in section
    assert "Across the period: mastery 4.7 (1–7) · pleasure 4.0 (1–8)" in section
    assert "Rated highest: “Walked to the park” (mastery 6 · pleasure 8)" in section
    assert "Rated lowest: “Watched TV” (mastery 1 · pleasure 3)" in section
