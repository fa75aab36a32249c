"""Engine set-up and the one-transaction-per-unit-of-work entry point."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.errors import StorageError
from storage.repositories import Transaction

log = logging.getLogger(__name__)


def _prepare_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` so writers queue, not fail."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=10000",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Owns the engine; hands out one :class:`Transaction` per update or tick."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        parsed = make_url(url)
        self.url = url
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_async_engine(url, echo=echo, hide_parameters=True)
        if self.is_sqlite:
            _prepare_sqlite(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Commit on success, roll back on any error; driver errors become StorageError."""
        session: AsyncSession = self._sessions()
        try:
            async with session.begin():
                yield Transaction(session)
        except SQLAlchemyError as error:
            raise StorageError(f"database error: {type(error).__name__}") from error
        finally:
            await session.close()

    async def migrate(self) -> None:
        """Bring the schema to the newest migration."""
        from storage.migrate import upgrade

        try:
            await upgrade(self.engine)
        except SQLAlchemyError as error:
            raise StorageError(f"could not migrate the database: {type(error).__name__}") from error

    async def close(self) -> None:
        await self.engine.dispose()
