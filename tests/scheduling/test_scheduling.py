"""Scheduled homework end to end: the real bot, the fake Bot API server, a clock we move.

The fake clock starts on Monday 2026-03-02 09:00 UTC; clients are in UTC unless a test moves them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.chat import texts
from bot.cli import schedule as admin
from flows import skip_reason
from flows.mood_check import INTRO, MOOD_PROMPT
from storage import Database
from tests.support.fake_bot_api import BotMessage, FakeBotApi, FakeUser
from tests.support.rows import count, rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

PROMPT_TEXT = texts.PROMPT.format(title="mood check")
REMINDER_TEXT = texts.REMINDER.format(title="mood check")
MONDAY = date(2026, 3, 2)


async def plan(bot: RunningBot, client: str, times: str, **options: str) -> None:
    assert bot.runtime is not None
    line = await admin.add_schedule(
        bot.runtime.database, bot.settings, bot.clock, admin.NewSchedule(client, "mood", times, **options)
    )
    assert line.startswith("schedule ")


def prompts(user: FakeUser) -> list[BotMessage]:
    return [m for m in user.messages() if (m.text or "").startswith((PROMPT_TEXT, REMINDER_TEXT))]


async def prompt_arrives(bot: RunningBot, user: FakeUser, minutes: float) -> BotMessage:
    bot.clock.advance(minutes=minutes)
    await bot.tick()
    (prompt,) = await user.expect(1)
    return prompt


async def test_a_prompt_arrives_at_local_time_and_starts_the_homework(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(3001)
    await plan(bot, "3001", "09:30")
    await bot.tick()
    assert user.messages() == []  # not yet: it is 09:00
    prompt = await prompt_arrives(bot, user, 30)
    assert prompt.text == PROMPT_TEXT
    assert prompt.labels() == ["Start now", "In 15 min", "In 1 hour", "This evening", "Skip today"]

    await user.press("Start now")
    intro, question = await user.expect(2)
    assert (intro.text, question.text) == (INTRO, MOOD_PROMPT)
    started = next(m for m in user.messages() if m.message_id == prompt.message_id)
    assert started.buttons == [] and (started.text or "").endswith(texts.PROMPT_STARTED)
    await user.press("6")
    await user.expect(1)
    await user.press("Skip")
    await user.expect(1)
    await user.press("Skip")
    await user.expect(1)
    await user.press("Skip")
    await user.expect_text("Mood 6/10")

    await bot.tick()  # the same occurrence is never sent twice
    assert len(prompts(user)) == 1
    await bot.stop()
    entries = {
        n: (status, answers)
        for n, status, answers in await rows(database, "entries", "id", "status", "answers")
    }
    sent = await rows(database, "due_prompts", "status", "entry_id")
    assert [  # each prompt with the entry it started
        (status, entries[entry][0], entries[entry][1].get("mood"))
        for status, entry in sent
        if entry in entries
    ] == [("started", "completed", 6)]


async def test_snooze_sends_it_again_later_and_old_buttons_expire(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(3002)
    await plan(bot, "3002", "09:30")
    first = await prompt_arrives(bot, user, 30)
    first_start = first.buttons[0][0][1]
    await user.press("In 15 min")
    await api.wait_until(lambda: user.messages()[-1].buttons == [])
    snoozed = user.messages()[-1]
    assert (snoozed.text or "").endswith(texts.PROMPT_SNOOZED.format(time="09:45"))

    bot.clock.advance(minutes=10)
    await bot.tick()
    assert len(prompts(user)) == 1
    again = await prompt_arrives(bot, user, 5)
    assert again.text == PROMPT_TEXT and again.message_id != first.message_id
    stale = await user.press_data(first_start, message_id=first.message_id)
    assert (await user.wait_callback_answer(stale)).text == texts.BUTTON_EXPIRED
    await user.press("Start now", message_id=again.message_id)
    await user.expect(2)
    await bot.stop()
    assert await rows(database, "due_prompts", "status", "snoozes", local_day=MONDAY) == [("started", 1)]


async def test_skipping_asks_why_once_and_records_it_kindly(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(3003)
    await plan(bot, "3003", "09:30")
    await prompt_arrives(bot, user, 30)
    await user.press("Skip today")
    (question,) = await user.expect(1)
    assert question.text == skip_reason.REASON_PROMPT
    assert "Something else" in question.labels() and "Skip" in question.labels()
    await user.press("Something else")
    (other,) = await user.expect(1)
    assert other.text == tapped(skip_reason.OTHER_PROMPT)
    await user.send("Family visiting all day")
    (thanks,) = await user.expect(1)
    assert thanks.text == skip_reason.THANKS
    await bot.stop()
    assert await rows(database, "due_prompts", "status", "skip_reason", "skip_note", local_day=MONDAY) == [
        ("skipped", "other", "Family visiting all day")
    ]
    assert await count(database, "entries") == 0  # not homework, not in the journal


async def test_one_gentle_reminder_then_missed_at_the_end_of_the_day(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(3004)
    await plan(bot, "3004", "09:30")
    prompt = await prompt_arrives(bot, user, 30)
    bot.clock.advance(minutes=119)
    await bot.tick()
    assert len(prompts(user)) == 1
    reminder = await prompt_arrives(bot, user, 1)
    assert reminder.text == REMINDER_TEXT
    for _ in range(5):  # at most one reminder per prompt
        bot.clock.advance(hours=2)
        await bot.tick()
    assert len(prompts(user)) == 2
    first = next(m for m in user.messages() if m.message_id == prompt.message_id)
    assert first.buttons == [] and first.text == PROMPT_TEXT  # only the newest keeps buttons
    bot.clock.advance(hours=3)  # past midnight: the day is over
    await bot.tick()
    closed = next(m for m in user.messages() if m.message_id == reminder.message_id)
    await api.wait_until(lambda: closed.text == texts.PROMPT_CLOSED)
    assert closed.buttons == []
    await bot.stop()
    assert await rows(database, "due_prompts", "status", "missed_reason", "reminded", local_day=MONDAY) == [
        ("missed", "not_acted", True)
    ]


async def test_no_reminder_in_quiet_hours(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    user = api.user(3005)
    await plan(bot, "3005", "21:00", quiet="22:00-07:00")
    await prompt_arrives(bot, user, 12 * 60)
    for _ in range(5):
        bot.clock.advance(minutes=30)
        await bot.tick()
    assert len(prompts(user)) == 1  # 23:00 is quiet, and the day ends before 07:00
    bot.clock.advance(minutes=30)
    await bot.tick()
    await bot.stop()
    assert await rows(database, "due_prompts", "status", "reminded", "remind_at", local_day=MONDAY) == [
        ("missed", False, None)
    ]


async def test_after_downtime_prompts_within_the_grace_window_are_sent_once(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(3006)
    await plan(bot, "3006", "09:30,10:00")
    await bot.tick()  # materialised, then the bot goes down
    await bot.stop()
    bot.clock.advance(hours=3, minutes=45)  # 12:45: 09:30 is 3h15 late, 10:00 is 2h45 late
    await bot.start()
    await bot.tick()
    await bot.tick()
    assert prompts(user) == []
    await bot.stop()
    assert await rows(database, "due_prompts", "occurrence", "status", "missed_reason", local_day=MONDAY) == [
        ("2026-03-02T09:30", "missed", "late"),
        ("2026-03-02T10:00", "missed", "late"),
    ]


async def test_a_short_outage_still_delivers(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    user = api.user(3007)
    await plan(bot, "3007", "09:30")
    await bot.tick()
    await bot.stop()
    bot.clock.advance(hours=2)  # 11:00: 1h30 late, inside the 2 h grace window
    await bot.start()
    await bot.tick()
    await bot.tick()
    (prompt,) = await user.expect(1)
    assert prompt.text == PROMPT_TEXT
    assert len(prompts(user)) == 1


async def test_server_errors_and_429_lose_and_duplicate_nothing(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    users = [api.user(3100 + n) for n in range(5)]
    for user in users:
        await plan(bot, str(user.id), "09:30")
    api.fail_next("sendMessage", status=500, description="Internal Server Error", chat_id=3101)
    api.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 3", retry_after=3, chat_id=3103
    )
    bot.clock.advance(minutes=30)
    await bot.tick()
    assert [len(prompts(u)) for u in users] == [1, 0, 1, 0, 1]
    bot.clock.advance(seconds=3)
    await bot.tick()
    assert [len(prompts(u)) for u in users] == [1, 1, 1, 1, 1]
    for _ in range(3):
        bot.clock.advance(seconds=30)
        await bot.tick()
    assert [len(prompts(u)) for u in users] == [1, 1, 1, 1, 1]
    await bot.stop()
    assert await count(database, "outbox") == 0


async def test_a_client_who_blocked_the_bot_is_marked_and_not_pestered(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(3008)
    await plan(bot, "3008", "09:30")
    api.block(3008)
    bot.clock.advance(minutes=30)
    await bot.tick()
    people = await rows(database, "people", "status", "unreachable_since")
    assert [(status, since is not None) for status, since in people] == [("unreachable", True)]
    attempts = len(api.calls_to("sendMessage"))
    bot.clock.advance(days=1)
    await bot.tick()
    assert len(api.calls_to("sendMessage")) == attempts  # nothing more is tried
    api.unblock(3008)
    await user.send("/start")  # they are back
    await user.expect(2)
    await bot.stop()
    assert await rows(database, "people", "status") == [("active",)]
    assert ("unreachable",) in await rows(database, "due_prompts", "status")


async def test_prompt_buttons_are_checked(api: FakeBotApi, bot: RunningBot) -> None:
    alex, sam = api.user(3009), api.user(3010)
    await plan(bot, "3009", "09:30")
    prompt = await prompt_arrives(bot, alex, 30)
    start_data = prompt.buttons[0][0][1]
    await sam.send("/start")
    await sam.expect(2)
    for forged in (start_data, "!999999:abcdefgh:s", "!x:y:z", "!1:2"):
        query = await sam.press_data(forged, message_id=sam.last_message().message_id)
        assert (await sam.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED
    query = await alex.press_data(start_data.replace(":s", ":zz"), message_id=prompt.message_id)
    assert (await alex.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED


async def test_schedule_and_timezone_for_clients(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(3011)
    await user.send("/schedule")
    (empty,) = await user.expect(1)
    assert empty.text == texts.NO_SCHEDULE
    await plan(bot, "3011", "08:00,20:30", days="mon-fri")
    await user.send("/schedule")
    (listing,) = await user.expect(1)
    assert listing.text is not None
    assert "Mood check: 08:00, 20:30, weekdays" in listing.text
    assert "Next: mood check at 20:30 on Monday 2 March." in listing.text

    await user.send("/timezone")
    (current,) = await user.expect(1)
    assert (current.text or "").startswith("Your time zone is UTC")
    await user.send("/timezone atlantis")
    (unknown,) = await user.expect(1)
    assert unknown.text == texts.TIMEZONE_UNKNOWN
    await user.send("/timezone Berlin")
    (choice,) = await user.expect(1)
    assert choice.text == texts.TIMEZONE_CONFIRM and choice.labels()[-1] == texts.BUTTON_NONE_OF_THESE
    await user.press(next(label for label in choice.labels() if "Europe/Berlin" in label))
    (done,) = await user.expect(1)
    assert (done.text or "").startswith("Done — your time zone is now Europe/Berlin")

    await bot.tick()  # re-created in Berlin time: 20:30 CET is 19:30 UTC
    await bot.stop()
    pending = await rows(database, "due_prompts", "occurrence", "due_at", status="pending")
    due = sorted(pending, key=lambda row: row[1])
    assert due[0] == ("2026-03-02T20:30", datetime(2026, 3, 2, 19, 30, tzinfo=UTC))


async def test_daylight_saving_day_in_berlin(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    """02:30 does not exist on 2026-03-29 in Berlin: that day's prompt comes at 03:00 local."""
    user = api.user(3012)
    await user.send("/timezone Europe/Berlin")
    (choice,) = await user.expect(1)
    await user.press(choice.labels()[0])
    await user.expect(1)
    bot.clock.now = bot.clock.now.replace(month=3, day=28, hour=12, minute=0)
    await plan(bot, "3012", "02:30", start="2026-03-28")
    await bot.tick()
    bot.clock.now = bot.clock.now.replace(day=29, hour=0, minute=59)
    await bot.tick()
    assert prompts(user) == []
    bot.clock.advance(minutes=1)  # 01:00 UTC = 03:00 CEST
    await bot.tick()
    (prompt,) = await user.expect(1)
    assert prompt.text == PROMPT_TEXT
    await bot.stop()
    assert await rows(database, "due_prompts", "occurrence", "due_at", local_day=date(2026, 3, 29)) == [
        ("2026-03-29T02:30", datetime(2026, 3, 29, 1, 0, tzinfo=UTC))
    ]
