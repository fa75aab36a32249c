"""aiosqlite connections whose statements run on the event loop's thread unless SQLite is busy.

aiosqlite runs SQLite on its own thread; every awaited call is a trip there and back, and on a
small virtual machine a trip costs 25–100 µs of CPU and two context switches, while the
statements of a turn take a few µs each in SQLite itself (measured: benchmarks/README.md).
Through SQLAlchemy's public ``async_creator`` hook we hand it a connection whose cursors
execute, fetch and close in one call on the event loop's thread, and whose commits and
rollbacks do too. Such a statement cannot block the loop on a lock: the connection's busy
timeout is 0, so one that meets another connection's write lock (``between`` commands run
beside the bot, another connection of this process) fails at once with SQLITE_BUSY and is then
run again on aiosqlite's thread with the full busy timeout, while the loop goes on. That is safe
because a statement that meets SQLITE_BUSY did nothing: writes open their transaction with
``BEGIN IMMEDIATE`` (the lock is taken before any change), and in WAL a transaction holding the
write lock is never busy. Opening and closing stay aiosqlite's. aiosqlite is pinned in
``pyproject.toml`` because its queue to its thread is internal to it; the whole test suite
runs through this module.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import aiosqlite

BUSY_TIMEOUT_MS = 10_000
"""How long a statement that found the database locked waits for it, on aiosqlite's thread."""

T = TypeVar("T")


def _busy(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY (and its extended codes): another connection holds a lock we need."""
    code = getattr(error, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def _waiting(work: Callable[[sqlite3.Connection], T], connection: sqlite3.Connection) -> T:
    """Runs on aiosqlite's thread: ``work`` with the busy timeout, then back to not waiting."""
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    try:
        return work(connection)
    finally:
        connection.execute("PRAGMA busy_timeout=0")


async def _without_blocking(connection: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """``work`` on the loop's thread; if SQLite is busy, again on aiosqlite's, waiting there."""
    try:
        return work(connection._conn)
    except sqlite3.OperationalError as error:
        if not _busy(error):
            raise
    # aiosqlite's own queue to its thread (SQLAlchemy's adapter uses its internals too).
    run_on_thread: Any = connection._execute
    result: T = await run_on_thread(_waiting, work, connection._conn)
    return result


def _run_statement(
    connection: sqlite3.Connection, sql: str, parameters: Any, many: bool
) -> tuple[list[Any] | None, Any, int, int | None]:
    """Execute, fetch everything, close: one call in all."""
    cursor = connection.executemany(sql, parameters) if many else connection.execute(sql, parameters)
    try:
        description = cursor.description
        rows = cursor.fetchall() if description is not None else None
        return rows, description, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class LeanCursor:
    """The async cursor protocol SQLAlchemy's adapter expects, in one thread trip a statement."""

    arraysize = 1

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> LeanCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _run(self, sql: str, parameters: Any, many: bool) -> LeanCursor:
        values = parameters if parameters is not None else ()
        rows, self.description, self.rowcount, self.lastrowid = await _without_blocking(
            self._connection, lambda connection: _run_statement(connection, sql, values, many)
        )
        self._rows = deque(rows or ())
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> LeanCursor:
        return await self._run(sql, parameters, many=False)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> LeanCursor:
        return await self._run(sql, list(parameters), many=True)

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size if size is not None else self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *sizes: Any) -> None:
        return None

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        return None

    async def close(self) -> None:
        self._rows.clear()


class LeanConnection:
    """An aiosqlite connection whose ``cursor()`` is a :class:`LeanCursor` and whose commits
    and rollbacks run on the loop's thread too."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._lean_connection = connection

    def cursor(self) -> LeanCursor:
        return LeanCursor(self._lean_connection)

    async def commit(self) -> None:
        await _without_blocking(self._lean_connection, sqlite3.Connection.commit)

    async def rollback(self) -> None:
        await _without_blocking(self._lean_connection, sqlite3.Connection.rollback)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lean_connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_lean_connection":
            object.__setattr__(self, name, value)
        else:
            setattr(self._lean_connection, name, value)


def lean_creator(database: str) -> Any:
    """An ``async_creator`` for ``create_async_engine``: connect as aiosqlite would, not waiting
    for locks (busy timeout 0; see the module). The connection is used from the loop's thread and
    from aiosqlite's, never from both at once (each call is awaited before the next), and the
    sqlite3 module serialises its calls anyway."""

    async def connect() -> LeanConnection:
        connection = aiosqlite.connect(database, check_same_thread=False, timeout=0)
        return LeanConnection(await connection)

    return connect
