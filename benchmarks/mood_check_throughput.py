"""Mood-check throughput: Between (durable) next to a minimal in-memory bot (the floor).

Many simulated users do mood checks at once against the fake Bot API server (in this process).
Each bot runs as its own process — ``between run`` on a fresh SQLite file, and
``benchmarks.floor_bot``, a python-telegram-bot ``ConversationHandler`` with state in memory
making the same Bot API calls — against the same server, with the same users and the same
script, in alternating rounds. It prints steps answered per second for each and the ratio.
Target: ratio >= 0.8 (durability may cost at most 20 %; issue #17).

A step is one client action the bot answers: /mood, a rating, a toggle, Done, a note, how it went.

Usage: python -m benchmarks.mood_check_throughput [--users 100] [--checks 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from benchmarks.databases import KINDS, database_url
from tests.support.bot_process import start_bot_process
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi, FakeUser

TOKEN = "123456:BENCHMARK"
STEPS_PER_CHECK = 6
WAIT = 120.0
READY = 300.0  # seconds a bot may take to start (a loaded machine)
TARGET = 0.80


@dataclass(frozen=True)
class Result:
    bot: str
    seconds: float
    steps: int
    api_calls: Counter[str] = field(default_factory=Counter)
    """Bot API calls the bot made during the steps, by method."""

    @property
    def per_second(self) -> float:
        return self.steps / self.seconds


async def mood_check(api: FakeBotApi, user: FakeUser) -> None:
    await user.send("/mood")
    await user.expect(2, timeout=WAIT)
    await user.press("7")
    await user.expect(1, timeout=WAIT)
    feelings = user.last_message()
    await user.press("Calm")
    await api.wait_until(lambda: "✓ Calm" in feelings.labels(), timeout=WAIT)
    await user.press("Done")
    await user.expect(1, timeout=WAIT)
    await user.send("Slept badly, but the walk helped.")
    await user.expect(1, timeout=WAIT)
    await user.send("Nothing got in the way.")
    summary = (await user.expect(1, timeout=WAIT))[0]
    assert summary.text is not None and "Mood 7/10" in summary.text, summary.text


async def start_bot(
    kind: str,
    api: FakeBotApi,
    workdir: Path,
    url: str,
    profile: Path | None = None,
    counts: Path | None = None,
) -> asyncio.subprocess.Process:
    env = {
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        # The floor has no sending pace; measure durability, not Telegram's limits.
        "SEND_RATE_PER_SECOND": "0",
    }
    module = "bot" if kind == "between" else "benchmarks.floor_bot"
    if profile is not None:
        env["BETWEEN_PROFILE"], module = str(profile), "benchmarks.profiled_bot"
    if counts is not None:
        env["BETWEEN_COUNTS"], env["BETWEEN_COUNTED"], module = str(counts), kind, "benchmarks.counted_bot"
    return await start_bot_process(api, workdir, env, module=module, ready_timeout=READY)


async def one_run(
    kind: str,
    users: int,
    checks: int,
    database: str = "sqlite",
    profile: Path | None = None,
    counts: Path | None = None,
) -> Result:
    with (
        tempfile.TemporaryDirectory(prefix=f"between-bench-{kind}-") as directory,
        database_url(database if kind == "between" else "sqlite", Path(directory)) as url,
    ):
        async with FakeBotApi(token=TOKEN) as api:
            process = await start_bot(kind, api, Path(directory), url, profile, counts)
            if profile is not None or counts is not None:
                process.send_signal(signal.SIGUSR1)  # started: profile from here on
            try:
                if kind == "between":  # clients who joined by invitation (the schema exists by now)
                    await enrol_at(url, range(10_000, 10_000 + users), datetime.now(UTC))
                calls_before = len(api.calls)

                people = [api.user(10_000 + n) for n in range(users)]

                async def practise(user: FakeUser) -> None:
                    for _ in range(checks):
                        await mood_check(api, user)

                started = time.perf_counter()
                await asyncio.gather(*(practise(user) for user in people))
                elapsed = time.perf_counter() - started
                made = Counter(call.method for call in api.calls[calls_before:])
            finally:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), timeout=60)
    return Result(kind, elapsed, users * checks * STEPS_PER_CHECK, made)


async def thread_trip_microseconds(calls: int = 2000) -> float:
    """CPU per aiosqlite call on this machine: the unit Between's storage path is paid in."""
    import aiosqlite

    async with aiosqlite.connect(":memory:") as connection:
        started = time.process_time()
        for _ in range(calls):
            await connection.execute("SELECT 1")
        return (time.process_time() - started) / calls * 1e6


