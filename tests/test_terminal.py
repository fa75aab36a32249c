"""The terminal chat: the same flows and database, numbered choices, resumable."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import Iterable
from pathlib import Path

from bot.app import Runtime
from bot.terminal import TerminalChat
from flows.mood_check import FEELINGS_PROMPT, MOOD_PROMPT, NOTE_PROMPT

REPO = Path(__file__).resolve().parents[1]


class Script:
    """Feeds typed lines to the chat and keeps everything it printed."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        self.output: list[str] = []

    async def read_line(self) -> str | None:
        return self.lines.pop(0) if self.lines else None

    def write(self, text: str) -> None:
        self.output.append(text)

    @property
    def text(self) -> str:
        return "\n".join(self.output)


async def test_a_mood_check_in_the_terminal(runtime: Runtime, database_url: str) -> None:
    script = Script(["/mood", "abc", "12", "7", "1 4", "11", "went for a walk", "/skip"])
    await TerminalChat(runtime, script.read_line, script.write).run()
    out = script.text
    assert "terminal chat" in out and "TELEGRAM_BOT_TOKEN" in out  # says the mode and how to switch
    assert MOOD_PROMPT in out and "(type a number from 0 to 10)" in out
    assert "I'm looking for a number from 0 to 10" in out
    assert "outside the scale" in out
    assert "  1) Calm" in out and "  11) Done" in out and "  12) Skip" in out
    assert "  1) ✓ Calm" in out and "  4) ✓ Tired" in out
    assert out.count("  4) ✓ Tired") == 1  # two numbers typed at once show the result once
    assert NOTE_PROMPT in out and "(type your answer, or /skip)" in out
    assert "Mood 7/10 — calm, tired" in out
    with sqlite3.connect(database_url.split(":///", 1)[1]) as db:
        assert db.execute("SELECT transport, external_user_id FROM people").fetchall() == [
            ("terminal", "local")
        ]
        assert db.execute("SELECT status, answers FROM entries").fetchall() == [
            (
                "completed",
                '{"mood": 7, "feelings": ["calm", "tired"], "note": "went for a walk", "obstacles": null}',
            )
        ]


async def test_leaving_mid_flow_and_coming_back_resumes(runtime: Runtime) -> None:
    first = Script(["/mood", "3", "2", "/quit"])
    await TerminalChat(runtime, first.read_line, first.write).run()
    assert "everything is saved" in first.text

    second = Script(["11", "/skip", "/skip"])
    await TerminalChat(runtime, second.read_line, second.write).run()
    assert "We're in the middle of a mood check" in second.text
    assert "  2) ✓ Content" in second.text
    assert "Mood 3/10 — content" in second.text


async def test_make_run_equivalent_opens_the_terminal_chat(tmp_path: Path) -> None:
    """`between run` without a token: the terminal chat, a SQLite file under ./data, clean exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["PYTHONPATH"] = str(REPO)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(
        process.communicate(b"/mood\n5\n3\n11\n/skip\n/skip\n"), timeout=60
    )
    assert process.returncode == 0, stderr.decode()
    out = stdout.decode()
    assert FEELINGS_PROMPT in out and "Mood 5/10 — hopeful" in out
    assert (tmp_path / "data" / "between.db").exists()
    assert stderr.decode() == ""
