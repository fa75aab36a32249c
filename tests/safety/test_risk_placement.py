"""Placement (issue #16, part 4), in-process: every explicit phrase of riskset-2's held-back quarter
and three of each category of its tuning part, written inside a long thought-record answer, as an
edited message, as a photo caption and after /note, through the conversation service of one
runtime. Where it is written changes nothing: a phrase recognised alone gets the crisis message and
a risk event in every place, one the list misses alone is missed there too (recall is gated in
test_risk_evaluation.py, not counted twice). A few go through the real bot in
test_risk_placement_telegram.py."""

from __future__ import annotations

from collections import Counter

from benchmarks.risk_language_report import EvalPhrase, read_eval2
from bot.chat import texts
from bot.chat.turn import (
    CommandReceived,
    EditedText,
    Event,
    Handled,
    Sender,
    TextReceived,
    UnsupportedReceived,
)
from bot.runtime.wiring import Runtime
from bot.safety.risk_language import default_detector
from flows.thought_record import SITUATION
from tests.safety.test_risk_evaluation import THOUGHT_RECORD_AFTER, THOUGHT_RECORD_BEFORE
from tests.support.clock import FakeClock
from tests.support.enrolment import enrol
from tests.support.rows import rows

CRISIS_HEAD = "Thank you for telling me."
TUNING_PER_CATEGORY = 3
FIRST_USER = 60_000


def placed_phrases() -> list[EvalPhrase]:
    """The held-back explicit phrases, then the first few of each category of the tuning part."""
    explicit = [p for p in read_eval2() if p.set == "risk_explicit"]
    tuning: dict[str, list[EvalPhrase]] = {}
    for phrase in explicit:
        if not phrase.held_back:
            tuning.setdefault(phrase.tag, []).append(phrase)
    sample = [p for tag in sorted(tuning) for p in tuning[tag][:TUNING_PER_CATEGORY]]
    return [p for p in explicit if p.held_back] + sample


def texts_of(handled: Handled) -> list[str]:
    return [str(reply.payload.get("text") or "") for reply in handled.replies]


def crisis_sent(handled: Handled) -> bool:
    return any(text.startswith(CRISIS_HEAD) for text in texts_of(handled))


async def place(runtime: Runtime, sender: Sender, placement: str, text: str) -> Handled:
    """Write `text` in the given place, as the transports hand it to the service."""
    handle = runtime.conversations.handle
    event: Event
    if placement == "answer":
        opened = await handle(sender, CommandReceived("thought"))
        assert SITUATION in texts_of(opened)
        event = TextReceived(THOUGHT_RECORD_BEFORE + text + THOUGHT_RECORD_AFTER)
    elif placement == "edit":
        event = EditedText(text)
    elif placement == "caption":
        event = UnsupportedReceived("photo", caption=text)
    else:
        event = CommandReceived("note", text)
    return await handle(sender, event)


WHERE = {"edit": "edit", "caption": "caption", "note": "note", "answer": "thought_record.situation"}


def test_the_placed_phrases_are_the_held_back_quarter_and_a_sample() -> None:
    placed = placed_phrases()
    assert len([p for p in placed if p.held_back]) == 58
    assert len(placed) == 58 + 8 * TUNING_PER_CATEGORY


async def test_every_placed_phrase_is_read_the_same_wherever_it_is_written(
    runtime: Runtime, clock: FakeClock
) -> None:
    detector = default_detector()
    wrong: list[tuple[str, str, str]] = []
    expected: Counter[str] = Counter()
    for number, phrase in enumerate(placed_phrases()):
        user_id = FIRST_USER + number  # a client of their own: nothing paused or pending before
        await enrol(runtime.database, user_id, clock())
        sender = Sender("telegram", str(user_id), str(user_id))
        alone = detector.check(phrase.text) is not None
        for placement in WHERE:  # the thought record last: it stays paused behind the message
            handled = await place(runtime, sender, placement, phrase.text)
            if crisis_sent(handled) != alone:
                wrong.append((placement, phrase.tag, phrase.text))
            expected[WHERE[placement]] += alone
    assert wrong == []
    stored = Counter(where for (where,) in await rows(runtime.database, "risk_events", "where"))
    assert stored == +expected
    assert expected["edit"] >= 44 + 8 * TUNING_PER_CATEGORY  # as measured: 44 of the 58 held back


async def test_a_placed_answer_is_kept_and_its_flow_waits(runtime: Runtime, clock: FakeClock) -> None:
    phrase = next(p for p in placed_phrases() if default_detector().check(p.text) is not None)
    await enrol(runtime.database, FIRST_USER - 1, clock())
    sender = Sender("telegram", str(FIRST_USER - 1), str(FIRST_USER - 1))
    handled = await place(runtime, sender, "answer", phrase.text)
    assert crisis_sent(handled)
    assert texts.BUTTON_NOT_SAFE in str([reply.payload for reply in handled.replies])
    paused = await rows(runtime.database, "conversations", "step_id", "paused_at")
    assert [(step, at is not None) for step, at in paused] == [("emotions", True)]
