"""Engine set-up and the one-transaction-per-unit-of-work entry point."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Text, and_, bindparam, case, column, event, func, select, table, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    create_async_engine,
)

from bot.core.errors import ConfigurationError, MissingDriver
from storage.crypto import SEALED, KeyRing, UnreadableValue, sealed_key_id
from storage.errors import DatabaseUnavailable, StorageError
from storage.sqlite_driver import lean_creator
from storage.transaction import Transaction
from storage.types import EncryptedJson, EncryptedText, keyring_of, use_keyring

log = logging.getLogger(__name__)

_in_transaction: ContextVar[bool] = ContextVar("between_in_transaction", default=False)


def _prepare_sqlite(engine: AsyncEngine, *, lean: bool) -> None:
    """WAL, foreign keys, a busy timeout, and writers that queue instead of failing.

    ``isolation_level = "IMMEDIATE"`` makes the driver open a write transaction (``BEGIN
    IMMEDIATE``) in the same call as a transaction's first write, so concurrent writers wait on
    the busy timeout instead of failing on a lock upgrade, and no extra call is spent on
    ``BEGIN``. Units of work that read before they write open the write transaction first with
    :meth:`Transaction.lock_for_write`. A ``lean`` connection (``storage/sqlite_driver.py``)
    waits for locks on its own thread, with its own busy timeout: its statements run on the
    event loop's thread, which must never wait for one.

    ``synchronous=NORMAL`` with WAL: a commit is in the WAL file when it returns, so it survives
    the process being killed at any moment; only a power loss or an operating-system crash may
    lose the last commits (FULL would fsync the WAL at every commit for that).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = "IMMEDIATE"
        cursor = dbapi_connection.cursor()
        pragmas = ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"]
        if not lean:
            pragmas.append("PRAGMA busy_timeout=10000")
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()


def _make_folder_for(path: Path) -> None:
    """The SQLite file's folder, made if missing; one line (a ConfigurationError) if it cannot be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise ConfigurationError(
            f"cannot create the folder {path.parent} for the database ({reason}): set DATABASE_URL "
            "to a file in a folder you can write"
        ) from None
    if not path.exists() and not os.access(path.parent, os.W_OK):
        raise ConfigurationError(
            f"cannot create the database in {path.parent} (not writable): set DATABASE_URL to a file "
            "in a folder you can write"
        )


_SQLITE_UNAVAILABLE = (
    "database is locked",
    "readonly database",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
)
_DRIVER_UNAVAILABLE = frozenset(
    {
        "AdminShutdownError",  # the server stopping, or pg_terminate_backend
        "CannotConnectNowError",  # starting up, shutting down, in recovery
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "CrashShutdownError",
        "TooManyConnectionsError",
    }
)


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached or written *for now* — worth
    waiting for — rather than that the work itself is wrong (a constraint, a bad statement)."""
    if isinstance(error, ConnectionError | socket.gaierror | TimeoutError):  # refused, reset
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        words = str(error.orig).lower()
        if any(reason in words for reason in _SQLITE_UNAVAILABLE):
            return True
    causes: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and len(causes) < 5:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    return any(
        type(c).__module__.startswith("asyncpg") and type(c).__name__ in _DRIVER_UNAVAILABLE for c in causes
    )


class Reachability:
    """Whether the database could be reached lately, for ``between status``; an outage is logged
    once when it begins (the class of error only) and once when work goes through again,
    however many units of work meet it. A file locked for writing still answers reads, so the
    state may flap: a new outage line waits ``QUIET_SECONDS`` after the last."""

    QUIET_SECONDS = 60.0

    def __init__(self) -> None:
        self.down_since: datetime | None = None
        self.reason = ""
        self._said_at: float | None = None
        self._said_back = True

    def failed(self, error: BaseException) -> None:
        if self.down_since is not None:
            return
        self.down_since, self.reason = datetime.now(UTC), type(error).__name__
        now = time.monotonic()
        if self._said_at is not None and now - self._said_at < self.QUIET_SECONDS:
            return
        self._said_at, self._said_back = now, False
        log.error("the database is unavailable (%s); what needs it waits and is retried", self.reason)

    def worked(self) -> None:
        if self.down_since is None:
            return
        self.down_since = None
        if not self._said_back and self._said_at is not None:
            self._said_back = True
            log.warning("the database is back after %.0f s", time.monotonic() - self._said_at)


@dataclass(frozen=True)
class EncryptedColumn:
    """A column whose values are sealed at rest, and how to reach its rows in batches."""

    table: str
    column: str
    key: str
    """The table's primary key (one column)."""

    @property
    def context(self) -> str:
        return f"{self.table}.{self.column}"


