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


def load_keys(settings: Settings) -> LoadedKeys:
    """The key ring from ENCRYPTION_KEYS or the key file, which is created (and said so) when
    neither exists: every command that opens the database seals with the same keys."""
    from storage.crypto import KeyRingError, load_keyring

    keys = settings.encryption_keys.get_secret_value() if settings.encryption_keys else None
    try:
        loaded = load_keyring(keys, settings.encryption_key_file)
    except KeyRingError as error:
        raise ConfigurationError(f"configuration error: {error}") from None
    if loaded.created:
        print(KEY_CREATED.format(path=settings.encryption_key_file), flush=True)
    return loaded


async def open_database(
    settings: Settings, keys: KeyRing | None = None, *, check_keys: bool = True
) -> Database:
    """The database with the practice's keys, migrated; unless told not to, refused when its
    newest values name a key that is not configured (see ``Database.check_keys``)."""
    from storage import Database

    database = Database(settings.database_url, keyring=keys or load_keys(settings).ring)
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
