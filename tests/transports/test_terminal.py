"""The terminal chat: the same flows and database, numbered choices, resumable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.runtime.serve import run_terminal
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime
from bot.transports.terminal.screen import TtyScreen
from flows.breathing import CALM_AFTER
from flows.mood_check import FEELINGS_PROMPT, MOOD_PROMPT, NOTE_PROMPT
from flows.urge_surfing import CHECK_IN_QUESTION, CHECK_IN_THANKS
from storage import Database
from tests.support.bot_process import run_between
from tests.support.clock import FakeClock
from tests.support.rows import rows
from tests.support.script import Script, TimedScript
from tests.support.words import typed


async def test_a_mood_check_in_the_terminal(runtime: Runtime) -> None:
    script = Script(["/mood", "abc", "12", "7", "1 4", "11", "went for a walk", "/skip"])
    await run_terminal(runtime, script.read_line, script.write)
    out = script.text
    assert "terminal chat" in out and "TELEGRAM_BOT_TOKEN" in out  # says the mode and how to switch
    assert MOOD_PROMPT in out and "(type a number from 0 to 10)" in out
    assert "I'm looking for a number from 0 to 10" in out
    assert "outside the scale" in out
    assert "  1) Calm" in out and "  11) Done" in out and "  12) Skip" in out
    assert "  1) ✓ Calm" in out and "  4) ✓ Tired" in out
    assert out.count("  4) ✓ Tired") == 1  # two numbers typed at once show the result once
    assert typed(NOTE_PROMPT) in out and "(type your answer, or /skip)" in out
    assert "Mood 7/10 — calm, tired" in out
    assert await rows(runtime.database, "people", "transport", "external_user_id") == [("terminal", "local")]
    assert await rows(runtime.database, "entries", "status", "answers") == [
        (
            "completed",
            {"mood": 7, "feelings": ["calm", "tired"], "note": "went for a walk", "obstacles": None},
        )
    ]


async def test_skip_typed_without_its_slash_skips_as_the_question_says(runtime: Runtime) -> None:
    script = Script(["/mood", "6", "12", "Skip", " skip "])
    await run_terminal(runtime, script.read_line, script.write)
    assert "or type Skip" in script.text
    assert await rows(runtime.database, "entries", "status", "answers") == [
        ("completed", {"mood": 6, "feelings": None, "note": None, "obstacles": None})
    ]


async def test_leaving_mid_flow_and_coming_back_resumes(runtime: Runtime) -> None:
    first = Script(["/mood", "3", "2", "/quit"])
    await run_terminal(runtime, first.read_line, first.write)
    assert "everything is saved" in first.text

    second = Script(["11", "/skip", "/skip"])
    await run_terminal(runtime, second.read_line, second.write)
    assert "We're in the middle of a mood check" in second.text
    assert "  2) ✓ Content" in second.text
    assert "Mood 3/10 — content" in second.text


async def test_make_run_equivalent_opens_the_terminal_chat(tmp_path: Path) -> None:
    """`between run` without a token: the terminal chat, a SQLite file under ./data, clean exit."""
    chat = await run_between("run", cwd=tmp_path, stdin=b"/mood\n5\n3\n11\n/skip\n/skip\n")
    assert chat.returncode == 0, chat.stderr
    assert typed(FEELINGS_PROMPT) in chat.stdout and "Mood 5/10 — hopeful" in chat.stdout
    assert (tmp_path / "data" / "between.db").exists()
    assert chat.stderr == ""


async def test_timers_run_in_the_terminal_too(
    settings_for: Callable[..., Settings], clock: FakeClock, database: Database
) -> None:
    script = TimedScript(
        [
            "/breathe",
            "3",  # Calm · 4-6
            "1",  # 1 minute
            "5",
            (3, "Breathe in … 1 · 2 · 3 · 4"),
            (4, "Breathe out … 1 · 2 · 3 · 4 · 5 · 6"),
            (60, CALM_AFTER),
            "8",
            "/skip",
            "/urge",
            "/skip",
            "7",
            "1",  # 5 minutes
            (181, CHECK_IN_QUESTION),
            "3",  # It's easing (Stop keeps the 1 it had before the check-in)
            (10, CHECK_IN_THANKS),
            "1",  # Stop
        ],
        clock,
    )
    async with open_runtime(settings_for(timer_tick_seconds=0.01), clock) as runtime:
        await run_terminal(runtime, script.read_line, TtyScreen(script.write))  # a frame per phase
    out = script.text
    assert "Get ready" in out and "(type 1 to stop early)" in out
    assert "That's it — 6 rounds of calm breathing" in out and "Calm went from 5 to 8" in out
    assert "  2) Still riding it\n  3) It's easing\n  (type 1 to stop early)" in out
    assert "You stopped after 3:11" in out
    stored = dict(await rows(database, "entries", "flow_id", "answers"))
    assert stored["breathing"]["breathe"]["stopped_early"] is False
    assert "surf" not in stored["urge_surfing"]  # left at the next question: not finished
    ((conversation,),) = await rows(database, "conversations", "answers")
    surf = conversation["surf"]

    assert surf["stopped_early"] and surf["check_ins"] == [{"at": 181, "answer": "easing"}]


async def test_the_goodbye_is_in_the_language_the_person_chose(runtime: Runtime) -> None:
    script = Script(["/language", "2"])  # 1) English 2) Deutsch
    await run_terminal(runtime, script.read_line, script.write)
    assert script.text.rstrip().endswith("Bis bald – alles ist gespeichert.")
