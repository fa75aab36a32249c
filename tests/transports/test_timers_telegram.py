"""Urge surfing and breathing end to end: live messages through the real Application and the
fake Bot API server, moved on by a controlled clock; restarts mid-timer; the pace per chat."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from bot.chat import texts
from flows import texts as engine_texts
from flows.breathing import CALM_AFTER, CALM_BEFORE
from flows.breathing import INTRO as BREATHING_INTRO
from flows.common import OBSTACLES_PROMPT
from flows.urge_surfing import (
    ACTED_PROMPT,
    CHECK_IN_QUESTION,
    CHECK_IN_THANKS,
    INTENSITY_AFTER,
    INTENSITY_BEFORE,
    INTRO,
    LENGTH_PROMPT,
    NOTE_PROMPT,
    URGE_PROMPT,
)
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.fake_bot_api.models import BotMessage
from tests.support.rows import change, count, rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

SENDS = ("sendmessage", "editmessagetext", "editmessagereplymarkup")


async def entry_answers(database: Database, flow_id: str) -> dict[str, Any]:
    ((answers,),) = await rows(database, "entries", "answers", flow_id=flow_id)
    result: dict[str, Any] = answers
    return result


def message(user: FakeUser, message_id: int) -> BotMessage:
    return next(m for m in user.messages() if m.message_id == message_id)


async def run_clock(bot: RunningBot, seconds: float, step: float = 1.0) -> None:
    """Move the clock on ``seconds`` in steps, doing the bot's timed work at every step."""
    moved = 0.0
    while moved < seconds:
        bot.clock.advance(seconds=step)
        moved += step
        await bot.tick()


async def start_surfing(user: FakeUser, minutes: str) -> BotMessage:
    await user.send("/urge")
    intro, name = await user.expect(2)
    assert (intro.text, name.text, name.labels()) == (INTRO, tapped(URGE_PROMPT), ["Skip"])
    await user.send("checking my phone")
    (intensity,) = await user.expect(1)
    assert intensity.text == INTENSITY_BEFORE
    await user.press("8")
    (length,) = await user.expect(1)
    assert length.text == LENGTH_PROMPT and length.labels() == ["5 minutes", "10 minutes", "15 minutes"]
    await user.send("ten")  # words where a button is expected: the buttons again, kindly
    (length,) = await user.expect(1)
    assert (length.text or "").startswith(tapped(engine_texts.CHOICE_NOT_MATCHED)) and len(
        length.labels()
    ) == 3
    await user.press(f"{minutes} minutes")
    (live,) = await user.expect(1)
    return live


