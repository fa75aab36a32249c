"""What every command that opens the database shares: the practice's keys, the database
migrated and checked, and the key file's lock (a running bot holds it shared)."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.errors import ConfigurationError
from bot.runtime.settings import Settings

if TYPE_CHECKING:
    from storage import Database
    from storage.crypto import KeyRing, LoadedKeys

KEY_CREATED = (
    "Created an encryption key in {path} — keep a copy somewhere safe: without it the data cannot be read."
)


async def load_keys(settings: Settings) -> LoadedKeys:
    """The key ring from ENCRYPTION_KEYS or the key file, which is created (and said so) when
    neither exists: every command that opens the database seals with the same keys. A key file
    is never made beside a database that holds values sealed with another key."""
    from storage.crypto import KeyRingError, load_keyring

    keys = settings.encryption_keys.get_secret_value() if settings.encryption_keys else None
    if not (keys and keys.strip()) and not _exists(settings.encryption_key_file):
        await _refuse_a_new_key_for_sealed_data(settings)
    try:
        loaded = load_keyring(keys, settings.encryption_key_file)
    except KeyRingError as error:
        raise ConfigurationError(f"configuration error: {error}") from None
    if loaded.created:
        print(KEY_CREATED.format(path=settings.encryption_key_file), flush=True)
    return loaded


async def _refuse_a_new_key_for_sealed_data(settings: Settings) -> None:
    """Raise if the database already holds sealed values: its key file was lost or is looked
    for in the wrong place, and a new key would only hide that."""
    from storage import Database
    from storage.crypto import UnreadableValue

    database = Database(settings.database_url)
    if database.is_sqlite and not _exists(database.location or ":memory:"):
        await database.close()
        return  # a new practice
    try:
        await database.migrate()
        await database.check_keys()
    except UnreadableValue:
        raise ConfigurationError(
            f"configuration error: the key file {settings.encryption_key_file} is missing, but the "
            f"database {database.location} holds encrypted values: restore the key file from your "
            "copy (or set ENCRYPTION_KEYS); no new key was made"
        ) from None
    finally:
        await database.close()


def _exists(path: str) -> bool:
    return Path(path).expanduser().exists()


async def open_database(
    settings: Settings, keys: KeyRing | None = None, *, check_keys: bool = True
) -> Database:
    """The database with the practice's keys, migrated; unless told not to, refused when its
    newest values name a key that is not configured (see ``Database.check_keys``)."""
    from storage import Database

    database = Database(settings.database_url, keyring=keys or (await load_keys(settings)).ring)
    try:
        await database.migrate()
        if check_keys:
            await database.check_keys()
    except BaseException:
        await database.close()
        raise
    return database


@contextlib.contextmanager
def key_lock(path: Path | None, *, exclusive: bool) -> Iterator[bool]:
    """A running bot holds its key file shared; rotation needs it alone (the bot would go on
    sealing with a key that rotation retires). Yields whether the lock was had."""
    if path is None:
        yield True
        return
    lock = path.with_name(path.name + ".lock")
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
