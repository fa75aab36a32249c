"""The bot token's send budget, shared by every process on one PostgreSQL database.

Telegram allows a bot token about 30 messages a second, however many processes send for it.
Each paced send takes the next slot of one even grid kept in a row (``send_budget.next_slot``),
in a single atomic statement on the server's own clock: a slot is never handed out twice, the
grid never runs ahead of ``1 / spacing`` a second summed over every process, and an idle spell
earns no burst. SQLite runs one process, whose own pacer is the whole budget.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from storage.database import Database
from storage.errors import StorageError

_TAKE_SLOT = text(
    """
    INSERT INTO send_budget (key, next_slot)
    VALUES (:key, clock_timestamp() + make_interval(secs => :spacing))
    ON CONFLICT (key) DO UPDATE
    SET next_slot = GREATEST(send_budget.next_slot, clock_timestamp()) + make_interval(secs => :spacing)
    RETURNING EXTRACT(EPOCH FROM (next_slot - clock_timestamp()))::float8 - :spacing
    """
)


async def take_send_slot(database: Database, key: str, spacing: float) -> float:
    """Take the next send slot of ``key``'s grid; returns the seconds to wait for it (0: now).
    Outside the process's transaction turns: a slot is one short statement of its own."""
    if not database.shared:
        return 0.0
    try:
        async with database.engine.begin() as connection:
            wait = (await connection.execute(_TAKE_SLOT, {"key": key, "spacing": spacing})).scalar_one()
    except (SQLAlchemyError, OSError) as error:
        raise StorageError(f"send budget: {type(error).__name__}") from error
    return max(0.0, float(wait))


__all__ = ["take_send_slot"]
