"""Engine set-up and the one-transaction-per-unit-of-work entry point."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    create_async_engine,
)

from storage.errors import StorageError
from storage.repositories import Transaction
from storage.sqlite_driver import lean_creator

log = logging.getLogger(__name__)

_in_transaction: ContextVar[bool] = ContextVar("between_in_transaction", default=False)


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and writers that queue instead of failing.

    ``isolation_level = "IMMEDIATE"`` makes the driver open a write transaction (``BEGIN
    IMMEDIATE``) in the same call as a transaction's first write, so concurrent writers wait on
    the busy timeout instead of failing on a lock upgrade, and no extra round trip to the
    database thread is spent on ``BEGIN``. Units of work that read before they write open the
    write transaction first with :meth:`Transaction.lock_for_write`.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = "IMMEDIATE"
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=10000",
        ):
            cursor.execute(pragma)
        cursor.close()


class Database:
    """Owns the engine; hands out one :class:`Transaction` per update or tick."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        parsed = make_url(url)
        self.url = url
        self.location = (
            parsed.database if parsed.get_backend_name() == "sqlite" else parsed.render_as_string()
        )
        """Where the data is, for people: a file path, or the URL with its password hidden."""
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        options: dict[str, Any] = {}
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database).expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            options["async_creator"] = lean_creator(str(path))
        # Transactions always end in COMMIT or ROLLBACK, so the pool's extra rollback on check-in
        # would only cost a round trip to the database thread.
        self.engine = create_async_engine(
            url, echo=echo, hide_parameters=True, pool_reset_on_return=None, **options
        )
        if self.is_sqlite:
            _prepare_sqlite(self.engine)
        self._writer_turn = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Commit on success, roll back on any error; driver errors become StorageError.

        Units of work in one process take turns: a unit that reads and then writes sees no
        other write of this process in between, and in-memory state that follows a commit (the
        delivery ledger) never races a read. SQLite has one writer anyway; on PostgreSQL, several
        bot processes share the work with ``FOR UPDATE SKIP LOCKED`` instead.
        """
        if _in_transaction.get():
            raise RuntimeError("nested database transaction: pass the open Transaction instead")
        token = _in_transaction.set(True)
        transaction: Transaction | None = None
        try:
            async with self._writer_turn, self.engine.begin() as connection:
                transaction = Transaction(connection)
                yield transaction
            transaction.committed()
        except BaseException as error:
            if transaction is not None:
                transaction.rolled_back()
            if isinstance(error, SQLAlchemyError):
                raise StorageError(f"database error: {type(error).__name__}") from error
            raise
        finally:
            _in_transaction.reset(token)

    async def migrate(self) -> None:
        """Bring the schema to the newest migration."""
        from storage.migrate import MigrationError, upgrade

        try:
            await upgrade(self.engine)
        except MigrationError as error:
            raise StorageError(f"could not migrate the database: {error}") from error
        except SQLAlchemyError as error:
            raise StorageError(f"could not migrate the database: {type(error).__name__}") from error

    async def close(self) -> None:
        await self.engine.dispose()
