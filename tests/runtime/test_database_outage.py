"""The real `between run` losing its database mid-run, end to end: a PostgreSQL server stopped
while a client answers, then its connections cut with ``pg_terminate_backend``; and a SQLite file
locked by another writer past the busy timeout.

While the database is away the process stays up, does not confirm the update it could not
commit (Telegram keeps it), stops polling instead of spinning, logs the outage once (no client
text), says so in ``between status``, and carries on by itself once the database is back, with
the answer stored once.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.runtime.status import describe
from storage import Database
from storage.crypto import load_keyring
from tests.runtime.test_kill_before_commit import OBSTACLES_PROMPT, mood_up_to_the_note
from tests.support.bot_process import run_between, start_bot_process
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi
from tests.support.postgres_server import PostgresServer, postgres_server, unavailable_reason
from tests.support.rows import rows

NOTE = "a note written while the database was away"
WAIT = 60.0


@pytest.fixture
def server() -> Iterator[PostgresServer]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"PostgreSQL: {reason}")
    with postgres_server() as started:
        yield started


async def start(api: FakeBotApi, url: str, workdir: Path) -> asyncio.subprocess.Process:
    log = (workdir / "bot.log").open("ab")
    env = {"DATABASE_URL": url, "LOG_LEVEL": "INFO", "SEND_RATE_PER_SECOND": "0"}
    return await start_bot_process(api, workdir, env, stdout=log, stderr=log)


async def logged(workdir: Path, words: str) -> bool:
    """Whether the bot's log says ``words`` within ``WAIT`` seconds (a real process's file)."""
    for _ in range(int(WAIT * 2)):
        if words in (workdir / "bot.log").read_text(errors="replace"):
            return True
        await asyncio.sleep(0.5)
    return False


async def stored_note(url: str, workdir: Path) -> list[str]:
    database = Database(url, keyring=load_keyring(None, workdir / "data" / "between.key").ring)
    try:
        return [answers.get("note") for (answers,) in await rows(database, "entries", "answers")]
    finally:
        await database.close()


async def status_written(workdir: Path, words: str, after: str = "") -> str:
    """The status file's ``written_at`` once it says ``words`` (written after ``after``), as
    ``between status`` reads it; within ``WAIT`` seconds (it is written every 5 s)."""
    path = workdir / "data" / "status.json"
    for _ in range(int(WAIT * 5)):
        if path.is_file():
            written = json.loads(path.read_text())["written_at"]
            if written > after and any(words in line for line in describe(path, datetime.now(UTC))):
                return str(written)
        await asyncio.sleep(0.2)  # a real process's file, written on its own timer
    raise AssertionError(f"the status never said {words!r}")


async def held_while_away(api: FakeBotApi, process: asyncio.subprocess.Process, workdir: Path) -> int:
    """The client answers while the database is away: the update stays Telegram's, Telegram is
    no longer polled, the process runs on and says so in ``between status``."""
    user = api.user(4601)
    note = await user.send(NOTE)
    assert await logged(workdir, "the database is unavailable")
    written = await status_written(workdir, "database: unreachable since")
    polls = len(api.calls_to("getUpdates"))
    await status_written(workdir, "database: unreachable since", after=written)  # 5 s more
    assert len(api.calls_to("getUpdates")) <= polls + 1  # at most the call in flight
    assert note in api.pending_update_ids()
    assert process.returncode is None
    assert "database: unreachable since" in (await run_between("status", cwd=workdir)).stdout
    return note


async def finish(api: FakeBotApi, process: asyncio.subprocess.Process, workdir: Path) -> str:
    """Back: the held answer brings the next question; the check is stored; a clean stop."""
    user = api.user(4601)
    await user.expect_text(OBSTACLES_PROMPT, timeout=WAIT)
    await user.send("nothing")
    await user.expect_text("Mood 7/10", timeout=WAIT)
    await status_written(workdir, "database: is reachable")
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=WAIT) == 0
    log = (workdir / "bot.log").read_text(errors="replace")
    assert NOTE not in log and "Traceback" not in log
    assert "skipped" not in log
    return log


async def test_postgresql_stopped_then_its_connections_cut(
    api: FakeBotApi, server: PostgresServer, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    process = await start(api, server.url, tmp_path)
    processes.append(process)
    await enrol_at(server.url, [4601], datetime.now(UTC))
    user = api.user(4601)
    await mood_up_to_the_note(user, api)

    server.stop()
    note = await held_while_away(api, process, tmp_path)
    server.start()
    await user.expect_text(OBSTACLES_PROMPT, timeout=WAIT)
    assert await api_confirms(api, note)  # on the next poll, once it committed

    # every connection of the bot cut at once (the pool's and its own session's)
    database = Database(server.url)
    try:
        async with database.transaction() as tx:
            await tx.connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = 'between' AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await database.close()
    await user.send("nothing")
    await user.expect_text("Mood 7/10", timeout=WAIT)
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=WAIT) == 0
    log = (tmp_path / "bot.log").read_text(errors="replace")
    assert log.count("the database is unavailable") == 1  # the stop; a cut is retried at once
    assert log.count("the database is back") == 1
    assert NOTE not in log and "Traceback" not in log and "skipped" not in log
    assert await stored_note(server.url, tmp_path) == [NOTE]


async def api_confirms(api: FakeBotApi, update_id: int) -> bool:
    """Whether the bot confirms ``update_id`` within ``WAIT`` seconds (its next poll)."""
    try:
        await api.wait_until(lambda: update_id not in api.pending_update_ids(), timeout=WAIT)
    except AssertionError:
        return False
    return True


async def test_a_sqlite_file_locked_by_another_writer_past_the_busy_timeout(
    api: FakeBotApi, database_url: str, tmp_path: Path, processes: list[asyncio.subprocess.Process]
) -> None:
    process = await start(api, database_url, tmp_path)
    processes.append(process)
    await enrol_at(database_url, [4601], datetime.now(UTC))
    user = api.user(4601)
    await mood_up_to_the_note(user, api)

    locker = sqlite3.connect(tmp_path / "between.db", isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than the timeout
        await held_while_away(api, process, tmp_path)
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    log = await finish(api, process, tmp_path)
    assert log.count("the database is unavailable") == 1
    assert await stored_note(database_url, tmp_path) == [NOTE]