async def test_urge_surfing_with_a_live_countdown_and_a_check_in(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(4001)
    live = await start_surfing(user, "5")
    assert live.text is not None and "5:00 left" in live.text and live.labels() == ["Stop"]
    sent_before = api.bot_message_count(4001)

    await run_clock(bot, 60)
    assert "4:00 left" in (message(user, live.message_id).text or "")
    await run_clock(bot, 121)  # 3:01 in: the check-in
    shown = message(user, live.message_id)
    assert "1:45 left" in (shown.text or "") or "2:00 left" in (shown.text or "")
    assert CHECK_IN_QUESTION in (shown.text or "")
    assert shown.labels() == ["Still riding it", "It's easing", "Stop"]
    await user.press("It's easing", message_id=live.message_id)
    await api.wait_until(lambda: CHECK_IN_THANKS in (message(user, live.message_id).text or ""))
    assert message(user, live.message_id).labels() == ["Stop"]

    await run_clock(bot, 120)  # past 5:00
    done = message(user, live.message_id)
    assert done.text is not None and done.text.startswith("🌊 Time's up — you rode the wave for 5 minutes.")
    assert done.text.endswith(INTENSITY_AFTER) and done.labels()[:3] == ["0", "1", "2"]
    assert api.bot_message_count(4001) == sent_before  # one live message, edited; nothing new

    await user.press("3", message_id=live.message_id)
    (acted,) = await user.expect(1)
    assert acted.text == ACTED_PROMPT
    assert message(user, live.message_id).text == (  # closed, keeping the line that ended the ride
        f"🌊 Time's up — you rode the wave for 5 minutes. Well done.\n\n{INTENSITY_AFTER}\n\n✓ 3"
    )
    await user.press("No")
    (note,) = await user.expect(1)
    assert note.text == tapped(NOTE_PROMPT)
    await user.send("Tight chest at first, then it eased.")
    (obstacles,) = await user.expect(1)
    assert obstacles.text == tapped(OBSTACLES_PROMPT)
    await user.send("/skip")
    summary = await user.expect_text("The urge went from 8 to 3")
    assert "Tight chest" not in (summary.text or "")
    await user.send("/history")
    journal = await user.expect_text("Urge surfing")
    assert "“checking my phone” 8 → 3 · 5 min · didn't act on it" in (journal.text or "")

    await bot.stop()
    answers = await entry_answers(database, "urge_surfing")
    assert answers["urge"] == "checking my phone" and answers["acted"] == "no"
    assert (answers["intensity_before"], answers["intensity_after"]) == (8, 3)
    surf = answers["surf"]
    assert (surf["planned_seconds"], surf["seconds"], surf["stopped_early"]) == (300, 300, False)
    assert [c["answer"] for c in surf["check_ins"]] == ["easing"] and 180 <= surf["check_ins"][0]["at"] < 240
    assert await count(database, "conversations") == 0


async def test_breathing_paced_in_the_chat_with_words_mid_way_and_an_early_stop(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(4002)
    await user.send("/breathe")
    intro, pattern = await user.expect(2)
    assert intro.text == BREATHING_INTRO
    assert pattern.labels() == ["Box · 4-4-4-4", "4-7-8", "Calm · 4-6"]
    await user.press("Box · 4-4-4-4")
    await user.expect(1)
    await user.press("1 minute")
    (calm,) = await user.expect(1)
    assert calm.text == CALM_BEFORE
    await user.send("eleven")  # not a number: asked again, kindly
    (again,) = await user.expect(1)
    assert (again.text or "").startswith("I'm looking for a number from 0 to 10")
    await user.send("4")
    (live,) = await user.expect(1)
    assert "Get ready" in (live.text or "") and live.labels() == ["Stop"]
    first_stop = live.callback_data("Stop")

    await run_clock(bot, 3)
    assert "Breathe in … 1 · 2 · 3 · 4" in (message(user, live.message_id).text or "")
    await run_clock(bot, 4)
    assert "Hold … 1 · 2 · 3 · 4" in (message(user, live.message_id).text or "")

    await user.send("I feel a bit dizzy")  # words while it runs: a kind word, the timer goes on
    (reshown,) = await user.expect(1)
    assert (reshown.text or "").startswith(tapped(engine_texts.TIMER_RUNNING))
    assert message(user, live.message_id).buttons == []  # the old live message is closed
    await run_clock(bot, 4)
    assert "Breathe out" in (message(user, reshown.message_id).text or "")  # the new one moves on

    bot.clock.advance(seconds=0.5)
    await user.press("Stop", message_id=reshown.message_id)
    await api.wait_until(lambda: CALM_AFTER in (message(user, reshown.message_id).text or ""))
    stopped = message(user, reshown.message_id).text or ""
    assert stopped.startswith("🫁 You stopped after 0:11")
    stale = await user.press_data(first_stop, message_id=live.message_id)
    assert (await user.wait_callback_answer(stale)).text == texts.BUTTON_EXPIRED  # an old Stop

    await user.press("6", message_id=reshown.message_id)
    (obstacles,) = await user.expect(1)
    closed = message(user, reshown.message_id).text or ""
    assert closed.startswith("🫁 You stopped after 0:11") and closed.endswith(f"{CALM_AFTER}\n\n✓ 6")
    assert obstacles.text == tapped(OBSTACLES_PROMPT)
    await user.send("Hard to find a quiet spot")
    await user.expect_text("Calm went from 4 to 6")
    await bot.stop()
    answers = await entry_answers(database, "breathing")
    assert answers["pattern"] == "box" and answers["obstacles"] == "Hard to find a quiet spot"
    assert answers["breathe"]["stopped_early"] is True and answers["breathe"]["seconds"] == 11


async def test_a_restart_during_a_running_timer_carries_on_from_the_stored_times(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(4003)
    live = await start_surfing(user, "10")
    await run_clock(bot, 60, step=5)
    assert "9:00 left" in (message(user, live.message_id).text or "")

    await bot.stop()
    bot.clock.advance(seconds=150)  # down for two and a half minutes
    await bot.start()
    await bot.tick()
    resumed = message(user, live.message_id)
    assert "6:30 left" in (resumed.text or "")  # where it would be had we never stopped
    assert CHECK_IN_QUESTION in (resumed.text or "")  # and the check-in that fell due meanwhile
    await user.press("Still riding it", message_id=live.message_id)
    await api.wait_until(lambda: CHECK_IN_THANKS in (message(user, live.message_id).text or ""))

    await bot.stop()
    bot.clock.advance(minutes=20)  # down past the end of the timer
    await bot.start()
    await bot.tick()
    ended = message(user, live.message_id)
    assert (ended.text or "").startswith("🌊 Time's up") and (ended.text or "").endswith(INTENSITY_AFTER)
    await user.press("2", message_id=live.message_id)
    await user.expect(1)
    await bot.stop()
    ((answers,),) = await rows(database, "conversations", "answers")
    surf = answers["surf"]
    assert (surf["seconds"], surf["stopped_early"]) == (600, False)
    assert [c["answer"] for c in surf["check_ins"]] == ["riding"]


async def test_no_timer_sends_more_than_one_message_or_edit_a_second_to_a_chat(
    api: FakeBotApi, bot: RunningBot
) -> None:
    breather, surfer = api.user(4004), api.user(4005)
    await breather.send("/breathe")
    await breather.expect(2)
    await breather.press("Calm · 4-6")
    await breather.expect(1)
    await breather.press("3 minutes")
    await breather.expect(1)
    await breather.press("5")
    await breather.expect(1)
    surf = await start_surfing(surfer, "5")

    seen = len(api.calls)
    sends: dict[int, list[tuple[float, str]]] = {4004: [], 4005: []}  # (time, what caused it)

    def record(now: float, cause: str) -> None:
        nonlocal seen
        for call in api.calls[seen:]:
            if call.method.lower() in SENDS and int(call.params["chat_id"]) in sends:
                sends[int(call.params["chat_id"])].append((now, cause))
        seen = len(api.calls)

    for quarter in range(1, 4 * 200):
        bot.clock.advance(seconds=0.25)
        if quarter / 4 == 194.5:  # half a second before the countdown's next frame
            assert CHECK_IN_QUESTION in (message(surfer, surf.message_id).text or "")
            await surfer.press("It's easing", message_id=surf.message_id)  # the client's own reply
            await api.wait_until(lambda: CHECK_IN_THANKS in (message(surfer, surf.message_id).text or ""))
            record(quarter / 4, "reply")
        await bot.tick()
        record(quarter / 4, "timer")

    assert [cause for _, cause in sends[4005]].count("reply") == 1
    assert len(sends[4004]) >= 35  # the breathing message moved with every phase…
    assert len(sends[4005]) >= 13  # …and the countdown every 15 s
    for chat, timeline in sends.items():
        for (before, _), (at, cause) in itertools.pairwise(timeline):
            if cause == "timer":  # …never within a second of anything else in the chat
                assert at - before >= 1.0, (chat, before, at)


async def test_a_rate_limited_chat_gets_only_the_newest_frame_when_it_may_send_again(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(4006)
    live = await start_surfing(user, "15")
    api.fail_next(
        "editMessageText", status=429, description="Too Many Requests: retry after 60", retry_after=60
    )
    await run_clock(bot, 55, step=5)  # eleven frames fall due while the chat must wait
    assert await count(database, "outbox", chat_id="4006") == 1
    assert "15:00 left" in (message(user, live.message_id).text or "")
    edits_before = len(api.calls_to("editMessageText"))
    await run_clock(bot, 15, step=5)  # 70 s in: still waiting
    assert "15:00 left" in (message(user, live.message_id).text or "")
    await run_clock(bot, 5, step=5)  # 75 s in: the wait is over
    assert "13:45 left" in (message(user, live.message_id).text or "")
    assert len(api.calls_to("editMessageText")) - edits_before == 1  # not the stale frames


async def test_cancelling_a_running_timer_stops_it_and_keeps_what_was_done(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(4007)
    live = await start_surfing(user, "5")
    await run_clock(bot, 30, step=5)
    await user.send("/help")  # a command mid-timer: help, then the live message shown again
    await user.expect_text("/urge")
    (reshown,) = await user.expect(1)
    assert "4:30 left" in (reshown.text or "") and reshown.labels() == ["Stop"]
    await user.send("/cancel")
    await user.expect_text("urge surfing")
    sent = len(api.calls)
    await run_clock(bot, 60, step=5)
    assert [c for c in api.calls[sent:] if c.method.lower() in SENDS] == []  # nothing moves on
    assert message(user, live.message_id).buttons == [] and message(user, reshown.message_id).buttons == []
    await bot.stop()
    assert await rows(database, "entries", "status") == [("cancelled",)]
    assert await count(database, "conversations") == 0


async def test_an_unchanged_frame_and_a_vanished_live_message_are_harmless(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(4008)
    live = await start_surfing(user, "5")
    await run_clock(bot, 15, step=5)
    assert "4:45 left" in (message(user, live.message_id).text or "")
    await change(
        database, "conversations", {}, wake_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    )  # as if a tick ran twice
    await run_clock(bot, 1)
    assert "not modified" in (api.calls_to("editMessageText")[-1].description or "")
    edits = len(api.calls_to("editMessageText"))
    await run_clock(bot, 5)
    assert len(api.calls_to("editMessageText")) == edits  # settled as shown, not retried
    assert await count(database, "outbox") == 0

    await run_clock(bot, 9)
    assert "4:30 left" in (message(user, live.message_id).text or "")  # and the timer goes on

    message(user, live.message_id).deleted = True  # the client deleted the live message
    await run_clock(bot, 290, step=5)
    (question,) = await user.expect(1)  # the question after the timer still reaches them
    assert question.message_id != live.message_id and (question.text or "").endswith(INTENSITY_AFTER)
    await user.press("4", message_id=question.message_id)
    (acted,) = await user.expect(1)
    assert acted.text == ACTED_PROMPT
