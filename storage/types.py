"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from storage.crypto import SEALED, KeyRing, UnreadableValue, sealed_key_id

JsonColumn = JSON().with_variant(JSONB(), "postgresql")
"""JSON everywhere, JSONB on PostgreSQL."""


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out — also on SQLite, which drops offsets."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


KEYRING_ATTRIBUTE = "_between_keyring"
"""Where a database's key ring hangs: on its engine's dialect (see :func:`use_keyring`)."""


def use_keyring(dialect: Dialect, keyring: KeyRing | None) -> None:
    """Seal with ``keyring`` everything the encrypted columns write through this dialect.

    Column types are shared by every engine, and SQLAlchemy hands a type only the value and the
    engine's dialect; each engine has a dialect of its own, so the dialect carries the ring.
    Each :class:`storage.Database` has its own (two databases in one process do not mix keys),
    and nothing global has to be set or reset. Without a ring (``None``, tests that read rows
    with plain SQL) values are written as they are; the ``between`` command always gives one.
    """
    setattr(dialect, KEYRING_ATTRIBUTE, keyring)


def keyring_of(dialect: Dialect) -> KeyRing | None:
    ring: KeyRing | None = getattr(dialect, KEYRING_ATTRIBUTE, None)
    return ring


def _open(value: str, column: str, dialect: Dialect) -> str:
    ring = keyring_of(dialect)
    if ring is None:
        raise UnreadableValue(
            f"cannot read {column}: it was sealed with key {sealed_key_id(value)}, and no "
            "encryption key is configured"
        )
    return ring.open(value, column)


class EncryptedText(TypeDecorator[str]):
    """Text sealed at rest (``storage/crypto.py``); plaintext written before is read as it is.

    ``column`` ("client_notes.text") is the associated data: a value moved to another column
    does not open.
    """

    impl = Text
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        ring = keyring_of(dialect)
        return value if ring is None else ring.seal(value, self.column)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or not value.startswith(SEALED):
            return value  # type: ignore[no-any-return]
        return _open(value, self.column, dialect)


class EncryptedJson(TypeDecorator[Any]):
    """Any JSON value, sealed at rest as text (also on PostgreSQL: sealed values are not JSON).

    Plaintext JSON written before (by the JSON column this replaces) is read as it is, and
    sealed when the row is written again or by ``between keys rotate``.
    """

    impl = Text
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        ring = keyring_of(dialect)
        if ring is None:
            return json.dumps(value)  # as the JSON column wrote it
        return ring.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")), self.column)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            return value
        if value.startswith(SEALED):
            value = _open(value, self.column, dialect)
        return json.loads(value)
