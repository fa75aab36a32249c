"""Polling Telegram so that a process killed at any moment loses no update.

Telegram keeps an update until a ``getUpdates`` call carries an ``offset`` greater than its id;
from then on it is gone for good. python-telegram-bot's ``Updater`` asks for the next batch, with
the offset past the last update it *fetched*, as soon as it has queued the batch for handling:
a process killed before the queue was handled loses those updates, and the client's answer with
them. This loop confirms only what was handled: the offset it sends is one past the last update
whose handler returned (the conversation service commits inside it), so a kill before that
leaves the update with Telegram, which sends it again after the restart. An update handled and
committed but not yet confirmed comes back too; the per-person update-id watermark in the
conversation service turns that repeat into a no-op.

Updates are handled one at a time, in the order Telegram sent them (as the ``Application`` did
with ``concurrent_updates`` off). Stopping finishes the update in hand, confirms what was
handled and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from enum import Enum

from telegram import Bot, Update
from telegram.error import Conflict, RetryAfter, TelegramError

from bot.core.errors import DatabaseUnavailable
from bot.core.logs import describe_error

log = logging.getLogger(__name__)


class Outcome(Enum):
    """How handling one update ended."""

    HANDLED = "handled"
    """Its transaction committed (or it needed none)."""
    FAILED = "failed"
    """Its handler raised (logged by the error handler): tried again a few times, then skipped."""
    UNAVAILABLE = "unavailable"
    """The database could not be reached: held and tried again until it is back, never skipped
    and never confirmed, so Telegram keeps it meanwhile."""


HandleUpdate = Callable[[Update], Awaitable[Outcome]]
"""Handles one update to its end (``Application.process_update``) and says how it ended."""

FIRST_DELAY = 0.5
"""Seconds before retrying a failed call or update; doubled after each failure in a row."""
MAX_DELAY = 30.0
ATTEMPTS = 3
"""Tries at an update whose handler raises before it is skipped: an update that always fails
must not hold up everyone behind it. A database that cannot be reached is not the update's
fault: those tries do not count (see :class:`Outcome`)."""
DATABASE_MAX_DELAY = 5.0
"""The longest wait between tries while the database is unavailable: back within seconds of it,
one cheap try every few seconds meanwhile (not a spin)."""


def _backoff(failures: int, max_delay: float) -> float:
    return min(max_delay, FIRST_DELAY * 2.0 ** (failures - 1))


def _retry_delay(error: Exception, failures: int, max_delay: float) -> float:
    """Telegram's own ``retry_after`` on a 429, else a doubling delay, capped."""
    if isinstance(error, RetryAfter):
        after = error.retry_after
        return after.total_seconds() if isinstance(after, timedelta) else float(after)
    return _backoff(failures, max_delay)


def _report_death(task: asyncio.Task[None]) -> None:
    """The polling task ends only when stopped; anything else means no update is read any more."""
    error = None if task.cancelled() else task.exception()
    if error is not None:
        log.critical("polling Telegram stopped: %s; restart the bot", describe_error(error))


