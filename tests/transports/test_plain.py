"""Questions without buttons: structured ``expects``, numbered choices, and what typed numbers
mean, stored per chat — through a restart, and with two questions open at once."""

from __future__ import annotations

from collections.abc import Callable

from bot.chat.turn import ButtonPressed, prompt_message
from bot.cli import schedule as admin
from bot.core.messages import Button, Expects, Outgoing, Purpose
from bot.runtime.serve import run_terminal
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime
from bot.transports.plain import PlainChoices, render_prompt
from flows import AnswerKind, Choice, Prompt
from flows.mood_check import MOOD_PROMPT
from tests.support.clock import FakeClock
from tests.support.script import Script

CHAT = "local"


def question(kind: str, *labels: str, purpose: Purpose = Purpose.PROMPT) -> Outgoing:
    buttons = tuple(Button(label, f"q:{label}") for label in labels)
    return Outgoing(text="?", purpose=purpose, buttons=(buttons,), expects=Expects(kind, choices=buttons))


def test_a_prompt_says_its_kind_range_and_choices() -> None:
    scale = Prompt("f", "s", "How strong, 0 to 100?", AnswerKind.SCALE, low=0, high=100, optional=True)
    message = prompt_message(scale, "tok")
    assert message.expected == Expects("scale", low=0, high=100)
    assert render_prompt(message).endswith("(type a number from 0 to 100, or /skip)")  # no buttons read
    rows = ((Choice("Calm", "calm"), Choice("Tired", "tired")),)
    choice = prompt_message(Prompt("f", "c", "Which?", AnswerKind.MULTI_CHOICE, rows=rows), "tok")
    assert choice.expected == Expects(
        "multi_choice", choices=(Button("Calm", "tok:calm"), Button("Tired", "tok:tired"))
    )
    assert "  1) Calm\n  2) Tired" in render_prompt(choice)


def test_stored_messages_read_back_old_and_new() -> None:
    scale = Outgoing(text="?", purpose=Purpose.PROMPT, buttons=((Button("1", "t:1"), Button("5", "t:5")),))
    written_by_old_code = {**scale.to_json(), "expects": "scale"}  # a bare kind, before Expects
    assert Outgoing.from_json(written_by_old_code).expected == Expects(
        "scale", low=1, high=5, choices=(Button("1", "t:1"), Button("5", "t:5"))
    )
    structured = question("choice", "Yes", "No")
    assert Outgoing.from_json(structured.to_json()) == structured
    assert Outgoing.from_json({**structured.to_json(), "expects": None}).expected is None


async def test_two_open_questions_stay_apart(runtime: Runtime) -> None:
    choices = PlainChoices(runtime.database, "terminal", runtime.clock)
    await choices.shown(CHAT, "10", question("choice", "Start", "Later", "Skip"))  # a scheduled prompt
    await choices.shown(CHAT, "11", question("choice", "Safe", "Not safe"))  # then the crisis message
    assert await choices.presses_for(CHAT, "1") == [ButtonPressed("q:Safe", "11")]  # the 1 printed last
    assert await choices.presses_for(CHAT, "3") == [ButtonPressed("q:Skip", "10")]  # only the older has 3
    assert await choices.presses_for(CHAT, "4") is None
    await choices.shown(CHAT, "11", Outgoing(text=None, purpose=Purpose.CLOSE_PROMPT, edit_of="11"))
    assert await choices.presses_for(CHAT, "1") == [ButtonPressed("q:Start", "10")]  # answered: gone
    await choices.shown(CHAT, "12", question("scale"))  # a question that takes the typed number itself
    assert await choices.presses_for(CHAT, "3") is None
    assert await choices.presses_for("someone else", "1") is None


async def test_what_numbers_mean_survives_a_restart(
    settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    settings = settings_for()
    async with open_runtime(settings, clock) as first:
        choices = PlainChoices(first.database, "terminal", first.clock)
        await choices.shown(CHAT, "a-1", question("multi_choice", "Calm", "Tired", "Done"))
    async with open_runtime(settings, clock) as second:
        choices = PlainChoices(second.database, "terminal", second.clock)
        assert await choices.presses_for(CHAT, "1 3") == [
            ButtonPressed("q:Calm", "a-1"),
            ButtonPressed("q:Done", "a-1"),
        ]


async def test_a_scheduled_question_is_answered_by_number_after_a_restart(
    settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    """The prompt is shown, the terminal quits; after a restart a typed 1 still presses Start."""
    settings = settings_for()
    async with open_runtime(settings, clock) as first:
        new = admin.NewSchedule("terminal", "mood", "09:30")
        await admin.add_schedule(first.database, settings, clock, new)
        clock.advance(minutes=31)
        shown = Script(["/quit"])
        await run_terminal(first, shown.read_line, shown.write)
    assert "  1) Start now" in shown.text and MOOD_PROMPT not in shown.text
    async with open_runtime(settings, clock) as second:
        answered = Script(["1", "/quit"])
        await run_terminal(second, answered.read_line, answered.write)
    assert "Start now" not in answered.text  # not shown again: the number was remembered
    assert MOOD_PROMPT in answered.text
