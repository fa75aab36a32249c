"""This process's own PostgreSQL session, beside the pool: the roles only one process may hold
and the wake-ups other processes send.

Held for the process's whole life on one connection of its own:

- **Roles** (polling Telegram with the bot token: Telegram refuses a second ``getUpdates``) are
  session-level advisory locks. The server drops them with the connection, so when the holder
  dies its role is free at once and a process standing by takes it on its next try.
- **Wake-ups**: ``LISTEN between_outbox``. A trigger on the outbox (migration 0015) notifies on
  commit whenever a message becomes due now; every listening process's drainer wakes.

When the connection is lost (the server restarted, the connection was cut), the server has
dropped the roles with it: the session says it holds none, and the next try connects again (or
raises :class:`DatabaseUnavailable` while the server is away) and listens again.

On SQLite (one process) there is no session: the process holds every role and wakes itself.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

from storage.database import Database, database_unavailable
from storage.errors import DatabaseUnavailable, StorageError

log = logging.getLogger(__name__)

ROLE_LOCK_CLASS = 0x4265  # "Be": the first key of Between's advisory locks
OUTBOX_CHANNEL = "between_outbox"


def role_key(role: str) -> int:
    """The advisory lock's second key for a role (a stable 31-bit number from its name)."""
    return zlib.crc32(role.encode()) & 0x7FFFFFFF


class ProcessSession:
    """One connection for the process's roles and wake-ups (see the module)."""

    def __init__(self, connection: Any, dsn: str) -> None:
        self._connection = connection
        self._dsn = dsn
        self._turn = asyncio.Lock()  # one statement at a time on the connection
        self._wake: Callable[[], None] | None = None
        self.roles: set[str] = set()

    @classmethod
    async def open(cls, database: Database) -> ProcessSession | None:
        """The session on PostgreSQL; None on SQLite."""
        if not database.shared:
            return None
        import asyncpg  # type: ignore[import-untyped]

        dsn = make_url(database.url).set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            connection = await asyncpg.connect(dsn)
        except (OSError, asyncpg.PostgresError) as error:
            raise StorageError(f"could not open the process's session: {type(error).__name__}") from error
        return cls(connection, dsn)

    async def _reconnect_if_lost(self) -> None:
        """A lost connection took the roles with it: connect again and listen again (the caller
        holds ``_turn``); DatabaseUnavailable while the server cannot be reached."""
        if not self._connection.is_closed():
            return
        self.roles.clear()
        import asyncpg

        try:
            self._connection = await asyncpg.connect(self._dsn)
        except (OSError, asyncpg.PostgresError) as error:
            raise DatabaseUnavailable(f"process session: {type(error).__name__}") from error
        log.info("the process's database session is back (roles to be taken again)")
        if self._wake is not None:
            wake = self._wake
            await self._connection.add_listener(OUTBOX_CHANNEL, lambda *_: wake())
            wake()  # what was queued meanwhile was not announced to this session

    async def try_role(self, role: str) -> bool:
        """Take ``role`` if no live process holds it; True if this process holds it now."""
        if role in self.roles and not self._connection.is_closed():
            return True
        async with self._turn:
            await self._reconnect_if_lost()
            try:
                taken = await self._connection.fetchval(
                    "SELECT pg_try_advisory_lock($1, $2)", ROLE_LOCK_CLASS, role_key(role)
                )
            except Exception as error:
                if not database_unavailable(error) and not self._connection.is_closed():
                    raise
                raise DatabaseUnavailable(f"process session: {type(error).__name__}") from error
        if taken:
            self.roles.add(role)
        return bool(taken)

    async def wait_for_role(self, role: str, retry_seconds: float = 2.0) -> None:
        """Return once this process holds ``role``, trying every ``retry_seconds`` meanwhile."""
        said = False
        while not await self.try_role(role):
            if not said:
                log.info("another process holds %s; standing by", role)
                said = True
            await asyncio.sleep(retry_seconds)
        if said:
            log.info("took over %s", role)

    async def listen(self, wake: Callable[[], None]) -> None:
        """Call ``wake`` whenever another transaction made outbox messages due now."""
        self._wake = wake
        async with self._turn:
            await self._connection.add_listener(OUTBOX_CHANNEL, lambda *_: wake())

    async def close(self) -> None:
        """Roles end with the connection."""
        await self._connection.close()


__all__ = ["OUTBOX_CHANNEL", "ProcessSession", "role_key"]
