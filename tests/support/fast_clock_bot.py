"""``between run`` with a clock that runs faster than the wall clock: tests and benchmarks only.

A five-minute urge-surfing timer is part of the kill-chaos benchmark; at ``SPEED`` times the
wall clock it runs in seconds. The clock is ``ANCHOR + (wall - ANCHOR) × SPEED``, the same in
every process started with the same two values, so a timer keeps its place across a SIGKILL and
a restart, and time never runs backwards. Everything else is ``between run`` as it is.

    BETWEEN_TEST_CLOCK_SPEED=10 BETWEEN_TEST_CLOCK_ANCHOR=2026-12-06T06:00:00+00:00 \\
        python -m tests.support.fast_clock_bot
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from datetime import UTC, datetime

from bot.cli.home import anchored, home
from bot.cli.run import run
from bot.core.logs import configure_logging
from bot.runtime.settings import load_settings

SPEED = "BETWEEN_TEST_CLOCK_SPEED"
ANCHOR = "BETWEEN_TEST_CLOCK_ANCHOR"


def fast_clock(speed: float, anchor: datetime) -> Callable[[], datetime]:
    """Aware UTC time running ``speed`` times as fast as the wall clock since ``anchor``."""

    def now() -> datetime:
        return anchor + (datetime.now(UTC) - anchor) * speed

    return now


def main() -> None:
    speed = float(os.environ[SPEED])
    anchor = datetime.fromisoformat(os.environ[ANCHOR])
    folder = home()
    settings = anchored(load_settings(folder / ".env"), folder)
    configure_logging(settings.log_level)
    asyncio.run(run(settings, fast_clock(speed, anchor)))


if __name__ == "__main__":
    main()
