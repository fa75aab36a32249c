"""The thought record: per-feeling ratings, your own words, back and skip — engine and Telegram."""

from __future__ import annotations

from datetime import UTC, datetime

from flows import Back, Done, Finished, Pick, Skip, Text, Toggle, advance, start
from flows import texts as engine_texts
from flows.thought_record import (
    BALANCED,
    EMOTIONS,
    HOT_THOUGHT,
    INTRO,
    RERATE,
    SITUATION,
    THOUGHT_RECORD,
    TRAPS,
)
from storage import Database
from tests.support.fake_bot_api import FakeBotApi
from tests.support.outcomes import ask
from tests.support.rows import rows
from tests.support.running_bot import RunningBot
from tests.support.words import tapped

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FLOW = THOUGHT_RECORD


def test_feelings_are_rated_one_by_one_and_rerated_at_the_end() -> None:
    state = start(FLOW).state
    state = ask(advance(FLOW, state, Text("Meeting with my boss on Monday"), NOW)).state
    state = ask(advance(FLOW, state, Toggle("anxious"), NOW)).state
    typed = ask(advance(FLOW, state, Text("overwhelmed, Sad"), NOW))  # own word + a known one
    assert typed.state.selection == ("anxious", "sad", "~overwhelmed")
    assert "✓ overwhelmed" in [c.label for c in typed.prompt.choices]
    first = ask(advance(FLOW, typed.state, Done(), NOW))
    assert first.prompt.text == "How strong was the feeling “anxious”, from 0 (not at all) to 100 (the most)?"
    assert [c.label for c in first.prompt.choices][:3] == ["0", "10", "20"]
    second = ask(advance(FLOW, first.state, Pick("80"), NOW))
    assert "feeling “sad”" in second.prompt.text
    third = ask(advance(FLOW, second.state, Text("65"), NOW))  # any whole number can be typed
    assert "feeling “overwhelmed”" in third.prompt.text
    back = ask(advance(FLOW, third.state, Back(), NOW))  # back one feeling
    assert "feeling “sad”" in back.prompt.text
    state = ask(advance(FLOW, back.state, Pick("60"), NOW)).state
    state = ask(advance(FLOW, state, Pick("90"), NOW)).state
    assert state.step_id == "hot_thought"
    assert state.answers["emotion_intensity"] == {"anxious": 80, "sad": 60, "~overwhelmed": 90}

    state = ask(advance(FLOW, state, Text("I'll get fired"), NOW)).state
    state = ask(advance(FLOW, state, Pick("90"), NOW)).state
    traps = ask(advance(FLOW, state, Skip(), NOW))  # optional
    assert traps.state.step_id == "evidence_for" and traps.state.answers["traps"] is None
    state = traps.state
    for text in ("He frowned", "He thanked me last week", "One meeting doesn't decide my job"):
        state = ask(advance(FLOW, state, Text(text), NOW)).state
    rerate = ask(advance(FLOW, state, Pick("60"), NOW))
    assert rerate.prompt.text == RERATE.format(item="anxious")
    state = rerate.state
    for value in ("40", "50", "30"):
        state = ask(advance(FLOW, state, Pick(value), NOW)).state
    done = advance(FLOW, state, Skip(), NOW)  # the obstacles question is optional
    assert isinstance(done, Finished)
    assert done.answers["emotion_rerate"] == {"anxious": 40, "sad": 50, "~overwhelmed": 30}
    assert "anxious 80 → 40, sad 60 → 50, overwhelmed 90 → 30" in done.summary
    assert "hot thought 90 out of 100 at the time, and you believe the balanced thought 60" in done.summary


def test_changing_the_feelings_resets_their_ratings() -> None:
    state = ask(advance(FLOW, start(FLOW).state, Text("x"), NOW)).state
    state = ask(advance(FLOW, state, Toggle("sad"), NOW)).state
    state = ask(advance(FLOW, state, Done(), NOW)).state
    state = ask(advance(FLOW, state, Pick("50"), NOW)).state
    assert state.step_id == "hot_thought"
    state = ask(advance(FLOW, state, Back(), NOW)).state  # back into the ratings: re-ask the last
    assert state.step_id == "emotion_intensity" and state.answers["emotion_intensity"] == {}
    state = ask(advance(FLOW, state, Back(), NOW)).state
    assert state.step_id == "emotions" and state.selection == ("sad",)
    state = ask(advance(FLOW, state, Toggle("angry"), NOW)).state
    moved = ask(advance(FLOW, state, Done(), NOW))
    assert "feeling “sad”" in moved.prompt.text and "emotion_intensity" not in moved.state.answers


def test_own_words_are_bounded() -> None:
    state = ask(advance(FLOW, start(FLOW).state, Text("x"), NOW)).state
    many = ask(advance(FLOW, state, Text(", ".join(f"word{n}" for n in range(9)) + ", " + "y" * 80), NOW))
    customs = [i for i in many.state.selection if i.startswith("~")]
    assert len(customs) == 5 and all(len(i) <= 25 for i in customs)
    nothing = ask(advance(FLOW, state, Done(), NOW))
    assert nothing.reason == engine_texts.MULTI_CHOICE_EMPTY
    number = ask(advance(FLOW, state, Text("70"), NOW))  # a number is not a feeling
    assert number.reason == engine_texts.MULTI_CHOICE_HINT and number.state.selection == ()


