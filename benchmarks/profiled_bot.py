"""``between run`` under cProfile (the main thread's CPU time, not its waits) from SIGUSR1 on
(so start-up is left out; ``BETWEEN_PROFILE_START_UP=1``: from the start); the statistics go to
``$BETWEEN_PROFILE`` when it stops (SIGTERM).
``python -m benchmarks.mood_check_throughput --profile`` runs Between this way."""

from __future__ import annotations

import cProfile
import os
import signal
import sys
import time
from types import FrameType

from bot.cli.main import main

if __name__ == "__main__":
    sys.argv = ["between", "run"]
    profile = cProfile.Profile(time.thread_time)  # the event loop's CPU, not the waits
    whole = os.environ.get("BETWEEN_PROFILE_START_UP") == "1"

    def start(signum: int, frame: FrameType | None) -> None:
        profile.enable()

    signal.signal(signal.SIGUSR1, start)
    if whole:
        profile.enable()
    try:
        code = main()
    finally:
        profile.disable()
        profile.dump_stats(os.environ["BETWEEN_PROFILE"])
    sys.exit(code)
