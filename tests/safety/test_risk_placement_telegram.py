"""Risk language through the real bot, wherever it is written (issue #16): one phrase of each
category of riskset-2's tuning part, each category in one of the places — inside a long
thought-record answer, as an edited message, as a photo caption, after /note — so every place is
crossed twice (every held-back phrase in every place goes through the conversation service in
test_risk_placement.py); and a disclosure of harm by others answered with the practice's resources
for abuse and violence: by clients, by strangers, and again after "I'm not safe right now"."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.risk_language_report import read_eval2
from bot.chat import texts
from bot.runtime.settings import Settings, load_settings
from flows.thought_record import EMOTIONS, SITUATION
from tests.conftest import RunningBot
from tests.safety.test_risk_evaluation import THOUGHT_RECORD_AFTER, THOUGHT_RECORD_BEFORE
from tests.support.fake_bot_api import FakeBotApi, FakeUser

DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
HARMED = "harmed_by_others"


def one_phrase_per_category() -> list[tuple[str, str]]:
    """(category, phrase): the first of each category in the tuning part of riskset-2."""
    first: dict[str, str] = {}
    for phrase in read_eval2():
        if phrase.set == "risk_explicit" and not phrase.held_back:
            first.setdefault(phrase.tag, phrase.text)
    return sorted(first.items())


SAMPLE = one_phrase_per_category()
PLACES = ("answer", "edit", "caption", "note")
PLACED = [(PLACES[n % len(PLACES)], category, text) for n, (category, text) in enumerate(SAMPLE)]


def rows(database_url: str, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database_url.split(":///", 1)[1]) as connection:
        return connection.execute(sql).fetchall()


def crisis(harmed: bool, abuse_line: str = DEFAULTS.crisis_abuse_line) -> str:
    """The crisis message a client with no therapist gets, with the default resources."""
    return (texts.CRISIS_HARMED if harmed else texts.CRISIS).format(
        emergency=DEFAULTS.crisis_emergency,
        line=DEFAULTS.crisis_line,
        text_line=DEFAULTS.crisis_text_line,
        abuse_line=abuse_line,
        told="",
    )


async def place(client: FakeUser, placement: str, text: str) -> str:
    """Write `text` in the given place; returns the `where` the risk event should record."""
    if placement == "answer":
        await client.send("/thought")
        await client.expect_text(SITUATION)
        await client.send(THOUGHT_RECORD_BEFORE + text + THOUGHT_RECORD_AFTER)
        return "thought_record.situation"
    if placement == "edit":
        message_id = await client.send("/mood")
        await client.expect(2)
        await client.edit(message_id, text)
    elif placement == "caption":
        await client.send_photo(caption=text)
    else:
        await client.send(f"/note {text}")
    return placement


def test_the_sample_has_every_category() -> None:
    assert len(SAMPLE) == 8
    assert {"plan_through_means", "danger_at_home"} <= {category for category, _ in SAMPLE}
    assert Counter(place for place, _, _ in PLACED) == dict.fromkeys(PLACES, 2)


@pytest.mark.parametrize(
    ("placement", "category", "text"), PLACED, ids=[f"{place}-{category}" for place, category, _ in PLACED]
)
async def test_each_category_is_recognised_where_it_is_written(
    api: FakeBotApi, bot: RunningBot, database_url: str, placement: str, category: str, text: str
) -> None:
    client = api.user(4100)
    where = await place(client, placement, text)
    message = await client.expect_text("Thank you for telling me.")
    assert message.labels() == [texts.BUTTON_SAFE, texts.BUTTON_NOT_SAFE]
    stored = rows(database_url, "SELECT `where`, category FROM risk_events")
    assert [place for place, _ in stored] == [where]
    harmed = stored[0][1] == HARMED
    assert message.text == crisis(harmed)
    if placement == "answer":  # the flow waits, its answer kept, its next question not asked
        paused = rows(database_url, "SELECT paused_at IS NOT NULL, step_id FROM conversations")
        assert paused == [(1, "emotions")]
        assert not [m for m in client.unread() if m.text == EMOTIONS]


@pytest.mark.parametrize(
    "text",
    [
        "i'm not safe at home",  # danger at home, said without naming abuse
        "my dad hits me",
        "he hits me when he's drunk and i want to die",  # the most urgent category is not harm by others
    ],
)
async def test_harm_by_others_gets_the_abuse_and_violence_resources(
    api: FakeBotApi, bot: RunningBot, database_url: str, text: str
) -> None:
    client = api.user(4200)
    await client.send(text)
    (message,) = await client.expect(1)
    assert message.text == crisis(harmed=True)
    assert DEFAULTS.crisis_abuse_line in (message.text or "")
    assert DEFAULTS.crisis_line in (message.text or "")  # the suicide line stays
    assert rows(database_url, "SELECT COUNT(*) FROM risk_events") == [(1,)]


async def test_other_risk_gets_the_crisis_message_without_the_abuse_line(
    api: FakeBotApi, bot: RunningBot
) -> None:
    client = api.user(4300)
    await client.send("i want to die")
    (message,) = await client.expect(1)
    assert message.text == crisis(harmed=False)
    assert DEFAULTS.crisis_abuse_line not in (message.text or "")


async def test_the_practice_sets_its_own_abuse_line(api: FakeBotApi, bot: RunningBot) -> None:
    own = "Harbour House abuse line 0800 123 456 (24 h)"
    await bot.stop()
    bot.settings = bot.settings.model_copy(update={"crisis_abuse_line": own})
    await bot.start()
    client = api.user(4400)
    await client.send("my partner threatens me and i'm scared to go home")
    (message,) = await client.expect(1)
    assert message.text == crisis(harmed=True, abuse_line=own)


def test_the_abuse_line_is_read_from_the_environment(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text('CRISIS_ABUSE_LINE="Practice line 0800 000 000"\n', encoding="utf-8")
    assert load_settings(env).crisis_abuse_line == "Practice line 0800 000 000"
    example = Path(__file__).resolve().parents[2] / ".env.example"
    assert 'CRISIS_ABUSE_LINE="' in example.read_text(encoding="utf-8")


def not_safe(harmed: bool) -> str:
    """The answer to "I'm not safe right now" for a client with no therapist, default resources."""
    return (texts.NOT_SAFE_HARMED if harmed else texts.NOT_SAFE).format(
        emergency=DEFAULTS.crisis_emergency,
        line=DEFAULTS.crisis_line,
        text_line=DEFAULTS.crisis_text_line,
        abuse_line=DEFAULTS.crisis_abuse_line,
        told="",
    )


@pytest.mark.parametrize(
    ("text", "harmed"), [("i'm not safe at home, he hurts me", True), ("i want to die", False)]
)
async def test_not_safe_is_answered_with_the_abuse_line_after_harm_by_others(
    api: FakeBotApi, bot: RunningBot, text: str, harmed: bool
) -> None:
    client = api.user(4500)
    await client.send(text)
    await client.expect_text("Thank you for telling me.")
    await client.press(texts.BUTTON_NOT_SAFE)
    (message,) = await client.expect(1)
    assert message.text == not_safe(harmed)
    assert (DEFAULTS.crisis_abuse_line in (message.text or "")) == harmed
    assert DEFAULTS.crisis_line in (message.text or "")


@pytest.mark.strangers
@pytest.mark.parametrize(("text", "harmed"), [("my dad hits me", True), ("i want to die", False)])
async def test_a_stranger_gets_the_abuse_line_after_harm_by_others(
    api: FakeBotApi, bot: RunningBot, database_url: str, text: str, harmed: bool
) -> None:
    stranger = api.user(4600)
    await stranger.send(text)
    (message, *_) = await stranger.expect(1)
    assert message.text == crisis(harmed=harmed)
    assert rows(database_url, "SELECT COUNT(*) FROM people") == [(0,)]  # nothing about them kept