async def test_a_thought_record_in_telegram(api: FakeBotApi, bot: RunningBot, database: Database) -> None:
    user = api.user(5001)
    await user.send("/thought")
    intro, situation = await user.expect(2)
    assert (intro.text, situation.text) == (INTRO, SITUATION)
    long_situation = "At work. " + "It kept going round in my head. " * 100  # long answers are kept whole
    await user.send(long_situation)
    (emotions,) = await user.expect(1)
    assert emotions.text == tapped(EMOTIONS)
    await user.press("Anxious")
    await api.wait_until(lambda: "✓ Anxious" in user.last_message().labels())
    await user.send("dread")
    (typed,) = await user.expect(1)
    assert "✓ dread" in typed.labels()
    await user.press("Done")
    await user.expect_text("feeling “anxious”")
    await user.press("70")
    await user.expect_text("feeling “dread”")
    await user.send("150")
    (again,) = await user.expect(1)
    assert (again.text or "").startswith(engine_texts.SCALE_OUT_OF_RANGE.format(low=0, high=100))
    await user.send("50")
    (hot,) = await user.expect(1)
    assert hot.text == HOT_THOUGHT
    await user.send("/cancel")
    await user.expect(1)
    await bot.stop()
    ((answers,),) = await rows(database, "entries", "answers", status="cancelled")
    assert answers["situation"] == long_situation.strip()
    assert answers["emotion_intensity"] == {"anxious": 70, "~dread": 50}


async def test_traps_and_balance_through_buttons(api: FakeBotApi, bot: RunningBot) -> None:
    user = api.user(5002)
    await user.send("/thought")
    await user.expect(2)
    for text in ("Party",):
        await user.send(text)
    await user.expect(1)
    await user.press("Sad")
    await user.press("Done")
    await user.expect_text("feeling “sad”")
    await user.press("40")
    await user.expect(1)
    await user.send("Nobody likes me")
    await user.expect(1)
    await user.press("80")
    (traps,) = await user.expect(1)
    assert traps.text == tapped(TRAPS) and "Mind reading" in traps.labels()
    await user.press("Mind reading")
    await user.press("Labelling")
    await api.wait_until(lambda: "✓ Labelling" in user.last_message().labels())
    await user.press("Done")
    for text in ("No one talked to me", "Two friends texted after"):
        await user.expect(1)
        await user.send(text)
    (balanced,) = await user.expect(1)
    assert balanced.text == BALANCED
    await user.send("Some people were busy; my friends still care")
    await user.expect(1)
    await user.press("60")
    await user.expect_text("feeling “sad”")
    await user.press("20")
    await user.expect_text("how did it go")
    await user.send("/skip")
    summary = await user.expect_text("Well done")
    assert "hot thought 80 out of 100 at the time, and you believe the balanced thought 60" in (
        summary.text or ""
    ) and "sad 40 → 20" in (summary.text or "")


async def test_a_cancelled_thought_record_is_offered_next_time(
    api: FakeBotApi, bot: RunningBot, database: Database
) -> None:
    user = api.user(5003)
    await user.send("/thought")
    await user.expect(2)
    await user.send("Argument with my sister")
    await user.expect(1)
    await user.press("Angry")
    await user.press("Done")
    await user.expect_text("feeling “angry”")
    await user.send("/cancel")
    await user.expect(1)

    await user.send("/mood")  # short check-ins are not offered drafts
    await user.expect(2)
    await user.send("/cancel")
    await user.expect(1)

    await user.send("/thought")
    (offer,) = await user.expect(1)
    assert (offer.text or "").startswith("You have a thought record you set aside on Mon 2 Mar 09:00")
    await user.press("Carry on")
    (resumed,) = await user.expect(1)
    assert (resumed.text or "").startswith("Welcome back") and "feeling “angry”" in (resumed.text or "")
    await user.press("90")
    (hot,) = await user.expect(1)
    assert hot.text == HOT_THOUGHT
    stale = await user.press_data(offer.buttons[0][0][1], message_id=offer.message_id)
    assert (await user.wait_callback_answer(stale)).text in (
        "This button has expired — please use the latest message.",
        "You have a thought record open — let's finish it first, or /cancel it.",
    )
    await user.send("/cancel")
    await user.expect(1)
    await user.send("/thought")
    await user.expect(1)
    await user.press("Start a new one")
    intro, situation = await user.expect(2)
    assert (intro.text, situation.text) == (INTRO, SITUATION)
    await bot.stop()
    entries = await rows(database, "entries", "status", "answers", "draft", flow_id="thought_record")
    assert [
        (status, (answers.get("emotion_intensity") or {}).get("angry"), draft is None)
        for status, answers, draft in entries
    ] == [("cancelled", 90, True), ("in_progress", None, True)]
