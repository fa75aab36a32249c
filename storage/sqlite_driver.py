"""aiosqlite connections that cost one trip to the database thread per statement, not four.

aiosqlite runs SQLite on its own thread; every awaited call is a trip there and back, and on a
small virtual machine a trip costs about 0.1 ms of CPU (measured: benchmarks/README.md).
SQLAlchemy's aiosqlite adapter spends up to four trips on a query (open a cursor, execute,
fetch, close). Through SQLAlchemy's public ``async_creator`` hook we hand it a connection whose
cursors execute, fetch and close in a single trip, on aiosqlite's own queue to its thread.
Everything else is the plain aiosqlite connection. aiosqlite is pinned in ``pyproject.toml``
because that queue is internal to it; the whole test suite runs through this module.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite


def _run_statement(
    connection: sqlite3.Connection, sql: str, parameters: Any, many: bool
) -> tuple[list[Any] | None, Any, int, int | None]:
    """Runs on the database thread: execute, fetch everything, close — one trip in all."""
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
        connection = self._connection
        # aiosqlite's own queue to its thread (SQLAlchemy's adapter uses its internals too).
        run_on_thread: Any = connection._execute
        rows, self.description, self.rowcount, self.lastrowid = await run_on_thread(
            _run_statement, connection._conn, sql, parameters if parameters is not None else (), many
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
    """An aiosqlite connection whose ``cursor()`` is a :class:`LeanCursor`."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._lean_connection = connection

    def cursor(self) -> LeanCursor:
        return LeanCursor(self._lean_connection)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lean_connection, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "_lean_connection":
            object.__setattr__(self, name, value)
        else:
            setattr(self._lean_connection, name, value)


def lean_creator(database: str) -> Any:
    """An ``async_creator`` for ``create_async_engine``: connect as aiosqlite would."""

    async def connect() -> LeanConnection:
        connection = aiosqlite.connect(database, check_same_thread=True)
        return LeanConnection(await connection)

    return connect
