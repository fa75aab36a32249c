"""The terminal chat as a newcomer meets it (issue 14): numbers that keep their meaning, timers on
one live line, typed words, Ctrl-C, logs off the screen, notes, exports that do not stay behind,
and the terminal staying one client's own chat."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from bot.chat import texts
from bot.runtime.serve import run_terminal
from bot.runtime.settings import Settings
from bot.runtime.wiring import Runtime, open_runtime
from bot.transports.terminal.screen import UP_AND_CLEAR, TtyScreen
from flows.breathing import CALM_AFTER
from flows.urge_surfing import CHECK_IN_QUESTION
from storage import Database
from tests.support.bot_process import clean_environment
from tests.support.clock import FakeClock
from tests.support.rows import rows
from tests.support.script import Script, TimedScript

BREATHE_A_MINUTE = ["/breathe", "3", "1", "5"]  # calm 4-6, 1 minute, calm before 5


async def chat(runtime: Runtime, lines: list[str]) -> str:
    script = Script(lines)
    await run_terminal(runtime, script.read_line, script.write)
    return script.text


async def test_numbers_keep_their_meaning_while_a_check_in_comes_and_goes(
    settings_for: Callable[..., Settings], clock: FakeClock, database: Database
) -> None:
    """Stop is 1 before, during and after a check-in; the check-in's answers get 2 and 3, and
    once it has gone, 2 presses nothing."""
    script = TimedScript(
        [
            "/urge",
            "/skip",
            "7",
            "1",  # 5 minutes
            (181, CHECK_IN_QUESTION),
            (60, "1:00 left"),  # the check-in has gone unanswered
            "2",  # no longer means "Still riding it": typed text, answered kindly
            "1",  # still Stop
        ],
        clock,
    )
    async with open_runtime(settings_for(timer_tick_seconds=0.01), clock) as runtime:
        await run_terminal(runtime, script.read_line, TtyScreen(script.write))
    out = script.text
    assert "(type 1 to stop early)" in out.split(CHECK_IN_QUESTION)[0]
    assert f"{CHECK_IN_QUESTION}\n  2) Still riding it\n  3) It's easing\n  (type 1 to stop early)" in out
    assert "The timer is still running — let it run, or type Stop to end it early" in out
    assert "You stopped after 4:01" in out
    ((conversation,),) = await rows(database, "conversations", "answers")
    assert conversation["surf"]["check_ins"] == []  # "2" pressed nothing


async def test_dones_number_stays_when_own_words_are_added(runtime: Runtime) -> None:
    out = await chat(runtime, ["/thought", "the bus was late", "2", "small", "11"])
    assert "  11) Done" in out and "  12) ✓ small" in out and "  11) Done" in out.split("12) ✓ small")[1]
    assert "How strong was the feeling “sad”" in out  # done finished the step: not a feeling
    ((conversation,),) = await rows(runtime.database, "conversations", "answers")
    assert conversation["emotions"] == ["sad", "~small"]


async def test_multi_choice_steps_take_their_own_labels(runtime: Runtime) -> None:
    out = await chat(runtime, ["/mood", "6", "tired", "Calm, done", "/skip", "/skip"])
    assert "Mood 6/10 — calm, tired" in out
    traps = await chat(runtime, ["/thought", "x", "sad, done", "40", "I failed", "80", "skip", "/cancel"])
    assert "What supports the thought?" in traps  # skip skipped the optional traps


async def test_a_draft_question_takes_its_own_words(runtime: Runtime, clock: FakeClock) -> None:
    await chat(runtime, ["/thought", "the bus was late", "/cancel"])
    clock.advance(minutes=5)
    out = await chat(runtime, ["/thought", "carry on"])
    assert texts.DRAFT_RESUMED in out and "What did you feel?" in out.split(texts.DRAFT_RESUMED)[1]


async def test_timers_redraw_one_live_line_on_a_tty(
    settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    script = TimedScript([*BREATHE_A_MINUTE, (3, "Breathe in"), (4, "Breathe out"), (6, "round 2")], clock)
    async with open_runtime(settings_for(timer_tick_seconds=0.01), clock) as runtime:
        await run_terminal(runtime, script.read_line, TtyScreen(script.write))
    out = "".join(script.output)
    frames = out.split("Get ready")[1]
    assert frames.count("\x1b[") >= 2 and UP_AND_CLEAR.format(rows=4) in frames  # drawn over, in place
    assert frames.count("⏳") == 3  # one live block at a time, no scrolling copies kept
    assert "(type 1 to stop early)\n> " in frames  # the prompt comes back below the live line
    assert "⏳ 1:00 left" in frames and "1:04" not in out  # "1 minute" never shows more


async def test_timers_off_a_tty_print_sparse_one_line_frames(
    settings_for: Callable[..., Settings], clock: FakeClock
) -> None:
    steps = [*BREATHE_A_MINUTE] + [(5, "") for _ in range(13)] + [(1, CALM_AFTER)]
    script = TimedScript(steps, clock)
    async with open_runtime(settings_for(timer_tick_seconds=0.01), clock) as runtime:
        await run_terminal(runtime, script.read_line, script.write)
    frames = [line for line in script.output if "⏳" in line]
    assert 2 <= len(frames) <= 4 and all("\n" not in line for line in frames)
    first = "🫁 Calm breathing · round 1 of 6 — Breathe in … 1 · 2 · 3 · 4 — ⏳ 1:00 left"
    assert frames[0] == f"{first} — (type 1 to stop early)"


async def test_the_terminal_speaks_of_typing_not_tapping(runtime: Runtime) -> None:
    out = await chat(runtime, ["/mood", "lots", "7", "nope", "/skip", "/skip", "/urge"])
    assert not re.search(r"\btap", out, re.IGNORECASE)
    assert "I'm looking for a number from 0 to 10 — type it." in out
    assert "Type the numbers or names of any that fit, then type Done." in out
    assert "Or type Skip." in out  # the urge's name


async def test_snoozing_says_when_and_schedule_shows_it(runtime: Runtime, clock: FakeClock) -> None:
    from bot.cli import schedule as admin

    await chat(runtime, [])
    new = admin.NewSchedule("terminal", "mood", "09:30")
    await admin.add_schedule(runtime.database, runtime.settings, clock, new)
    clock.advance(minutes=31)
    out = await chat(runtime, ["2", "/schedule"])  # In 15 min
    assert "✓ I'll check in again at 09:46." in out
    assert "Next: mood check at 09:46 on Monday" in out


async def test_help_lists_quit_and_the_welcome_is_read_once(runtime: Runtime, clock: FakeClock) -> None:
    first = await chat(runtime, ["/help"])
    assert first.count(texts.HELP_QUIT) == 2 and texts.WELCOME in first  # the welcome, and /help
    clock.advance(hours=2)
    later = await chat(runtime, [])
    assert texts.WELCOME not in later and texts.WELCOME_BACK in later and texts.HELP_QUIT not in later


async def test_notes_show_in_history_and_an_empty_draft_reads_sensibly(
    runtime: Runtime, clock: FakeClock
) -> None:
    out = await chat(runtime, ["/note bring up the weekend", "/thought", "/cancel", "/history"])
    assert texts.NOTE_NO_THERAPIST in out and "/history" in texts.NOTE_NO_THERAPIST
    assert "• Mon 2 Mar 09:00 — bring up the weekend" in out.split(texts.JOURNAL_NOTES_HEADER)[1]
    assert "Thought record: nothing written yet (draft)" in out and "“–”" not in out


async def test_a_registration_code_keeps_the_terminal_a_clients_chat(
    runtime: Runtime, clock: FakeClock
) -> None:
    code = await runtime.practice.issue_registration("Dr Ana", clock())
    out = await chat(runtime, [f"/start {code}", "/help"])
    assert texts.REGISTER_NOT_IN_OWN_CHAT in out and "/mood" in out.split(texts.REGISTER_NOT_IN_OWN_CHAT)[1]
    assert await rows(runtime.database, "people", "role") == [("client",)]


async def test_exports_are_removed_when_the_chat_ends_and_on_erasure(
    runtime: Runtime, database_url: str
) -> None:
    exports = Path(database_url.split(":///", 1)[1]).parent / "exports"
    seen: list[Path] = []

    def files_are_there() -> None:
        (data_file,) = exports.glob("between-data-*.json")
        (table_file,) = exports.glob("between-practice-*.csv")
        assert data_file.stat().st_mode & 0o777 == 0o600
        data = json.loads(data_file.read_text())
        assert data["entries"][0]["answers"]["note"] == "a quiet day"
        assert data["entries"][0]["answers"]["feelings"] == ["Hopeful"]  # a name, not an id
        assert data["entries"][1]["answers"]["emotions"] == ["small"] and "~" not in data_file.read_text()
        table = table_file.read_text(encoding="utf-8-sig").splitlines()
        assert table[0].startswith(
            "started (local time),homework,status,mood check: mood,mood check: feelings"
        )
        assert ",6,Hopeful,a quiet day" in table[1] and "thought record: emotion intensity" in table[0]
        assert table[2].endswith(",x,small,small 40")
        seen.extend([data_file, table_file])

    mood = ["/mood", "6", "3", "11", "a quiet day", "/skip"]
    steps = [*mood, "/thought", "x", "small, done", "40", "/cancel", "/export", files_are_there]
    script = TimedScript(steps, runtime.clock)  # type: ignore[arg-type]
    await run_terminal(runtime, script.read_line, script.write)
    assert f"saved as {seen[0]}" in script.text and "removed when you leave this chat" in script.text
    assert not any(path.exists() for path in seen)  # gone with the chat

    left: list[list[Path]] = []

    def look() -> None:
        left.append(sorted(exports.glob("between-*")))

    erase = TimedScript(["/export", look, "/delete", "1", look], runtime.clock)  # type: ignore[arg-type]
    await run_terminal(runtime, erase.read_line, erase.write)
    assert len(left[0]) == 2 and left[1] == []  # erased at once, before the chat ended
    assert texts.DELETED in erase.text


async def test_wording_of_a_single_time_zone_match_and_an_urge(runtime: Runtime) -> None:
    out = await chat(runtime, ["/timezone Berlin", "/urge", "/mood"])
    assert texts.TIMEZONE_CONFIRM in out and texts.TIMEZONE_PICK not in out
    assert "You have an urge-surfing session open." in out and "a urge" not in out


async def terminal_process(folder: Path, database: Path) -> asyncio.subprocess.Process:
    """``between run`` without a token in ``folder``, its database at ``database``; stdin, stdout
    and stderr are pipes."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=folder,
        env=clean_environment(DATABASE_URL=f"sqlite+aiosqlite:///{database}"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_ctrl_c_leaves_at_once_with_the_goodbye(tmp_path: Path) -> None:
    """Ctrl-C while the chat waits for a line: the goodbye, exit status 0, nothing on stderr."""
    database = tmp_path / "data" / "between.db"
    process = await terminal_process(tmp_path, database)  # stdin kept open: the chat waits
    assert process.stdout is not None
    printed = b""
    async with asyncio.timeout(60):
        while texts.HELP_CLOSING.encode() not in printed:
            printed += await process.stdout.read(4096)
    process.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0, err
    assert (printed + out).decode().rstrip().endswith("Bye for now — everything is saved.")
    assert err == b""


async def test_logs_go_to_a_file_not_into_the_chat(tmp_path: Path) -> None:
    database = tmp_path / "somewhere" / "between.db"
    process = await terminal_process(tmp_path, database)
    out, err = await asyncio.wait_for(process.communicate(b"I want to kill myself\n"), timeout=60)
    log_file = database.parent / "between.log"
    assert process.returncode == 0, err
    assert f"Logs go to {log_file}." in out.decode()
    assert b"WARNING" not in out and b"WARNING" not in err
    assert "risk" in log_file.read_text() and "kill" not in log_file.read_text()
