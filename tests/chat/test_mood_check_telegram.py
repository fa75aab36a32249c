"""The mood check end to end: the real python-telegram-bot Application, over HTTP, to the fake
Bot API server, with a real SQLite file behind it."""

from __future__ import annotations

from bot.chat import texts
from flows import texts as engine_texts
from flows.common import OBSTACLES_PROMPT
from flows.mood_check import FEELINGS_PROMPT, INTRO, MOOD_PROMPT, NOTE_PROMPT
from storage import Database
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.journeys import settle
from tests.support.rows import count, rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

SCALE = [str(n) for n in range(11)]


async def moods(database: Database, table: str) -> list[object]:
    """The mood answered in each row of ``entries`` or ``conversations`` (None: not yet)."""
    return [answers.get("mood") for (answers,) in await rows(database, table, "answers")]


async def start_mood(user: FakeUser) -> int:
    """Start a mood check; returns the message id of the mood question."""
    await user.send("/mood")
    intro, question = await user.expect(2)
    assert intro.text == INTRO
    assert question.text == MOOD_PROMPT
    assert question.labels() == SCALE
    return question.message_id


async def test_a_whole_mood_check_in_telegram(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    user = api.user(1001)
    await user.send("/start")
    welcome, help_text = await user.expect(2)
    assert welcome.text == texts.WELCOME
    assert "/mood" in (help_text.text or "")

    mood_question = await start_mood(user)
    query = await user.press("7")
    (feelings,) = await user.expect(1)
    assert (await user.wait_callback_answer(query)).text is None
    assert feelings.text == tapped(FEELINGS_PROMPT)
    closed = next(m for m in user.messages() if m.message_id == mood_question)
    assert closed.buttons == [] and closed.text == f"{MOOD_PROMPT}\n\n✓ 7"

    await user.press("Calm")
    await api.wait_until(lambda: "✓ Calm" in user.last_message().labels())
    await user.press("Tired")
    await api.wait_until(lambda: "✓ Tired" in user.last_message().labels())
    await user.press("✓ Calm")  # changed their mind
    await api.wait_until(lambda: "Calm" in user.last_message().labels())
    assert user.last_message().message_id == feelings.message_id  # edited in place, no new messages

    await user.press("Done")
    (note,) = await user.expect(1)
    assert note.text == tapped(NOTE_PROMPT) and note.labels() == ["Skip"]
    await user.send("Slept badly, but the walk helped.")
    (obstacles,) = await user.expect(1)
    assert obstacles.text == tapped(OBSTACLES_PROMPT) and obstacles.labels() == ["Skip"]
    await user.send("The neighbours were loud.")
    (summary,) = await user.expect(1)
    assert "Mood 7/10 — tired" in (summary.text or "")
    assert "walk" not in (summary.text or "")
    await api.wait_until(lambda: user.messages()[-2].buttons == [])  # the last question is closed

    await bot.stop()  # lets the last update finish, so the database is final
    entries = await rows(database, "entries", "flow_id", "status", "answers")
    assert [(flow, status, a.get("mood"), a.get("obstacles")) for flow, status, a in entries] == [
        ("mood_check", "completed", 7, "The neighbours were loud.")
    ]
    assert await count(database, "conversations") == 0
    assert await count(database, "outbox") == 0


async def test_commands_are_published(api: FakeBotApi, bot: RunningBot) -> None:
    names = [c["command"] for c in api.commands]
    assert names[:2] == ["start", "mood"]
    assert {"cancel", "help"} <= set(names)


async def test_out_of_range_and_non_numeric_ratings_are_reasked(api: FakeBotApi, bot: RunningBot) -> None:
    user = api.user(1002)
    first_question = await start_mood(user)
    await user.send("12")
    (again,) = await user.expect(1)
    assert again.text is not None
    assert again.text.startswith(engine_texts.SCALE_OUT_OF_RANGE.format(low=0, high=10))
    assert again.labels() == SCALE
    await user.send("so-so")
    (again,) = await user.expect(1)
    assert again.text is not None and again.text.startswith("I'm looking for a number")
    # only the newest question keeps its buttons
    assert [m.message_id for m in user.messages() if m.buttons] == [again.message_id]
    assert first_question != again.message_id
    await user.send("4")  # typing the number works too
    (feelings,) = await user.expect(1)
    assert feelings.text == tapped(FEELINGS_PROMPT)


async def test_stickers_photos_and_voice_get_a_kind_reply_and_lose_nothing(
    api: FakeBotApi, bot: RunningBot
) -> None:
    user = api.user(1003)
    await start_mood(user)
    for send in (user.send_sticker, user.send_photo, user.send_voice):
        await send()
        (reply,) = await user.expect(1)
        assert reply.text == texts.MEDIA_NOT_READ
    await user.press("6")  # the question is still open and answerable
    (feelings,) = await user.expect(1)
    assert feelings.text == tapped(FEELINGS_PROMPT)


async def test_text_where_a_button_is_expected_reshows_the_buttons(api: FakeBotApi, bot: RunningBot) -> None:
    user = api.user(1004)
    await start_mood(user)
    await user.press("5")
    await user.expect(1)
    await user.send("I feel kind of flat")
    (again,) = await user.expect(1)
    assert again.text == f"{tapped(engine_texts.MULTI_CHOICE_HINT)}\n\n{tapped(FEELINGS_PROMPT)}"
    assert "Done" in again.labels() and "Skip" in again.labels()


async def test_stale_and_forged_buttons_expire_politely_and_change_nothing(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(1005)
    first_question = await start_mood(user)
    first_buttons = next(m for m in user.messages() if m.message_id == first_question).buttons
    await user.press("8")
    await user.expect(1)
    before = len(user.messages())

    stale_data = next(data for label, data in first_buttons[0] if label == "3")
    query = await user.press_data(stale_data, message_id=first_question)
    assert (await user.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED
    for forged in ("garbage", "xxxxxxxx:p5", "", "x" * 64):
        query = await user.press_data(forged, message_id=first_question)
        assert (await user.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED

    # another client's button, pressed in this chat, is just as expired
    other = api.user(1006)
    await start_mood(other)
    other_data = other.last_message().buttons[0][1][1]
    query = await user.press_data(other_data, message_id=first_question)
    assert (await user.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED

    await settle(user)
    assert len(user.messages()) == before + 1  # only the /help reply
    assert await moods(database, "conversations") == [8, None]  # by person


async def test_commands_mid_flow(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    user = api.user(1007)
    await start_mood(user)
    await user.press("2")
    await user.expect(1)

    await user.send("/mood")
    (still,) = await user.expect(1)
    assert still.text == f"{texts.STILL_OPEN.format(a_title='a mood check')}\n\n{tapped(FEELINGS_PROMPT)}"

    await user.send("/help")
    help_text, reshown = await user.expect(2)
    assert (help_text.text or "").startswith(texts.HELP_HEADER)
    assert reshown.text is not None and reshown.text.endswith(tapped(FEELINGS_PROMPT))

    await user.send("/nonsense")
    (unknown,) = await user.expect(1)
    assert unknown.text == texts.UNKNOWN_COMMAND

    await user.send("/cancel")
    (cancelled,) = await user.expect(1)
    assert cancelled.text == texts.CANCELLED.format(title="mood check", command="mood")
    assert all(m.buttons == [] for m in user.messages())
    entries = await rows(database, "entries", "status", "answers")
    assert [(status, answers.get("mood")) for status, answers in entries] == [("cancelled", 2)]
    await user.send("/cancel")
    (nothing,) = await user.expect(1)
    assert nothing.text == texts.NOTHING_OPEN


async def test_skip_and_back(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    user = api.user(1008)
    await start_mood(user)
    await user.send("/skip")
    (refused,) = await user.expect(1)
    assert refused.text is not None and refused.text.startswith(engine_texts.NOT_SKIPPABLE)
    await user.press("9")
    await user.expect(1)
    await user.send("/back")
    (back,) = await user.expect(1)
    assert back.text == MOOD_PROMPT
    await user.press("3")
    await user.expect(1)
    await user.press("Skip")
    (note,) = await user.expect(1)
    assert note.text == tapped(NOTE_PROMPT)
    await user.press("Skip")
    (obstacles,) = await user.expect(1)
    assert obstacles.text == tapped(OBSTACLES_PROMPT)
    await user.send("/skip")
    await user.expect_text("Mood 3/10")
    assert await rows(database, "entries", "answers") == [
        ({"mood": 3, "feelings": None, "note": None, "obstacles": None},)
    ]


async def test_a_repeated_update_is_handled_once(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(1009)
    update_id = await user.send("/mood")
    await user.expect(2)
    await api.redeliver(update_id)
    await settle(user)
    assert len(user.messages()) == 3
    assert await count(database, "entries") == 1


async def test_group_chats_do_not_run_client_flows(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    group = api.group(-5001)
    member = api.user(1010)
    await group.send(member, "/mood")
    await api.wait_until(lambda: len(api.sent_messages(-5001)) == 1)
    assert api.sent_messages(-5001)[0].text == texts.PRIVATE_ONLY
    await group.send(member, "I feel awful")
    await settle(member)
    assert len(api.sent_messages(-5001)) == 1
    assert await count(database, "entries") == 0


async def test_forwarded_messages_are_not_answers(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(1011)
    await start_mood(user)
    await user.forward("7")
    await settle(user)
    assert await moods(database, "conversations") == [None]


async def test_a_restart_mid_flow_resumes_at_the_same_step(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(1012)
    await start_mood(user)
    await user.press("1")
    (feelings,) = await user.expect(1)
    await user.press("Lonely")
    await api.wait_until(lambda: "✓ Lonely" in user.last_message().labels())

    await bot.stop()
    await bot.start()

    await user.press("Sad", message_id=feelings.message_id)  # the same buttons still work
    await api.wait_until(lambda: "✓ Sad" in user.last_message().labels())
    await user.press("Done")
    await user.expect(1)
    await user.press("Skip")
    await user.expect(1)
    await user.press("Skip")
    await user.expect_text("Mood 1/10 — sad, lonely")
    assert await rows(database, "entries", "status") == [("completed",)]


async def test_failed_sends_stay_in_the_outbox_and_arrive_in_order(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(1013)
    api.fail_next("sendMessage", status=500, description="Internal Server Error")
    await user.send("/mood")
    await settle(api.user(1099))  # updates are handled in order: the failed delivery is settled
    assert await count(database, "outbox", chat_id="1013") == 2
    assert user.messages() == []  # nothing out of order: the question waits behind the intro

    api.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7)
    bot.clock.advance(seconds=2)  # backoff after the first failure is 2 s
    await bot.tick()
    assert user.messages() == []
    bot.clock.advance(seconds=7)  # the server asked for 7 s
    await bot.tick()
    intro, question = user.messages()
    assert intro.text == INTRO and question.text == MOOD_PROMPT
    await user.press("5")  # the question's message id was recorded late, and still works
    await user.expect_text(tapped(FEELINGS_PROMPT))
    await bot.stop()
    assert await count(database, "outbox") == 0


async def test_a_blocked_client_does_not_jam_the_outbox(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(1014)
    await start_mood(user)
    api.block(1014)
    await user.press("5")
    other = api.user(1015)
    await start_mood(other)  # handled after the blocked client's update, so that one is done
    assert any(c.method == "sendMessage" and c.params.get("chat_id") == 1014 for c in api.calls[-6:])
    assert await count(database, "outbox", chat_id="1014") == 0