async def main(users: int, checks: int, rounds: int, database: str = "sqlite") -> float:
    """Prints the figures; returns the median of each round's ratio."""
    print(
        f"Mood-check throughput — {users} users × {checks} checks × {STEPS_PER_CHECK} steps, "
        f"{rounds} alternating rounds, Between on {database}; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"python {platform.python_version()}, python-telegram-bot {version('python-telegram-bot')}, "
        f"SQLAlchemy {version('SQLAlchemy')}, {os.cpu_count()} CPUs"
    )
    print(
        f"one aiosqlite call (a trip to its thread and back): {await thread_trip_microseconds():.0f} µs CPU"
    )
    results: dict[str, list[Result]] = {"floor": [], "between": []}
    await one_run("between", 5, 1, database)  # warm caches (imports, pip's bytecode) outside the measurement
    for round_number in range(1, rounds + 1):
        for kind in ("floor", "between"):
            result = await one_run(kind, users, checks, database)
            results[kind].append(result)
            print(
                f"  round {round_number} {kind:8s} {result.steps} steps in {result.seconds:6.2f} s "
                f"= {result.per_second:7.1f} steps/s"
            )
    floor = statistics.median(r.per_second for r in results["floor"])
    between = statistics.median(r.per_second for r in results["between"])
    print(f"floor (in-memory PTB ConversationHandler): {floor:7.1f} steps/s (median)")
    print(f"between ({database}: state, outbox, ledger): {between:7.1f} steps/s (median)")
    verdict = "meets" if between / floor >= TARGET else "MISSES"
    print(f"ratio between/floor: {between / floor:.2f} ({verdict} the {TARGET:.2f} target)")
    paired = [b.per_second / f.per_second for f, b in zip(results["floor"], results["between"], strict=True)]
    print(
        "each round's ratio (floor and Between one after the other, so the machine's load is more "
        f"alike): {', '.join(f'{r:.2f}' for r in paired)}; median {statistics.median(paired):.2f}"
    )
    return statistics.median(paired)


async def profile_between(users: int, checks: int, database: str, top: int = 20) -> None:
    """One round of Between under cProfile: its CPU per step, the top items."""
    import pstats

    with tempfile.TemporaryDirectory(prefix="between-profile-") as directory:
        path = Path(directory) / "between.prof"
        result = await one_run("between", users, checks, database, profile=path)
        stats = pstats.Stats(str(path))
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        f"Between's CPU under cProfile (start-up left out): {total / result.steps * 1000:.2f} ms a step "
        f"({result.steps} steps; load average {os.getloadavg()[0]:.1f})"
    )
    print("top items by own time (ms a step, cumulative ms a step, calls a step):")
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]  # type: ignore[attr-defined]
    for (filename, line, name), (_, calls, own, cumulative, _) in rows:
        place = f"{Path(filename).name}:{line}({name})" if line else name
        print(
            f"  {own / result.steps * 1000:6.3f}  {cumulative / result.steps * 1000:7.3f}  "
            f"{calls / result.steps:6.1f}  {place}"
        )


async def step_cost(users: int, checks: int, database: str, calls: bool = False, top: int = 25) -> None:
    """Each bot once, counted (``benchmarks/counted_bot.py``): what a step costs in figures the
    machine's load does not change — CPU, SQL statements, transactions, thread trips, API calls."""
    import json

    print(
        f"Cost a step — {users} users × {checks} checks × {STEPS_PER_CHECK} steps, Between on {database}; "
        f"load average {os.getloadavg()[0]:.1f}" + ("; Python calls counted (CPU inflated)" if calls else "")
    )
    if calls:
        os.environ["BETWEEN_COUNT_CALLS"] = "1"
    await one_run("between", 5, 1, database)  # warm caches outside the measurement
    for kind in ("floor", "between"):
        with tempfile.TemporaryDirectory(prefix="between-cost-") as directory:
            path = Path(directory) / "counts.json"
            result = await one_run(kind, users, checks, database, counts=path)
            found = json.loads(path.read_text())
        steps = result.steps
        statements: dict[str, int] = found["statements"]
        line = (
            f"{kind:8s} CPU {found['cpu'] / steps * 1000:.2f} ms a step "
            f"(event loop's thread {found['loop_cpu'] / steps * 1000:.2f} ms, in the kernel "
            f"{found['system_cpu'] / steps * 1000:.2f} ms, "
            f"{found['switches'] / steps:.1f} context switches); "
            f"{sum(statements.values()) / steps:.2f} statements, {found['commits'] / steps:.2f} commits, "
            f"{found['rollbacks'] / steps:.2f} rollbacks, {found['trips'] / steps:.2f} thread trips, "
            f"{sum(result.api_calls.values()) / steps:.2f} Bot API calls a step"
        )
        line += (
            f"; garbage collections {found['collections']} taking "
            f"{found['collecting'] / steps * 1000:.2f} ms a step "
            f"({found['tracked']} objects tracked at the end)"
        )
        if "calls" in found:
            line += f"; {found['calls'] / steps:.0f} Python calls a step"
        print(line + f" ({result.per_second:.1f} steps/s)")
        for method, count in sorted(result.api_calls.items(), key=lambda item: -item[1]):
            print(f"    {count / steps:6.2f}  {method}")
        for kind_of, count in sorted(statements.items(), key=lambda item: -item[1])[:top]:
            print(f"    {count / steps:6.2f}  {kind_of}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--checks", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=KINDS, default="sqlite")
    parser.add_argument("--profile", action="store_true", help="one round of Between under cProfile instead")
    parser.add_argument(
        "--cost", action="store_true", help="each bot once, counted: CPU, statements, commits a step"
    )
    parser.add_argument("--calls", action="store_true", help="with --cost: count Python calls too")
    arguments = parser.parse_args()
    if arguments.cost:
        asyncio.run(step_cost(arguments.users, arguments.checks, arguments.database, arguments.calls))
    elif arguments.profile:
        asyncio.run(profile_between(arguments.users, arguments.checks, arguments.database))
    else:
        asyncio.run(main(arguments.users, arguments.checks, arguments.rounds, arguments.database))