def encrypted_columns() -> list[EncryptedColumn]:
    """Every sealed column of the schema, found in the models (one place says which they are)."""
    from storage.models import Base

    found = []
    for model_table in Base.metadata.sorted_tables:
        (key,) = model_table.primary_key.columns
        for model_column in model_table.columns:
            if isinstance(model_column.type, EncryptedJson | EncryptedText):
                found.append(EncryptedColumn(model_table.name, model_column.name, key.name))
    return found


def _raw(where: EncryptedColumn) -> tuple[Any, Any, Any]:
    """The table with the column as plain text: what is stored, neither opened nor sealed."""
    raw = table(where.table, column(where.key), column(where.column, Text()))
    return raw, raw.c[where.key], raw.c[where.column]


@dataclass
class ResealReport:
    """What :meth:`Database.reseal` did, counted in values (one column of one row)."""

    resealed: Counter[str] = field(default_factory=Counter)
    """By column: values sealed again with the newest key (plaintext ones included)."""
    current: int = 0
    """Values already sealed with the newest key, left as they were."""
    unreadable: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(column, key id): values that could not be opened (key not in the ring, or altered)."""


class Database:
    """Owns the engine; hands out one :class:`Transaction` per update or tick.

    ``keyring`` seals what clients write (``storage/crypto.py``); without one values are stored
    as they are (tests that read rows with plain SQL). ``between`` always passes one.
    """

    def __init__(self, url: str, *, echo: bool = False, keyring: KeyRing | None = None) -> None:
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
            _make_folder_for(path)
            options["async_creator"] = lean_creator(str(path))
        # Transactions always end in COMMIT or ROLLBACK, so the pool's extra rollback on check-in
        # would only cost a round trip to the database thread.
        try:
            self.engine = create_async_engine(
                url, echo=echo, hide_parameters=True, pool_reset_on_return=None, **options
            )
        except ModuleNotFoundError as error:
            if error.name != "asyncpg":
                raise
            raise MissingDriver(
                "DATABASE_URL names PostgreSQL, but its driver (asyncpg) is not installed", extra="postgres"
            ) from None
        if self.is_sqlite:
            _prepare_sqlite(self.engine, lean="async_creator" in options)
        self.keyring = keyring
        use_keyring(self.engine.sync_engine.dialect, keyring)
        self._writer_turn = asyncio.Lock()
        self.reachability = Reachability()
        self.owner = f"{socket.gethostname()[:24]}:{os.getpid()}:{secrets.token_hex(3)}"
        """This process, as the owner of the leases it takes (unique per start)."""

    @property
    def shared(self) -> bool:
        """Several bot processes may use this database at once (PostgreSQL); SQLite has one."""
        return not self.is_sqlite

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
                transaction = Transaction(connection, owner=self.owner)
                yield transaction
                back = await self._proves_reachable(connection)
            transaction.committed()
            if back:
                self.reachability.worked()
        except BaseException as error:
            if transaction is not None:
                transaction.rolled_back()
            if database_unavailable(error):
                self.reachability.failed(error)
                raise DatabaseUnavailable(f"database unavailable: {type(error).__name__}") from error
            if isinstance(error, SQLAlchemyError):
                raise StorageError(f"database error: {type(error).__name__}") from error
            raise
        finally:
            _in_transaction.reset(token)

    async def _proves_reachable(self, connection: Any) -> bool:
        """Whether this committed unit of work shows the outage over: any, on a server; on
        SQLite only one that wrote (a file locked for writing still answers reads)."""
        if self.reachability.down_since is None or not self.is_sqlite:
            return True
        raw = await connection.get_raw_connection()
        return bool(getattr(raw.driver_connection, "in_transaction", True))

    async def migrate(self) -> None:
        """Bring the schema to the newest migration."""
        from storage.migrate import MigrationError, upgrade

        try:
            await upgrade(self.engine)
        except MigrationError as error:
            raise StorageError(f"could not migrate the database: {error}") from error
        except SQLAlchemyError as error:
            raise StorageError(f"could not migrate the database: {type(error).__name__}") from error
        except Exception as error:  # the first connect: asyncpg's errors come unwrapped
            refusal = self._connect_refusal(error)
            if refusal is None:
                raise
            raise refusal from None

    def _connect_refusal(self, error: Exception) -> StorageError | None:
        """One line for a server that cannot be reached or refuses us (never the password)."""
        if isinstance(error, OSError):  # refused, no route, unknown host, timed out
            if isinstance(error, socket.gaierror):
                reason = "host name not found"
            else:
                reason = os.strerror(error.errno).lower() if error.errno and error.errno > 0 else "no answer"
            return StorageError(
                f"cannot reach the database server at {self.location} ({reason}): "
                "check that it is running there and that DATABASE_URL names it"
            )
        if type(error).__module__.startswith("asyncpg"):
            return StorageError(
                f"the database server at {self.location} refused the connection ({type(error).__name__}): "
                "check the user, password and database name in DATABASE_URL"
            )
        return None

    async def check_keys(self) -> None:
        """Refuse to go on if the newest value of any sealed column names a key that is not in
        the ring: its key was lost or left behind (a key file made anew over old data, say), and
        nothing written from now on should pretend otherwise. One short query per column."""
        ring = keyring_of(self.engine.sync_engine.dialect)
        async with self.engine.connect() as connection:
            for where in encrypted_columns():
                _, key, value = _raw(where)
                newest = (
                    await connection.execute(
                        select(value).where(value.is_not(None)).order_by(key.desc()).limit(1)
                    )
                ).scalar()
                id_ = sealed_key_id(newest) if isinstance(newest, str) else None
                if id_ is not None and (ring is None or id_ not in ring.ids):
                    configured = f"the keys configured ({', '.join(ring.ids)})" if ring else "any key"
                    raise UnreadableValue(
                        f"the database holds values sealed with key {id_} ({where.context}), which is "
                        f"not among {configured}: restore the key file from your copy, or set "
                        "ENCRYPTION_KEYS"
                    )

    async def key_usage(self) -> dict[str, Counter[str]]:
        """By column: how many values each key id sealed ("" counts values in plaintext)."""
        usage: dict[str, Counter[str]] = {}
        async with self.engine.connect() as connection:
            for where in encrypted_columns():
                raw, _, value = _raw(where)
                sealed_by = case((value.like(f"{SEALED}%"), func.substr(value, len(SEALED) + 1, 8)), else_="")
                query = select(sealed_by, func.count()).select_from(raw).where(value.is_not(None))
                rows = await connection.execute(query.group_by(sealed_by))
                usage[where.context] = Counter({str(id_): int(count) for id_, count in rows})
        return usage

    async def reseal(
        self, *, batch: int = 500, progress: Callable[[str, int], None] | None = None
    ) -> ResealReport:
        """Seal every value of every sealed column with the ring's newest key, in batches of
        ``batch`` rows, each batch its own transaction.

        Values already sealed with the newest key are left alone, so an interrupted run is
        simply run again. A row is rewritten only if it still holds what was read (a bot left
        running is not overwritten; stop it anyway: it seals with the keys it started with).
        """
        ring = self.keyring
        if ring is None:
            raise StorageError("no encryption key: nothing to seal with")
        report = ResealReport()
        for where in encrypted_columns():
            await self._reseal_column(where, ring, batch, report, progress)
        return report

    async def _reseal_column(
        self,
        where: EncryptedColumn,
        ring: KeyRing,
        batch: int,
        report: ResealReport,
        progress: Callable[[str, int], None] | None,
    ) -> None:
        raw, key, value = _raw(where)
        rewrite = (
            update(raw)
            .where(and_(key == bindparam("b_key"), value == bindparam("b_old")))
            .values({where.column: bindparam("b_new")})
        )
        current = f"{SEALED}{ring.newest}:"
        after: Any = None
        while True:
            query = select(key, value).where(value.is_not(None)).order_by(key).limit(batch)
            if after is not None:
                query = query.where(key > after)
            changes = []
            async with self.transaction() as tx:
                await tx.lock_for_write()
                rows = (await tx.connection.execute(query)).all()
                for row_key, stored in rows:
                    if stored.startswith(current):
                        report.current += 1
                        continue
                    plaintext = stored
                    if stored.startswith(SEALED):
                        try:
                            plaintext = ring.open(stored, where.context)
                        except UnreadableValue:
                            report.unreadable[(where.context, sealed_key_id(stored) or "?")] += 1
                            continue
                    sealed = ring.seal(plaintext, where.context)
                    changes.append({"b_key": row_key, "b_old": stored, "b_new": sealed})
                if changes:
                    await tx.connection.execute(rewrite, changes)
            report.resealed[where.context] += len(changes)
            if progress is not None and changes:
                progress(where.context, len(changes))
            if len(rows) < batch:
                return
            after = rows[-1][0]

    async def compact(self) -> None:
        """SQLite: rewrite the file and empty the WAL, so that no freed page keeps a value as it
        was before it was sealed again (plaintext, or under a retired key). PostgreSQL keeps old
        row versions until ``VACUUM FULL``, which is left to its administrator."""
        if not self.is_sqlite:
            return
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("VACUUM")
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def close(self) -> None:
        await self.engine.dispose()
