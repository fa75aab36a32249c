"""Three ``between run`` processes on one PostgreSQL, 300 clients, one process SIGKILLed mid-run.

A throwaway PostgreSQL server is started from the machine's binaries (as the tests do), the fake
Bot API server runs in this process, and three real bot processes share the database and the bot
token. With polling one of them is elected the poller (an advisory lock); the others do the
background work and stand by. Each client does ``--rounds`` mood checks (six answers each). At
the middle of the run the poller's process is SIGKILLed; another takes over polling, and the
replies its handler had leased are taken over when their lease runs out. At the end each
client's entries are compared with what they answered.

Prints: throughput (answers handled a second, homeworks), the kill, how long until another
process polled again, the longest any client waited for a reply (the takeover of leases shows
here), answers lost, entries duplicated, clients who had to repeat themselves, and what was
left in the outbox or claimed.

Usage: python -m benchmarks.several_processes [--clients 300] [--rounds 2] [--processes 3]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.chaos_homework import mood_check
from benchmarks.kill_chaos import Tally, compare
from storage import Database
from storage.crypto import load_keyring
from tests.support.bot_process import start_bot_process
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.postgres_server import postgres_url, unavailable_reason
from tests.support.rows import rows

TOKEN = "123456:SEVERAL"
FIRST_CLIENT = 30_000


@dataclass
class Waits:
    """Seconds from each answer to the reply that showed it was taken."""

    seconds: list[float]
    repeats: int = 0


async def answer_all(api: FakeBotApi, tally: Tally, waits: Waits, user: FakeUser, rounds: int) -> None:
    """``rounds`` mood checks, each answer once; a client who hears nothing for 60 s repeats."""
    tally.answered[user.id] = []
    for n in range(rounds):
        script = mood_check(user, n, speed=1.0)
        for make in script.answers:
            answer = make()
            for _ in range(3):
                started = time.perf_counter()
                await answer.act()
                try:
                    await api.wait_until(answer.taken, timeout=60)
                    waits.seconds.append(time.perf_counter() - started)
                    break
                except AssertionError:
                    waits.repeats += 1
                    tally.clients_who_repeated.add(user.id)
        tally.answered[user.id].append(script)


async def start(api: FakeBotApi, workdir: Path, url: str, n: int) -> asyncio.subprocess.Process:
    log = (workdir / f"bot-{n}.log").open("ab")
    env = {
        "DATABASE_URL": url,
        "LOG_LEVEL": "INFO",
        "PYTHONWARNINGS": "ignore",
        "SEND_RATE_PER_SECOND": "0",  # the processing, not Telegram's pace (as the throughput benchmark)
        "MESSAGES_PER_MINUTE": "10000",
    }
    return await start_bot_process(api, workdir, env, stdout=log, stderr=log)


async def stored(url: str, workdir: Path) -> dict[int, list[tuple[str, str, dict[str, Any]]]]:
    ring = load_keyring(None, workdir / "data" / "between.key").ring
    database = Database(url, keyring=ring)
    try:
        people = {pid: int(user) for pid, user in await rows(database, "people", "id", "external_user_id")}
        found: dict[int, list[tuple[str, str, dict[str, Any]]]] = {}
        entries = await rows(database, "entries", "id", "person_id", "flow_id", "status", "answers")
        for _, person_id, flow, status, answers in sorted(entries, key=lambda r: int(r[0])):
            found.setdefault(people[person_id], []).append((flow, status, answers))
        return found
    finally:
        await database.close()


async def leftovers(url: str) -> tuple[int, int]:
    """(messages still in the outbox, messages still claimed by a drainer)."""
    database = Database(url)
    try:
        queued = await rows(database, "outbox", "id", "lease_owner")
        return len(queued), sum(1 for _, owner in queued if owner is not None)
    finally:
        await database.close()


async def outbox_ids(url: str) -> set[int]:
    database = Database(url)
    try:
        return {int(id_) for (id_,) in await rows(database, "outbox", "id")}
    finally:
        await database.close()


async def gone_after(url: str, killed_at: float, within: float = 120.0) -> float | None:
    """Seconds from the kill until every message queued at that moment has left the outbox:
    what the killed process had claimed, leased to its handler, or sent without writing it down
    is taken over when its lease runs out. None: not within ``within`` seconds."""
    at_kill = await outbox_ids(url)
    while time.perf_counter() - killed_at < within:
        if not at_kill & await outbox_ids(url):
            return time.perf_counter() - killed_at
        await asyncio.sleep(0.25)
    return None


async def kill_the_poller(
    api: FakeBotApi, poller: asyncio.subprocess.Process, url: str
) -> tuple[float, asyncio.Task[float | None]]:
    """SIGKILL the poller's process; returns how long until another polled, and a task that
    says when what was queued at the kill had all left the outbox."""
    polls_before = len(api.calls_to("getUpdates"))
    poller.send_signal(signal.SIGKILL)
    killed_at = time.perf_counter()
    await poller.wait()
    taken_over = asyncio.create_task(gone_after(url, killed_at))
    await api.wait_until(lambda: len(api.calls_to("getUpdates")) > polls_before, timeout=120)
    return time.perf_counter() - killed_at, taken_over


async def run(clients: int, rounds: int, processes: int, url: str, kill_one: bool) -> None:
    print(f"Several processes — {processes} `between run` on one PostgreSQL, {clients} clients, ", end="")
    print(f"{rounds} mood checks each", flush=True)
    with tempfile.TemporaryDirectory(prefix="between-several-") as directory:
        workdir = Path(directory)
        async with FakeBotApi(token=TOKEN) as api:
            bots = [await start(api, workdir, url, 0)]  # the first holds the poller's lock
            await enrol_at(url, range(FIRST_CLIENT, FIRST_CLIENT + clients), datetime.now(UTC))
            for n in range(1, processes):
                bots.append(await start(api, workdir, url, n))
            tally, waits = Tally(), Waits([])
            began = time.perf_counter()
            users = [api.user(FIRST_CLIENT + i) for i in range(clients)]
            work = [asyncio.create_task(answer_all(api, tally, waits, u, rounds)) for u in users]
            expected = clients * rounds * 6
            if kill_one:
                await api.wait_until(lambda: len(waits.seconds) >= expected // 2, timeout=600)
            kill = await kill_the_poller(api, bots[0], url) if kill_one else None
            await asyncio.gather(*work)
            seconds = time.perf_counter() - began
            if kill is not None:
                takeover, taken_over = kill
                print(f"killed: the poller's process (SIGKILL) after {expected // 2} answers; ", end="")
                print(f"another polled {takeover:.1f} s later")
                gone = await taken_over
                gone_text = "not within 120 s" if gone is None else f"{gone:.1f} s after the kill"
                print(f"every message queued at the kill sent and written down: {gone_text}")
            twice = sent_twice(api, users)
            print(f"replies sent twice in a row (sent, not yet written down at the kill): {twice}")
            for bot in bots[1 if kill_one else 0 :]:
                bot.send_signal(signal.SIGTERM)
                await asyncio.wait_for(bot.wait(), timeout=60)
        found = await stored(url, workdir)
        left, claimed = await leftovers(url)
        tracebacks = count_tracebacks(workdir)
    lost = duplicated = 0
    for user_id, answered in tally.answered.items():
        client_lost, client_duplicated = compare(answered, found.get(user_id, []))
        lost, duplicated = lost + client_lost, duplicated + client_duplicated
    ordered = sorted(waits.seconds)
    print(f"run: {seconds:.1f} s; {len(ordered)} answers handled, {len(ordered) / seconds:.1f} a second")
    p50, p95 = ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.95)]
    print(f"reply wait: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, longest {ordered[-1]:.1f} s")
    print(f"answers lost: {lost}; entries duplicated: {duplicated}")
    print(
        f"clients who had to repeat themselves: {len(tally.clients_who_repeated)} ({waits.repeats} repeats)"
    )
    print(f"left in the outbox at the end: {left}, still claimed: {claimed}")
    print(f"tracebacks in the logs: {tracebacks}")


def sent_twice(api: FakeBotApi, users: list[FakeUser]) -> int:
    """Messages shown to a client right after the same message (a repeat of a send)."""
    repeats = 0
    for user in users:
        texts = [m.text for m in api.all_bot_messages(user.chat_id)]
        repeats += sum(1 for before, after in itertools.pairwise(texts) if before == after)
    return repeats


def count_tracebacks(workdir: Path) -> int:
    return sum(p.read_text(errors="replace").count("Traceback") for p in workdir.glob("bot-*.log"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--no-kill", action="store_true", help="no process is killed (a baseline)")
    arguments = parser.parse_args()
    reason = unavailable_reason()
    if reason is not None:
        raise SystemExit(f"PostgreSQL: {reason}")
    with postgres_url() as url:
        kill_one = not arguments.no_kill
        asyncio.run(run(arguments.clients, arguments.rounds, arguments.processes, url, kill_one))


if __name__ == "__main__":
    main()
