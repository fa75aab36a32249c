"""Logging set-up, done by the CLI at start-up (never at import time).

Our own records carry ids, flow and step names only. Libraries that might log secrets or
content are turned down: httpx logs request URLs, and Telegram's URLs contain the bot token.
"""

from __future__ import annotations

import logging
import traceback

QUIET_LIBRARIES = ("httpx", "httpcore", "telegram", "apscheduler", "aiosqlite", "sqlalchemy", "alembic")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def describe_error(error: BaseException) -> str:
    """Exception types and code locations only: messages can quote what a client wrote."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None and len(parts) < 5:
        frames = traceback.extract_tb(current.__traceback__)[-3:]
        where = " < ".join(f"{f.name} ({f.filename.rsplit('/', 1)[-1]}:{f.lineno})" for f in reversed(frames))
        parts.append(f"{type(current).__name__} at {where or '?'}")
        current = current.__cause__ or current.__context__
    return " caused by ".join(parts)
