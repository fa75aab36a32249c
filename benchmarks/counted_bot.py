"""A bot process that counts what its steps cost, in figures the machine's load does not change:
CPU time (the whole process, the event loop's thread alone, its garbage collections), SQL
statements (by their first words), transactions (commits, rollbacks), trips to aiosqlite's
thread, and optionally Python function calls (cProfile). Counting starts at SIGUSR1 (start-up
left out) and the counts go to ``$BETWEEN_COUNTS`` (JSON) when the process stops (SIGTERM).

``BETWEEN_COUNTED=floor`` runs the floor (``benchmarks.floor_bot``) instead of ``between run``;
``BETWEEN_COUNT_CALLS=1`` adds cProfile's call count (which costs CPU: read the CPU figures from a
run without it) and leaves the profile beside the counts (``$BETWEEN_COUNTS.prof``).
``python -m benchmarks.mood_check_throughput --cost`` runs both bots this way.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import pstats
import re
import resource
import signal
import sys
import time
from collections import Counter
from types import FrameType
from typing import Any

_SHAPE = re.compile(r"\s+")


def _kind(statement: str) -> str:
    """A statement's first words and table: enough to tell the statements of a step apart."""
    words = _SHAPE.sub(" ", statement.strip())[:160]
    match = re.match(r"(?i)(select .*? from \S+|insert into \S+|update \S+|delete from \S+|\S+ ?\S*)", words)
    return match.group(1) if match else words


class Counts:
    def __init__(self) -> None:
        self.on = False
        self.statements: Counter[str] = Counter()
        self.commits = 0
        self.rollbacks = 0
        self.trips = 0
        self.cpu_start = 0.0
        self.usage_start: Any = None
        self.loop_cpu_start = 0.0
        self.profile: cProfile.Profile | None = None
        self.collections: Counter[int] = Counter()
        self.collecting = 0.0
        self._collect_start = 0.0

    def on_collect(self, phase: str, info: dict[str, int]) -> None:
        if not self.on:
            return
        if phase == "start":
            self._collect_start = time.thread_time()
        else:
            self.collections[info["generation"]] += 1
            self.collecting += time.thread_time() - self._collect_start

    def start(self) -> None:
        self.usage_start = resource.getrusage(resource.RUSAGE_SELF)
        usage = self.usage_start
        self.cpu_start = usage.ru_utime + usage.ru_stime
        self.loop_cpu_start = time.thread_time()
        self.on = True
        if os.environ.get("BETWEEN_COUNT_CALLS") == "1":
            self.profile = cProfile.Profile(time.thread_time)
            self.profile.enable()

    def result(self) -> dict[str, Any]:
        usage, start = resource.getrusage(resource.RUSAGE_SELF), self.usage_start
        found: dict[str, Any] = {
            "cpu": usage.ru_utime + usage.ru_stime - self.cpu_start,
            "system_cpu": usage.ru_stime - start.ru_stime,
            "switches": usage.ru_nvcsw + usage.ru_nivcsw - start.ru_nvcsw - start.ru_nivcsw,
            "loop_cpu": time.thread_time() - self.loop_cpu_start,
            "statements": dict(self.statements),
            "commits": self.commits,
            "rollbacks": self.rollbacks,
            "trips": self.trips,
            "collections": {str(generation): n for generation, n in sorted(self.collections.items())},
            "collecting": self.collecting,
            "tracked": len(gc.get_objects()),
        }
        if self.profile is not None:
            self.profile.disable()
            self.profile.dump_stats(os.environ["BETWEEN_COUNTS"] + ".prof")
            stats = pstats.Stats(self.profile)
            found["calls"] = stats.total_calls  # type: ignore[attr-defined]
            found["primitive_calls"] = stats.prim_calls  # type: ignore[attr-defined]
        return found


COUNTS = Counts()


def _listen() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def on_statement(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if COUNTS.on:
            COUNTS.statements[_kind(statement)] += 1

    def on_commit(conn: Any) -> None:
        if COUNTS.on:
            COUNTS.commits += 1

    def on_rollback(conn: Any) -> None:
        if COUNTS.on:
            COUNTS.rollbacks += 1

    event.listen(Engine, "before_cursor_execute", on_statement)
    event.listen(Engine, "commit", on_commit)
    event.listen(Engine, "rollback", on_rollback)

    import aiosqlite

    execute = aiosqlite.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if COUNTS.on:
            COUNTS.trips += 1
        return await execute(self, fn, *args, **kwargs)

    aiosqlite.Connection._execute = counted  # type: ignore[method-assign]


def _start(signum: int, frame: FrameType | None) -> None:
    COUNTS.start()


def main() -> int:
    signal.signal(signal.SIGUSR1, _start)
    gc.callbacks.append(COUNTS.on_collect)
    code = 0
    try:
        if os.environ.get("BETWEEN_COUNTED") == "floor":
            from benchmarks import floor_bot

            floor_bot.main()  # type: ignore[no-untyped-call]
        else:
            _listen()
            from bot.cli.main import main as between

            sys.argv = ["between", "run"]
            code = between()
    finally:
        with open(os.environ["BETWEEN_COUNTS"], "w", encoding="utf-8") as out:
            json.dump(COUNTS.result(), out)
    return code


if __name__ == "__main__":
    sys.exit(main())
