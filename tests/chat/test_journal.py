"""/history: the client's own journal, newest first, paged, long entries shown whole."""

from __future__ import annotations

from datetime import timedelta

from bot.chat import texts
from storage import EntryStatus
from tests.support.fake_bot_api import FakeBotApi
from tests.support.running_bot import RunningBot


async def add_entries(bot: RunningBot, telegram_id: str, count: int) -> None:
    assert bot.runtime is not None
    async with bot.runtime.database.transaction() as tx:
        person = await tx.people.find_or_create("telegram", telegram_id, telegram_id, "UTC", bot.clock())
        for n in range(count):
            at = bot.clock() - timedelta(days=count - n)
            entry_id = await tx.entries.start(person.id, "mood_check", at)
            await tx.entries.finish(entry_id, {"mood": n, "feelings": ["calm"]}, EntryStatus.COMPLETED, at)


async def test_an_empty_journal(api: FakeBotApi, bot: RunningBot) -> None:
    user = api.user(6001)
    await user.send("/history")
    (reply,) = await user.expect(1)
    assert reply.text == texts.JOURNAL_EMPTY


async def test_pages_newest_first(api: FakeBotApi, bot: RunningBot) -> None:
    user = api.user(6002)
    await add_entries(bot, "6002", 7)
    await user.send("/history")
    (first,) = await user.expect(1)
    lines = (first.text or "").splitlines()
    assert lines[0] == texts.JOURNAL_HEADER.format(zone="UTC")
    assert lines[1] == "• Sun 1 Mar 09:00 — Mood check: mood 6/10 · calm"
    assert len(lines) == 6 and first.labels() == [texts.BUTTON_OLDER]
    await user.press(texts.BUTTON_OLDER)
    (second,) = await user.expect(1)
    assert len((second.text or "").splitlines()) == 3 and second.labels() == [texts.BUTTON_NEWER]
    assert "mood 0/10" in (second.text or "")


async def test_a_thought_record_opens_in_full_and_only_for_its_owner(
    api: FakeBotApi, bot: RunningBot
) -> None:
    alex, sam = api.user(6003), api.user(6004)
    situation = "On the train home. " + "Everyone seemed to be looking at me. " * 150
    assert bot.runtime is not None
    async with bot.runtime.database.transaction() as tx:
        person = await tx.people.find_or_create("telegram", "6003", "6003", "UTC", bot.clock())
        entry_id = await tx.entries.start(person.id, "thought_record", bot.clock())
        answers = {
            "situation": situation,
            "emotions": ["embarrassed", "~small"],
            "emotion_intensity": {"embarrassed": 80, "~small": 70},
            "hot_thought": "They all think I'm weird",
            "belief_before": 85,
            "traps": ["mind_reading"],
            "evidence_for": "Someone glanced at me",
            "evidence_against": "People look at their phones mostly",
            "balanced_thought": "Most people were busy with themselves",
            "belief_balanced": 55,
            "emotion_rerate": {"embarrassed": 40, "~small": 35},
            "obstacles": None,
        }
        await tx.entries.finish(entry_id, answers, EntryStatus.COMPLETED, bot.clock())
    await alex.send("/history")
    (page,) = await alex.expect(1)
    assert (
        "Thought record: “They all think I'm weird” · believed 85/100 then · the balanced thought 55/100"
        in (page.text or "")
    )
    await alex.press(page.labels()[0])
    parts = await alex.expect(2)  # too long for one Telegram message
    whole = "\n".join(p.text or "" for p in parts)
    assert whole.startswith("Thought record, Mon 2 Mar 09:00")
    assert "Feelings: embarrassed 80 → 40, small 70 → 35" in whole
    assert "Thinking traps: Mind reading" in whole
    assert " ".join(whole.split()).count("Everyone seemed to be looking at me.") == 150  # whole, in order

    await sam.send("/start")
    await sam.expect(2)
    query = await sam.press_data(f"h:o:{entry_id}", message_id=sam.last_message().message_id)
    assert (await sam.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED
    for forged in ("h:x:1", "h:o:", "h:o:99999999999999"):
        query = await sam.press_data(forged, message_id=sam.last_message().message_id)
        assert (await sam.wait_callback_answer(query)).text == texts.BUTTON_EXPIRED
