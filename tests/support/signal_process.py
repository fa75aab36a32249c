"""The real ``between run`` serving Telegram (the fake Bot API) and Signal (the fake signal-cli
daemon) at once, and what a test needs around it: a registration code, clients who already
agreed, a wait on another process's timer.

Time in the real process is the real clock: a test moves it by moving the due rows (a
scheduled prompt's ``due_at``, a session's ``digest_due_at``) to now, with the process's
timers ticking every fraction of a second (``FAST_TICKS``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.core.codes import REGISTRATION_VALID, code_hash, new_code
from bot.practice.admission import consent_version
from bot.transports.signal.texts import PRIVACY_NOTE
from storage import CodePurpose, Database
from tests.support.bot_process import start_bot_process
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_signal_cli import FakeSignalCli, FakeSignalUser

ACCOUNT = "+15550100000"
WAIT = 30.0
"""Seconds a real process may take to answer on a loaded machine."""
FAST_TICKS = {"SCHEDULER_TICK_SECONDS": "0.2", "OUTBOX_TICK_SECONDS": "0.2"}
MANY_MESSAGES = {"MESSAGES_PER_MINUTE": "1000"}
"""A journey after another within a minute is not a flood (the cap's own tests keep it)."""
UNPACED = {
    "SIGNAL_SEND_INTERVAL_SECONDS": "0",
    "SIGNAL_SEND_RATE_PER_SECOND": "0",
    "CHAT_SEND_INTERVAL_SECONDS": "0",
}


async def start_with_signal(
    api: FakeBotApi, daemon: FakeSignalCli, database_url: str, workdir: Path, **env: str
) -> asyncio.subprocess.Process:
    """``between run`` with both messengers, logging at DEBUG into its stdout; returns once it
    has subscribed to the daemon (and published its Telegram commands)."""
    subscribed = len(daemon.calls_to("subscribeReceive"))
    settings = {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "DEBUG",
        "SIGNAL_ACCOUNT": ACCOUNT,
        "SIGNAL_CLI_ADDRESS": daemon.address,
        **UNPACED,
        **env,
    }
    process = await start_bot_process(
        api, workdir, settings, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    await daemon.wait_until(lambda: len(daemon.calls_to("subscribeReceive")) > subscribed, timeout=WAIT)
    return process


async def enrol_signal(database_url: str, user: FakeSignalUser, timezone: str = "UTC") -> None:
    """A Signal user who joined and agreed to the consent text (as an invitation leaves them)."""
    database = Database(database_url)
    try:
        async with database.transaction() as tx:
            now = datetime.now(UTC)
            person = await tx.people.create("signal", user.uuid, user.uuid, timezone, now)
            await tx.clients.record_consent(person.id, consent_version(PRIVACY_NOTE), now)
    finally:
        await database.close()


async def registration_code(database_url: str, name: str) -> str:
    """A therapist's one-time registration code, as ``between therapist add`` issues it."""
    code = new_code()
    database = Database(database_url)
    try:
        async with database.transaction() as tx:
            now = datetime.now(UTC)
            valid_until = now + REGISTRATION_VALID
            await tx.codes.add(CodePurpose.REGISTER, code_hash(code), now, valid_until, name=name)
    finally:
        await database.close()
    return code


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = WAIT) -> None:  # noqa: ASYNC109
    """Until ``check()`` holds: another process's timer wrote it, so there is nothing to await."""
    async with asyncio.timeout(timeout):
        while not await check():  # noqa: ASYNC110 - a row another process writes: no event to await
            await asyncio.sleep(0.1)


def midday_zone(now: datetime) -> str:
    """A time zone where ``now`` is around noon, so a snooze never runs into the end of a
    client's day whenever the suite runs (``Etc/GMT-5`` is UTC+5)."""
    offset = 12 - now.hour
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"
