"""Schedule fan-out: many clients with schedules, thousands of prompts due in the same minute.

A practice with many clients has many prompts due at popular times (08:00, 20:00). Telegram
allows about 30 messages a second overall and answers faster senders with 429, so the question
is whether Between sends such a burst at the allowed rate — no slower, none lost, none twice, no
429 — and whether the scheduler stays cheap, in time and memory, while nothing is due.

The script builds a SQLite file with ``--clients`` people, each with one daily schedule already
materialised through tomorrow (the steady state), times the scheduler's tick with nothing due in
this process, then runs ``between run`` against the fake Bot API server (in this process)
enforcing 30 messages/s overall and 1/s per chat. Once the bot is up, ``--due`` of the clients
get a time T, the first whole minute at least 75 s later; the others' times are hours away. It
prints the drain time of those prompts against the ideal N/30 s, prompts lost and duplicated,
429s, the idle tick's cost and the bot's peak resident memory, each next to its target.

Usage: python -m benchmarks.schedule_fanout [--clients 100000] [--due 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import os
import platform
import random
import signal
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as wall_time
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Table, bindparam, func, insert, select, update

from bot.chat.turn import new_prompt_token
from bot.core.local_time import end_of_local_day, local_today, start_of_local_day
from bot.core.timezones import zone_from_name
from bot.practice.admission import consent_version
from bot.runtime.settings import Settings
from bot.runtime.wiring import open_runtime
from bot.transports.telegram.texts import PRIVACY_NOTE
from storage import Database, PromptStatus
from storage.tables import DUE_PROMPTS, OUTBOX, PEOPLE, SCHEDULES
from tests.support.bot_process import start_bot_process
from tests.support.fake_bot_api import FakeBotApi

TOKEN = "123456:BENCHMARK"
RATE = 30  # Telegram's overall limit, messages per second; the fake server enforces it
FLOW = "mood_check"
FIRST_CHAT = 1_000_000
CHUNK = 5_000  # rows per executemany
TICK_RUNS = 20
TICK_SECONDS = 5  # SCHEDULER_TICK_SECONDS of the bot under test
LEAD = timedelta(seconds=75)  # the bot runs idle at least this long before the prompts fall due
CLEAR = timedelta(hours=2)  # no other client's time is this close to the measured minute
WAIT = 600.0  # seconds after T before the prompts still unsent count as lost
SETTLE = 2.0 * TICK_SECONDS  # after the last prompt: time for a late duplicate to show up

TARGET_DRAIN_RATIO = 1.05
TARGET_TICK_MS = 50.0
TARGET_RSS_MB = 200.0


@dataclass(frozen=True)
class Plan:
    """Who the clients are and when they practise, fixed before the database is built."""

    clients: int
    recipients: tuple[int, ...]  # client numbers (0-based) whose prompts fall due together
    zone_name: str
    zone: tzinfo
    now: datetime
    today: date

    @property
    def tomorrow(self) -> date:
        return self.today + timedelta(days=1)

    @property
    def placeholder(self) -> datetime:
        """The recipients' time until the bot is up: an hour ahead, so nothing is due before."""
        return (self.now + timedelta(hours=1)).replace(second=0, microsecond=0)


@dataclass(frozen=True)
class Delivery:
    """What the fake server saw of the prompts."""

    per_chat: Counter[int]
    times: list[float]  # monotonic times of the successful prompt sends, in order
    others: int  # successful sends to chats that expected nothing
    failed: int  # sends answered with an error other than 429


def choose_zone(now: datetime) -> tuple[str, tzinfo]:
    """UTC, unless its midnight is near: a new local day would materialise every schedule mid-run."""
    for name in ("UTC", "UTC+12:00"):
        zone = zone_from_name(name)
        local = now.astimezone(zone)
        if timedelta(minutes=30) <= timedelta(hours=local.hour, minutes=local.minute) < timedelta(hours=23):
            return name, zone
    raise AssertionError("one of two zones 12 h apart is always far from midnight")


