"""Clients who are already in: most tests are about homework, not about joining.

The bot only talks to people who joined with a therapist's invitation and agreed to the consent
text (tests/practice/test_practice_telegram.py tests exactly that). For every other end-to-end
test, each fake user is written into the database as such a client the moment the test creates
them, the way an earlier invitation would have left them: through the repositories, so it holds
on every database the storage layer supports.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.practice.admission import consent_version
from bot.transports.telegram.texts import PRIVACY_NOTE
from storage import Database


async def enrol(database: Database, user_id: int, now: datetime, timezone: str = "UTC") -> None:
    """Telegram user ``user_id`` as a client who has agreed to the consent text (once)."""
    async with database.transaction() as tx:
        if await tx.people.find("telegram", str(user_id)) is not None:
            return
        person = await tx.people.create("telegram", str(user_id), str(user_id), timezone, now)
        await tx.clients.record_consent(person.id, consent_version(PRIVACY_NOTE), now)


async def enrol_at(database_url: str, user_ids: Iterable[int], now: datetime) -> None:
    """Enrol clients of a bot running in another process, over a connection of the test's own."""
    database = Database(database_url)
    try:
        for user_id in user_ids:
            await enrol(database, user_id, now)
    finally:
        await database.close()


class Enroller:
    """Enrols each fake user the moment a test makes one (``FakeBotApi.on_new_user``).

    ``api.user(42)`` is not async, and the test's next step (a send, or a schedule written for
    them) must find them enrolled; so the enrolment runs to its end on an event loop of its own,
    in a thread, with a connection of its own to the bot's database.
    """

    def __init__(self, database_url: str, clock: Callable[[], datetime], timezone: str) -> None:
        self._url, self._clock, self._timezone = database_url, clock, timezone
        self._opened: tuple[Database, asyncio.AbstractEventLoop, threading.Thread] | None = None

    def __call__(self, user_id: int) -> None:
        if self._opened is None:  # on the first new user: most tests make one or two
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="enroller", daemon=True)
            thread.start()
            self._opened = Database(self._url), loop, thread
        database, loop, _ = self._opened
        work = enrol(database, user_id, self._clock(), self._timezone)
        asyncio.run_coroutine_threadsafe(work, loop).result(timeout=30)

    def close(self) -> None:
        if self._opened is None:
            return
        database, loop, thread = self._opened
        asyncio.run_coroutine_threadsafe(database.close(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