class Poller:
    """Fetches updates with ``getUpdates`` and hands them to ``handle`` one at a time, sending an
    offset past an update only once it was handled."""

    def __init__(
        self,
        bot: Bot,
        handle: HandleUpdate,
        *,
        timeout: float,
        allowed_updates: Sequence[str],
        max_delay: float = MAX_DELAY,
        attempts: int = ATTEMPTS,
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._timeout = timedelta(seconds=timeout)
        self._allowed_updates = list(allowed_updates)
        self._max_delay = max_delay
        self._attempts = attempts
        self._offset: int | None = None
        """One past the newest handled update; None until one was."""
        self._sent_offset: int | None = None
        self._batch: deque[Update] = deque()
        self._handling = False
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    @property
    def offset(self) -> int | None:
        """The offset the next ``getUpdates`` sends: one past the newest handled update."""
        return self._offset

    def idle(self) -> bool:
        """True when no fetched update is waiting behind the one being handled."""
        return not self._batch

    def start(self, turn: Callable[[], Awaitable[None]] | None = None) -> None:
        """Poll from now on, or once ``turn`` returns (only one process may poll a bot token)."""
        self._task = asyncio.get_running_loop().create_task(self._run(turn), name="telegram-polling")
        self._task.add_done_callback(_report_death)

    async def stop(self) -> None:
        """Finish the update in hand (a long poll or a back-off wait is cut short), then confirm
        what was handled. Fetched updates not handled stay with Telegram for the next start."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        if not self._handling:
            task.cancel()
        await asyncio.wait([task])  # a poller that died has said why (_report_death)
        self._batch.clear()
        await self._confirm_handled()

    async def _run(self, turn: Callable[[], Awaitable[None]] | None = None) -> None:
        failed: list[type[Exception]] = []  # the kinds of error in the current run of failures
        while not self._stopping:
            if turn is not None and not await self._my_turn(turn, failed):
                continue
            try:
                updates = await self._fetch(self._offset, self._timeout)
            except Exception as error:  # an answer we cannot read is retried too
                failed.append(type(error))
                await asyncio.sleep(self._failed(error, failed))
                continue
            calls = [kind for kind in failed if kind is not DatabaseUnavailable]
            if calls:
                log.info("getUpdates works again after %d failed calls", len(calls))
            failed.clear()
            self._batch.extend(updates)
            while self._batch and not self._stopping:
                await self._handle_next()

    async def _my_turn(self, turn: Callable[[], Awaitable[None]], failed: list[type[Exception]]) -> bool:
        """Wait for this process's turn to poll, asked before every call: a process that lost
        its database session lost the turn with it. False (after a wait) if it could not ask."""
        try:
            await turn()
            return True
        except DatabaseUnavailable:  # said once, by the database
            failed.append(DatabaseUnavailable)
            await asyncio.sleep(_backoff(len(failed), min(self._max_delay, DATABASE_MAX_DELAY)))
        except Exception as error:
            failed.append(type(error))
            await asyncio.sleep(self._failed(error, failed))
        return False

    async def _handle_next(self) -> None:
        """Handle the batch's first update (again, after a failure, a few times; for as long as
        the database is unavailable), then move the offset past it. A stop while waiting to
        retry leaves it unconfirmed."""
        update = self._batch[0]
        failures = held = 0
        while (outcome := await self._handle_once(update)) is not Outcome.HANDLED:
            if outcome is Outcome.UNAVAILABLE:
                held += 1
                await asyncio.sleep(_backoff(held, min(self._max_delay, DATABASE_MAX_DELAY)))
                continue
            failures += 1
            if failures >= self._attempts:
                log.error("update %s failed %d times; skipped", update.update_id, self._attempts)
                break
            delay = _backoff(failures, self._max_delay)
            log.warning(
                "update %s failed (try %d of %d); again in %.1f s",
                update.update_id,
                failures,
                self._attempts,
                delay,
            )
            await asyncio.sleep(delay)
        self._batch.popleft()
        self._offset = update.update_id + 1

    async def _handle_once(self, update: Update) -> Outcome:
        self._handling = True
        try:
            return await self._handle(update)
        finally:
            self._handling = False

    async def _fetch(self, offset: int | None, wait: timedelta, limit: int = 100) -> Sequence[Update]:
        updates = await self._bot.get_updates(
            offset=offset, timeout=wait, limit=limit, allowed_updates=self._allowed_updates
        )
        self._sent_offset = offset
        return updates

    def _failed(self, error: Exception, failed: list[type[Exception]]) -> float:
        """Log a failed ``getUpdates`` (once per run of the same error) and say how long to wait."""
        delay = _retry_delay(error, len(failed), self._max_delay)
        if failed[-2:-1] == [type(error)]:
            return delay
        if isinstance(error, Conflict):
            log.error(
                "another process is polling Telegram with this bot token (Conflict); "
                "stop the other one (retrying until then)"
            )
        else:
            log.warning("getUpdates failed: %s; retrying in %.1f s", describe_error(error), delay)
        return delay

    async def _confirm_handled(self) -> None:
        """Tell Telegram about the handled updates the last ``getUpdates`` did not confirm yet
        (a short call; updates it returns are left for the next start)."""
        if self._offset is None or self._offset == self._sent_offset:
            return
        try:
            await self._fetch(self._offset, timedelta(0), limit=1)
        except TelegramError as error:
            log.info(
                "could not confirm handled updates on stop (%s); they come back once", describe_error(error)
            )
