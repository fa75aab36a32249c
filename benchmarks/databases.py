"""Where a benchmark's `between run` keeps its rows: a fresh SQLite file, or a throwaway
PostgreSQL server started from the machine's binaries (as the storage contract tests start it;
``fsync=off``, so the figure is the bot's and the driver's, not the disk's)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.postgres_server import postgres_url

KINDS = ("sqlite", "postgres")


@contextmanager
def database_url(kind: str, directory: Path) -> Iterator[str]:
    """A ``DATABASE_URL`` for an empty database of ``kind`` (``sqlite`` or ``postgres``)."""
    if kind == "postgres":
        with postgres_url() as url:
            yield url
    else:
        yield f"sqlite+aiosqlite:///{directory / 'between.db'}"
