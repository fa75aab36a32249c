"""When a measure is asked (PHQ-9-shaped, ``min_interval_days=7``), end to end through the real
Application and the fake Bot API: a daily or too-frequent plan is refused with a kind explanation
and the plans it can have; the guided /assign offers only those; the crisis placeholders are
warned about; "before every session" is asked the day before, and follows a session moved or
cancelled."""

from __future__ import annotations

from datetime import date

import pytest

from bot.chat import texts
from bot.practice import texts as ptexts
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import ask, therapist_and_client
from tests.support.rows import rows
from tests.support.running_bot import RunningBot

pytestmark = pytest.mark.strangers

PROMPT = texts.PROMPT.format(title="PHQ-9")


def refusal(time: str = "18:00") -> str:
    return ptexts.MEASURE_TOO_OFTEN.format(title="PHQ-9", least=7, alias="Sam", command="phq9", time=time)


async def asked(database: Database, client: FakeUser) -> list[date]:
    """The local days the client was sent the PHQ-9 prompt."""
    return [day for day, at in await rows(database, "due_prompts", "local_day", "sent_at") if at is not None]


async def test_a_daily_or_too_frequent_measure_is_refused_kindly(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, _ = await therapist_and_client(bot, api, 1400)
    assert await ask(therapist, "/assign Sam phq9 18:00") == refusal()  # no days: daily
    assert await ask(therapist, "/assign Sam phq9 08:00 mon,thu") == refusal("08:00")
    assert await ask(therapist, "/assign Sam phq9 08:00,20:00 mon") == refusal("08:00")
    assert await ask(therapist, "/assign Sam phq9 18:00 every-3-days") == refusal()
    assert "every-14-days" in await ask(therapist, "/assign Sam phq9 18:00 every fortnight")
    assert await rows(database, "schedules", "id") == []  # nothing written
    placeholders = ptexts.CRISIS_PLACEHOLDERS.format(title="PHQ-9", alias="Sam")
    await therapist.send("/assign Sam phq9 18:00 every 14 days")
    done, warning = await therapist.expect(2)
    assert (done.text or "").startswith("Assigned to Sam: PHQ-9, 18:00 (every 14 days, their time, UTC)")
    assert warning.text == placeholders
    await therapist.send("/assign Sam phq9 18:00 mon")  # once a week is every 7 days
    done, warning = await therapist.expect(2)
    assert (done.text or "").startswith("Assigned to Sam: PHQ-9, 18:00 (Mon, their time, UTC)")
    assert await rows(database, "schedules", "cadence", "interval_days") == [
        ("every_n_days", 14),
        ("weekly", None),
    ]
    # other homework is as free as before
    assert (await ask(therapist, "/assign Sam mood 08:00")).startswith("Assigned to Sam: mood check")


async def test_before_every_session_is_asked_the_day_before_and_follows_the_sessions(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    therapist, client = await therapist_and_client(bot, api, 1410)
    await therapist.send("/assign")
    await therapist.expect(1)
    await therapist.press("Sam")
    await therapist.expect(1)
    await therapist.press("PHQ-9")
    (timing,) = await therapist.expect(1)
    assert timing.labels() == ["Before every session", "Before every other session", "Every … days"]
    await therapist.press("Before every session")
    await therapist.expect(1)
    await therapist.send("18:00")
    await therapist.expect(1)
    await therapist.press("Today")
    await therapist.expect(1)
    await therapist.send("/skip")
    done, warning = await therapist.expect(2)
    assert (done.text or "").startswith(
        "Assigned to Sam: PHQ-9, 18:00 (the day before each session, their time, UTC), from today."
    )
    assert warning.text == ptexts.CRISIS_PLACEHOLDERS.format(title="PHQ-9", alias="Sam")
    assert await rows(database, "schedules", "cadence", "times") == [("before_session", ["18:00"])]

    assert (await ask(therapist, "/session Sam 2026-03-05 10:00")).startswith("Session #")  # Thursday
    await bot.tick()
    bot.clock.advance(hours=24 + 8, minutes=59)  # Tuesday 17:59: no session on Wednesday
    await bot.tick()
    bot.clock.advance(hours=24)  # Wednesday 17:59
    await bot.tick()
    assert await asked(database, client) == []
    bot.clock.advance(minutes=1)  # Wednesday 18:00, the day before the session
    await bot.tick()
    assert await asked(database, client) == [date(2026, 3, 4)]
    assert client.last_message().text == PROMPT

    # moved: next week's Thursday session becomes Friday's; asked on Thursday, not Wednesday
    await ask(therapist, "/session Sam 2026-03-12 10:00")
    moving = max(n for (n,) in await rows(database, "therapy_sessions", "id"))
    bot.clock.advance(days=6, hours=-10)  # Tuesday 10 March 08:00: Tuesday and Wednesday are made
    await bot.tick()
    assert await rows(database, "due_prompts", "local_day", status="pending") == [(date(2026, 3, 11),)]
    await ask(therapist, f"/cancelsession {moving}")
    await ask(therapist, "/session Sam 2026-03-13 10:00")
    await bot.tick()
    assert await rows(database, "due_prompts", "local_day", status="pending") == []  # Wednesday's is gone
    bot.clock.advance(days=1, hours=10)  # Wednesday 18:00: nothing
    await bot.tick()
    assert await asked(database, client) == [date(2026, 3, 4)]
    bot.clock.advance(days=1)  # Thursday 18:00: the day before Friday's session
    await bot.tick()
    assert await asked(database, client) == [date(2026, 3, 4), date(2026, 3, 12)]
    assert client.last_message().text == PROMPT

    # cancelled: no prompt on its eve
    await ask(therapist, "/session Sam 2026-03-17 10:00")  # Tuesday
    bot.clock.advance(days=2, hours=15)  # Sunday 15 March 09:00: Monday's prompt is made
    await bot.tick()
    ((pending,),) = await rows(database, "due_prompts", "local_day", status="pending")
    assert pending == date(2026, 3, 16)
    cancelling = max(n for (n,) in await rows(database, "therapy_sessions", "id"))
    await ask(therapist, f"/cancelsession {cancelling}")
    bot.clock.advance(days=1, hours=9)  # Monday 18:00
    await bot.tick()
    assert await asked(database, client) == [date(2026, 3, 4), date(2026, 3, 12)]
