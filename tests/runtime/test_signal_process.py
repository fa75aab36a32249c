"""The real `between run` with Telegram (the fake Bot API) and Signal (the fake signal-cli
daemon) at once: a client on each, a SIGKILL mid-flow and a restart (resumed, nothing lost or
doubled), and nothing a Signal client wrote in the process's output."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storage import Database
from storage.crypto import load_keyring
from tests.support.bot_process import run_between
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_signal_cli import FakeSignalCli, FakeSignalUser
from tests.support.rows import rows
from tests.support.signal_process import ACCOUNT, WAIT, enrol_signal, start_with_signal

CANARY = "CANARY-signal-tulip-5150"


async def alex_rows(database_url: str, workdir: Path, alex: FakeSignalUser) -> tuple[list[Any], list[Any]]:
    """The client's entries (flow, status, answers) and open conversations, as stored (opened
    with the key the process made at its first start)."""
    database = Database(database_url, keyring=load_keyring(None, workdir / "data" / "between.key").ring)
    try:
        [(person_id,)] = await rows(database, "people", "id", external_user_id=alex.uuid)
        entries = await rows(database, "entries", "flow_id", "status", "answers", person_id=person_id)
        return entries, await rows(database, "conversations", "step_id", person_id=person_id)
    finally:
        await database.close()


async def status_line(workdir: Path, expected: str) -> bool:
    """Whether ``between status`` says ``expected`` within about 20 s (it is written every 5 s)."""
    for _ in range(40):
        finished = await run_between("status", cwd=workdir)
        if expected in finished.stdout:
            return True
        await asyncio.sleep(0.5)  # a real process's file, written on its own timer
    return False


async def test_telegram_and_signal_in_one_process_killed_mid_flow_and_restarted(
    api: FakeBotApi, database_url: str, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    async with FakeSignalCli(ACCOUNT) as daemon:
        first = await start_with_signal(api, daemon, database_url, tmp_path)
        processes.append(first)
        alex = daemon.user("Alex")
        await enrol_signal(database_url, alex)
        await enrol_at(database_url, [3001], datetime.now(UTC))
        sam = api.user(3001)

        await alex.send("mood")
        await alex.expect_text("How is your mood", timeout=WAIT)
        await sam.send("/mood")
        await sam.expect_text("How is your mood", timeout=WAIT)
        await alex.send("7")
        feelings = await alex.expect_text("Which words fit", timeout=WAIT)
        await alex.send("1")
        await alex.wait_until(lambda: "✓ Calm" in alex.message(feelings.timestamp).text, timeout=WAIT)

        first.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
        assert first.stdout is not None
        output = (await first.stdout.read()).decode()

        second = await start_with_signal(api, daemon, database_url, tmp_path)
        processes.append(second)
        await alex.quote_reply(feelings.timestamp, "4")  # numbers kept across the restart
        await alex.wait_until(lambda: "✓ Tired" in alex.last_message().text, timeout=WAIT)
        await alex.send("done")
        await alex.expect_text("Anything you'd like to add", timeout=WAIT)
        await alex.send(f"a note with {CANARY}")
        await alex.expect_text("did anything get in the way", timeout=WAIT)
        await alex.send(f"what got in the way: {CANARY}")
        summary = await alex.expect_text("Mood 7/10 — calm, tired", timeout=WAIT)
        assert CANARY not in summary.text
        assert sum("How is your mood" in m.text for m in alex.messages()) == 1  # nothing doubled
        assert daemon.violations == []
        assert await alex_rows(database_url, tmp_path, alex) == (  # nothing lost, nothing doubled
            [
                (
                    "mood_check",
                    "completed",
                    {
                        "mood": 7,
                        "feelings": ["calm", "tired"],
                        "note": f"a note with {CANARY}",
                        "obstacles": f"what got in the way: {CANARY}",
                    },
                )
            ],
            [],
        )

        assert await status_line(tmp_path, "signal: connected True")
        await daemon.refuse_connections()  # the daemon goes away: Telegram carries on
        assert await status_line(tmp_path, "signal: connected False")
        await sam.send("/help")
        await sam.expect(1, timeout=WAIT)
        await daemon.accept_connections()
        assert await status_line(tmp_path, "signal: connected True")

        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(second.wait(), timeout=WAIT) == 0
        assert second.stdout is not None
        output += (await second.stdout.read()).decode()
    assert "Signal mode" in output and "Telegram mode" in output
    assert CANARY not in output
    assert "got in the way" not in output


async def test_an_unreachable_signal_cli_is_one_clear_line(tmp_path: Path) -> None:
    async with FakeSignalCli(ACCOUNT) as daemon:
        address = daemon.address
        await daemon.refuse_connections()
        finished = await run_between(
            "run", cwd=tmp_path, env={"SIGNAL_ACCOUNT": ACCOUNT, "SIGNAL_CLI_ADDRESS": address}
        )
    assert finished.returncode == 2
    lines = [line for line in finished.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith(f"between: cannot reach signal-cli at {address}")
    assert "Traceback" not in finished.stderr


async def test_a_malformed_signal_number_is_refused_at_start(tmp_path: Path) -> None:
    finished = await run_between("run", cwd=tmp_path, env={"SIGNAL_ACCOUNT": "0151 2345"})
    assert finished.returncode == 2
    assert "SIGNAL_ACCOUNT" in finished.stderr and "international form" in finished.stderr


async def test_therapist_add_prints_both_ways_in_when_both_messengers_are_configured(
    api: FakeBotApi, tmp_path: Path
) -> None:
    env = {
        "SIGNAL_ACCOUNT": ACCOUNT,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
    }
    finished = await run_between("therapist", "add", "Dr Ana Ruiz", cwd=tmp_path, env=env)
    assert finished.returncode == 0, finished.stderr
    *_, code = finished.stdout.split()
    assert f"Telegram: https://t.me/{api.bot_username}?start={code}" in finished.stdout
    assert f"Signal: send “start {code}” to {ACCOUNT}" in finished.stdout