def other_times(count: int, plan: Plan) -> list[wall_time]:
    """Times spread over the day, none within CLEAR of the run (now … the placeholder)."""
    local = plan.now.astimezone(plan.zone)
    start = (local.hour * 60 + local.minute - int(CLEAR.total_seconds()) // 60) % 1440
    span = (int(CLEAR.total_seconds()) // 60) * 2 + 60  # before now, the run itself and the placeholder hour
    allowed = [m for m in range(1440) if (m - start) % 1440 >= span]
    chosen = (allowed[i * len(allowed) // count] for i in range(count))
    return [wall_time(m // 60, m % 60) for m in chosen]


def at_local(day: date, wall: wall_time, zone: tzinfo) -> datetime:
    """A local day and time as UTC (fixed-offset zones here: no gaps, no folds)."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def occurrence_key(day: date, wall: wall_time) -> str:
    return f"{day.isoformat()}T{wall:%H:%M}"


def people_rows(plan: Plan) -> Iterator[dict[str, Any]]:
    for n in range(plan.clients):
        chat = str(FIRST_CHAT + n)
        yield {
            "id": n + 1,
            "transport": "telegram",
            "external_user_id": chat,
            "chat_id": chat,
            "role": "client",
            "timezone": plan.zone_name,
            "status": "active",
            "created_at": plan.now,
            "updated_at": plan.now,
            "last_update_id": None,
            "unreachable_since": None,
            "consent_version": consent_version(PRIVACY_NOTE),
            "consented_at": plan.now,
        }


def schedule_rows(plan: Plan, times: list[wall_time]) -> Iterator[dict[str, Any]]:
    """Daily schedules in the state a tick leaves them: created through tomorrow."""
    next_at = start_of_local_day(plan.tomorrow, plan.zone)
    for n, wall in enumerate(times):
        yield {
            "id": n + 1,
            "person_id": n + 1,
            "flow_id": FLOW,
            "times": [f"{wall:%H:%M}"],
            "weekdays": list(range(7)),
            "start_date": plan.today - timedelta(days=7),
            "end_date": None,
            "quiet_start": None,
            "quiet_end": None,
            "rationale": None,
            "created_by": None,
            "status": "active",
            "materialized_through": plan.tomorrow,
            "materialize_at": next_at,
            "not_before": plan.now - timedelta(days=1),
            "created_at": plan.now - timedelta(days=1),
            "updated_at": plan.now,
        }


def due_prompt_rows(plan: Plan, times: list[wall_time]) -> Iterator[dict[str, Any]]:
    """Today's and tomorrow's occurrence of each schedule; today's already past were sent."""
    for n, wall in enumerate(times):
        for day in (plan.today, plan.tomorrow):
            due_at = at_local(day, wall, plan.zone)
            past = due_at <= plan.now
            yield {
                "schedule_id": n + 1,
                "person_id": n + 1,
                "flow_id": FLOW,
                "occurrence": occurrence_key(day, wall),
                "local_day": day,
                "due_at": due_at,
                "expires_at": end_of_local_day(day, plan.zone),
                "status": PromptStatus.SENT if past else PromptStatus.PENDING,
                "token": new_prompt_token(),
                "sent_at": due_at if past else None,
                "acted_at": None,
                "remind_at": None,
                "reminded": past,  # the one reminder is behind them too
                "snoozes": 0,
                "message_id": str(n + 1) if past else None,
                "skip_reason": None,
                "skip_note": None,
                "missed_reason": None,
                "entry_id": None,
            }


def chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


async def prepare(url: str, plan: Plan) -> tuple[float, int]:
    """Migrate a fresh file and bulk-insert the practice; returns (seconds, due prompt rows)."""
    started = time.perf_counter()
    recipients = set(plan.recipients)
    others = iter(other_times(plan.clients - len(recipients), plan))
    placeholder = plan.placeholder.astimezone(plan.zone).time()
    times = [placeholder if n in recipients else next(others) for n in range(plan.clients)]
    database = Database(url)
    try:
        await database.migrate()
        tables: tuple[tuple[Table, Iterable[dict[str, Any]]], ...] = (
            (PEOPLE, people_rows(plan)),
            (SCHEDULES, schedule_rows(plan, times)),
            (DUE_PROMPTS, due_prompt_rows(plan, times)),
        )
        for table, rows in tables:
            async with database.transaction() as tx:
                for chunk in chunks(rows, CHUNK):
                    await tx.connection.execute(insert(table), chunk)
    finally:
        await database.close()
    return time.perf_counter() - started, 2 * plan.clients


async def tick_milliseconds(url: str, runs: int) -> tuple[float, list[float]]:
    """The scheduler's tick with nothing due, as the bot builds it: (first, then ``runs`` more)."""
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    now = datetime.now(UTC)
    async with open_runtime(settings, clock=lambda: now) as runtime:
        timings = []
        for _ in range(runs + 1):
            started = time.perf_counter()
            report = await runtime.scheduler.tick()
            timings.append((time.perf_counter() - started) * 1000)
            assert not report, f"something was due in the idle tick: {report}"
    return timings[0], timings[1:]


async def move_recipients(url: str, plan: Plan, due: datetime) -> None:
    """The recipients' schedules and both their occurrences move to ``due`` (local wall time)."""
    wall = due.astimezone(plan.zone).time()
    database = Database(url)
    try:
        async with database.transaction() as tx:
            await tx.connection.execute(
                update(SCHEDULES)
                .where(SCHEDULES.c.id == bindparam("b_id"))
                .values(times=bindparam("b_times")),
                [{"b_id": n + 1, "b_times": [f"{wall:%H:%M}"]} for n in plan.recipients],
            )
            await tx.connection.execute(
                update(DUE_PROMPTS)
                .where(
                    DUE_PROMPTS.c.schedule_id == bindparam("b_id"),
                    DUE_PROMPTS.c.local_day == bindparam("b_day"),
                )
                .values(occurrence=bindparam("b_key"), due_at=bindparam("b_due")),
                [
                    {
                        "b_id": n + 1,
                        "b_day": day,
                        "b_key": occurrence_key(day, wall),
                        "b_due": at_local(day, wall, plan.zone),
                    }
                    for n in plan.recipients
                    for day in (plan.today, plan.tomorrow)
                ],
            )
    finally:
        await database.close()


async def final_state(url: str, plan: Plan) -> tuple[int, Counter[str], int]:
    """After the bot stopped: outbox rows left, recipients' prompts by status, with a message id."""
    ids = [n + 1 for n in plan.recipients]
    database = Database(url)
    try:
        async with database.transaction() as tx:
            left = (await tx.connection.execute(select(func.count()).select_from(OUTBOX))).scalar_one()
            rows = (
                await tx.connection.execute(
                    select(DUE_PROMPTS.c.status, DUE_PROMPTS.c.message_id).where(
                        DUE_PROMPTS.c.local_day == plan.today,
                        DUE_PROMPTS.c.schedule_id.in_(bindparam("ids", expanding=True)),
                    ),
                    {"ids": ids},
                )
            ).all()
    finally:
        await database.close()
    return int(left), Counter(status for status, _ in rows), sum(1 for _, shown in rows if shown is not None)


def delivery(api: FakeBotApi, chats: set[int]) -> Delivery:
    per_chat: Counter[int] = Counter()
    times: list[float] = []
    others = failed = 0
    for call in api.calls_to("sendMessage"):
        chat = call.params.get("chat_id")
        if call.ok and chat in chats:
            per_chat[chat] += 1
            times.append(call.at)
        elif call.ok:
            others += 1
        elif call.status is not None and call.status != 429:
            failed += 1
    return Delivery(per_chat, sorted(times), others, failed)


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had (NaN once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return math.nan
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return math.nan


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (NaN once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_log(path: Path) -> IO[bytes]:
    return path.open("wb")


async def start_bot(api: FakeBotApi, url: str, workdir: Path, log: IO[bytes]) -> asyncio.subprocess.Process:
    env = {
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "SCHEDULER_TICK_SECONDS": str(TICK_SECONDS),
        "SEND_RATE_PER_SECOND": str(RATE),
        "PYTHONWARNINGS": "ignore",
    }
    return await start_bot_process(api, workdir, env, stdout=log, stderr=log)


@dataclass(frozen=True)
class BotRun:
    """What one run of the bot through the burst showed."""

    seen: Delivery
    too_many: int
    due_at: datetime
    due_mono: float  # monotonic time at due_at, the clock ApiCall.at uses
    idle_cpu: float  # share of one core, from ready until due_at
    drain_cpu: float  # share of one core, from due_at until the last prompt
    rss_mb: float
    exit_code: int
    log: str


async def fan_out(url: str, plan: Plan, workdir: Path) -> BotRun:
    """Start the bot, give the recipients a time T once it is up, and watch it send their prompts."""
    chats = {FIRST_CHAT + n for n in plan.recipients}
    log_path = workdir / "bot.log"
    async with FakeBotApi(
        token=TOKEN, enforce_rate_limits=True, global_per_second=RATE, per_chat_per_second=1.0
    ) as api:
        for n in range(plan.clients):  # every client has a chat (100k take ~0.3 s)
            api.user(FIRST_CHAT + n)
        with open_log(log_path) as log:
            process = await start_bot(api, url, workdir, log)
            try:
                ready, ready_cpu = datetime.now(UTC), cpu_seconds(process.pid)
                due_at = (ready + LEAD + timedelta(seconds=59)).replace(second=0, microsecond=0)
                await move_recipients(url, plan, due_at)
                await asyncio.sleep(max(0.0, (due_at - datetime.now(UTC)).total_seconds()))
                due_mono, due_cpu = time.monotonic(), cpu_seconds(process.pid)
                while time.monotonic() - due_mono < WAIT and process.returncode is None:
                    if len(delivery(api, chats).per_chat) >= len(chats):
                        break
                    await asyncio.sleep(0.5)
                done_mono, done_cpu = time.monotonic(), cpu_seconds(process.pid)
                await asyncio.sleep(SETTLE)
                rss = peak_rss_mb(process.pid)
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                exit_code = await asyncio.wait_for(process.wait(), timeout=60)
        return BotRun(
            seen=delivery(api, chats),
            too_many=api.too_many_requests,
            due_at=due_at,
            due_mono=due_mono,
            idle_cpu=(due_cpu - ready_cpu) / (due_at - ready).total_seconds(),
            drain_cpu=(done_cpu - due_cpu) / (done_mono - due_mono),
            rss_mb=rss,
            exit_code=exit_code,
            log=log_path.read_text(errors="replace"),
        )


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def print_bot_run(run: BotRun, due: int) -> None:
    seen = run.seen
    sent = len(seen.per_chat)
    first, last = (seen.times[0], seen.times[-1]) if seen.times else (math.nan, math.nan)
    drain = last - first + 1 / RATE
    gaps = sorted((b - a) * 1000 for a, b in itertools.pairwise(seen.times)) or [math.nan]
    ideal = due / RATE
    lost = due - sent
    duplicated = sum(1 for count in seen.per_chat.values() if count > 1)
    print(
        f"drain: {sent} prompts in {drain:.1f} s (first to last send + 1/{RATE} s) against the ideal "
        f"{ideal:.1f} s = {drain / ideal:.3f}× ({verdict(drain / ideal <= TARGET_DRAIN_RATIO)} the "
        f"≤ {TARGET_DRAIN_RATIO:.2f}× target)"
    )
    print(
        f"  due at {run.due_at:%H:%M} UTC: first sent {first - run.due_mono:.1f} s later, last "
        f"{last - run.due_mono:.1f} s later; bot CPU {run.idle_cpu:.1%} of a core while idle, "
        f"{run.drain_cpu:.0%} while sending"
    )
    print(
        f"  gaps between sends: median {statistics.median(gaps):.1f} ms, 99th percentile "
        f"{gaps[int(0.99 * (len(gaps) - 1))]:.1f} ms, max {gaps[-1]:.1f} ms "
        f"(1/{RATE} s = {1000 / RATE:.1f} ms)"
    )
    print(f"lost: {lost} ({verdict(lost == 0)} the 0 target)")
    print(f"duplicated: {duplicated} ({verdict(duplicated == 0)} the 0 target)")
    print(f"429s received: {run.too_many} ({verdict(run.too_many == 0)} the 0 target)")
    print(
        f"peak resident memory of the bot: {run.rss_mb:.0f} MB "
        f"({verdict(run.rss_mb < TARGET_RSS_MB)} the < {TARGET_RSS_MB:.0f} MB target)"
    )


async def main(clients: int, due: int) -> None:
    now = datetime.now(UTC)
    zone_name, zone = choose_zone(now)
    chosen = random.Random(2026).sample(range(clients), due)
    plan = Plan(clients, tuple(sorted(chosen)), zone_name, zone, now, local_today(now, zone))
    print(f"Schedule fan-out — {clients} clients with a daily schedule, {due} prompts due in one minute")
    print(
        f"python {platform.python_version()}, python-telegram-bot {version('python-telegram-bot')}, "
        f"SQLAlchemy {version('SQLAlchemy')}, {os.cpu_count()} CPUs; clients' zone {zone_name}"
    )
    with tempfile.TemporaryDirectory(prefix="between-bench-fanout-") as directory:
        workdir = Path(directory)
        url = f"sqlite+aiosqlite:///{workdir / 'between.db'}"
        seconds, prompts = await prepare(url, plan)
        print(f"prepared {clients} people, {clients} schedules, {prompts} due prompts in {seconds:.1f} s")

        cold, ticks = await tick_milliseconds(url, TICK_RUNS)
        tick_median, tick_max = statistics.median(ticks), max(ticks)
        print(
            f"tick with nothing due at {clients} schedules ({TICK_RUNS} runs after a first at "
            f"{cold:.1f} ms): median {tick_median:.1f} ms, max {tick_max:.1f} ms "
            f"({verdict(tick_max < TARGET_TICK_MS)} the < {TARGET_TICK_MS:.0f} ms target)"
        )

        run = await fan_out(url, plan, workdir)
        print_bot_run(run, due)
        left, statuses, shown = await final_state(url, plan)

    traceback = "a Traceback" if "Traceback" in run.log else "no Traceback"
    by_status = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    print(
        f"bot exit code {run.exit_code}, {traceback} in its log ({len(run.log.splitlines())} lines); "
        f"other sends {run.seen.others}, failed sends {run.seen.failed}; outbox rows left {left}; "
        f"recipients' prompts today: {by_status}, {shown} with a message id"
    )
    if "Traceback" in run.log:
        print("last lines of the bot's log:\n" + "\n".join(run.log.splitlines()[-20:]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=5_000)
    arguments = parser.parse_args()
    if not 0 < arguments.due <= arguments.clients:
        parser.error("--due must be between 1 and --clients")
    asyncio.run(main(arguments.clients, arguments.due))
