"""Kill the real `between run` process with SIGKILL mid-flow, start it again, carry on."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from flows.common import OBSTACLES_PROMPT
from flows.mood_check import FEELINGS_PROMPT, MOOD_PROMPT, NOTE_PROMPT
from storage.crypto import load_keyring
from tests.support.bot_process import run_between, start_bot_process
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi
from tests.support.running_bot import TOKEN
from tests.support.words import tapped

CANARY = "CANARY-rosebud-4711"


async def start_between(api: FakeBotApi, database_url: str, workdir: Path) -> asyncio.subprocess.Process:
    env = {"DATABASE_URL": database_url, "LOG_LEVEL": "DEBUG"}
    return await start_bot_process(
        api, workdir, env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )


async def test_sigkill_mid_flow_then_restart_resumes_at_the_same_step(
    api: FakeBotApi, database_url: str, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    first = await start_between(api, database_url, tmp_path)
    processes.append(first)
    await enrol_at(database_url, [2001], datetime.now(UTC))  # the bot has made the schema by now
    user = api.user(2001)
    await user.send("/mood")
    await user.expect(2, timeout=30)
    await user.press("7")
    (feelings,) = await user.expect(1, timeout=30)
    assert feelings.text == tapped(FEELINGS_PROMPT)
    await user.press("Calm")
    await api.wait_until(lambda: "✓ Calm" in user.last_message().labels(), timeout=30)

    first.send_signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL
    assert first.stdout is not None
    first_output = (await first.stdout.read()).decode()

    second = await start_between(api, database_url, tmp_path)
    processes.append(second)
    await user.press("Tired", message_id=feelings.message_id)
    await api.wait_until(lambda: "✓ Tired" in user.last_message().labels(), timeout=30)
    await user.press("Done")
    (note,) = await user.expect(1, timeout=30)
    assert note.text == tapped(NOTE_PROMPT)
    await user.send(f"a note with {CANARY}")
    (obstacles,) = await user.expect(1, timeout=30)
    assert obstacles.text == tapped(OBSTACLES_PROMPT)
    await user.send(f"what got in the way: {CANARY}")
    summary = await user.expect_text("Mood 7/10 — calm, tired", timeout=30)
    assert CANARY not in (summary.text or "")

    second.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(second.wait(), timeout=30) == 0
    assert second.stdout is not None
    second_output = (await second.stdout.read()).decode()

    # Read raw on purpose: the file of a bot that ran in another process, and what it holds at
    # rest (sealed values, opened below with the key the first start made).
    with sqlite3.connect(database_url.split(":///", 1)[1]) as db:
        entries = db.execute("SELECT status, answers FROM entries").fetchall()
        assert db.execute("SELECT COUNT(*) FROM conversations").fetchone() == (0,)
        assert db.execute("SELECT COUNT(*) FROM outbox").fetchone() == (0,)
    # sealed at rest, with the key the first start made and the second one read (storage/crypto.py)
    assert "Created an encryption key" in first_output and "Created" not in second_output
    ring = load_keyring(None, tmp_path / "data" / "between.key").ring
    ((status, sealed),) = entries
    assert status == "completed" and sealed.startswith(f"enc:v1:{ring.newest}:") and CANARY not in sealed
    assert json.loads(ring.open(sealed, "entries.answers")) == {
        "mood": 7,
        "feelings": ["calm", "tired"],
        "note": f"a note with {CANARY}",
        "obstacles": f"what got in the way: {CANARY}",
    }
    # one summary, one question each: nothing was sent twice across the kill
    texts = [m.text or "" for m in user.messages()]
    assert sum(t.startswith(tapped(FEELINGS_PROMPT)) for t in texts) == 1
    assert sum(t.startswith(tapped(NOTE_PROMPT)) for t in texts) == 1
    assert len(texts) == 6  # intro, mood, feelings, note, obstacles, summary
    assert texts[1] == f"{MOOD_PROMPT}\n\n✓ 7"  # each question closed with its own answer
    assert texts[2] == f"{tapped(FEELINGS_PROMPT)}\n\n✓ Calm, Tired"
    # debug logging on, and still nothing the client wrote reached the logs
    for output in (first_output, second_output):
        assert CANARY not in output
        assert "Traceback" not in output
        assert TOKEN.split(":")[1] not in output
    assert "Telegram mode" in second_output
    assert "crisis resources shown to clients at risk are the placeholders" in second_output  # set yours


async def test_keys_cannot_be_rotated_under_a_running_bot(
    api: FakeBotApi, database_url: str, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    """A running bot seals with the keys it started with; rotation would retire one of them."""
    bot = await start_between(api, database_url, tmp_path)
    processes.append(bot)

    async def rotate() -> tuple[int, str]:
        done = await run_between("keys", "rotate", cwd=tmp_path, env={"DATABASE_URL": database_url})
        return done.returncode, done.stdout + done.stderr

    code, said = await rotate()
    assert code == 1 and "the bot is running" in said
    bot.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(bot.wait(), timeout=30) == 0
    code, said = await rotate()
    assert code == 0, said
