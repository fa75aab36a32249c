"""Apply Alembic migrations from inside a running event loop (start-up, ``between migrate``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.errors import MigrationError as MigrationError  # raised here; defined with every error

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate in one transaction. On SQLite, foreign keys are off meanwhile: a migration that
    rebuilds a table (SQLite cannot alter constraints) drops the old one, and with foreign keys
    on that would cascade into every row that refers to it. They are checked before committing."""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # only outside a transaction does this pragma take effect
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await connection.commit()
        try:
            async with connection.begin():
                if sqlite:  # the driver would not open one for DDL
                    await connection.exec_driver_sql("BEGIN IMMEDIATE")
                await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))
                if sqlite and (await connection.exec_driver_sql("PRAGMA foreign_key_check")).first():
                    raise MigrationError("the migrated database has rows whose references are broken")
        finally:
            if sqlite:
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                await connection.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


def head_revision() -> str:
    """The newest revision the migrations know (what a database is upgraded to)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
