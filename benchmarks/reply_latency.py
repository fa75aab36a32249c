"""Reply latency at a human pace (#17, part 5): many clients doing mood checks, each thinking
1–4 s before every answer, against ``between run`` (SQLite or PostgreSQL) with its sending pace
on (30/s overall; a burst of 3, then one a second per chat) and the fake Bot API server enforcing
Telegram's limits as the pacer expects them (30/s overall; per chat a short burst of 3, then
one a second). Real time (no compressed clock: the bot's process keeps its own).

Replies count against Telegram's 30 messages a second like any other message: 300 clients
thinking 2.5 s on average ask for about 120 answers a second, ~1.2 messages each, several times
what one bot token may send; the queue then grows for as long as the run lasts.

It prints p50, p95 and the worst of the time from a client's answer to the next question (the
bot's reply that step waits for), with the target p95 < 300 ms, and the 429s the server gave.
A client who has finished a check starts the next after thinking, until ``--seconds`` are over.

Usage: python -m benchmarks.reply_latency [--clients 300] [--seconds 60] [--seed 1]
       [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import signal
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.databases import KINDS, database_url
from tests.support.bot_process import start_bot_process
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi, FakeUser

TOKEN = "123456:BENCHMARK"
WAIT = 120.0
READY = 300.0  # seconds a bot may take to start (a loaded machine)
TARGET_P95 = 0.300


class Client:
    """One simulated client: thinks, answers, and notes how long the next question took."""

    def __init__(self, api: FakeBotApi, user: FakeUser, rng: random.Random, latencies: list[float]) -> None:
        self.api, self.user, self.rng, self.latencies = api, user, rng, latencies

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(1.0, 4.0))

    async def step(self, action: str, label: str | None = None, replies: int = 1) -> None:
        await self.think()
        started = time.perf_counter()
        if label is None:
            await self.user.send(action)
        else:
            await self.user.press(label)
        await self.user.expect(replies, timeout=WAIT)
        self.latencies.append(time.perf_counter() - started)

    async def mood_check(self) -> None:
        await self.step("/mood", replies=2)
        await self.step("", "7")
        feelings = self.user.last_message()
        await self.think()
        await self.user.press("Calm")  # an edit of the same message: not a question, not timed
        await self.api.wait_until(lambda: "✓ Calm" in feelings.labels(), timeout=WAIT)
        await self.step("", "Done")
        await self.step("Slept badly, but the walk helped.")
        await self.step("Nothing got in the way.")


async def main(clients: int, seconds: float, seed: int, database: str = "sqlite") -> float:
    """Prints the figures; returns p95 in seconds."""
    print(
        f"Reply latency — {clients} clients doing mood checks, 1–4 s think time, {seconds:.0f} s, "
        f"Between on {database}, pacing on (30/s overall, burst 3 then 1/s per chat), server "
        "enforcing Telegram's limits"
    )
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    latencies: list[float] = []
    with (
        tempfile.TemporaryDirectory(prefix="between-latency-") as directory,
        database_url(database, Path(directory)) as url,
    ):
        async with FakeBotApi(
            token=TOKEN, enforce_rate_limits=True, per_chat_per_second=1.0, per_chat_burst=3
        ) as api:
            env = {"DATABASE_URL": url, "LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore"}
            env["SEND_RATE_PER_SECOND"] = "30"
            process = await start_bot_process(api, Path(directory), env, module="bot", ready_timeout=READY)
            try:
                await enrol_at(url, range(10_000, 10_000 + clients), datetime.now(UTC))
                rng = random.Random(seed)
                people = [
                    Client(api, api.user(10_000 + n), random.Random(rng.random()), latencies)
                    for n in range(clients)
                ]
                deadline = time.perf_counter() + seconds

                async def practise(client: Client) -> None:
                    while time.perf_counter() < deadline:
                        await client.mood_check()

                await asyncio.gather(*(practise(client) for client in people))
                too_many = sum(1 for call in api.calls if call.status == 429)
            finally:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), timeout=60)
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    verdict = "meets" if p95 < TARGET_P95 else "MISSES"
    print(f"answers timed: {len(ordered)} ({len(ordered) / seconds:.1f} a second)")
    print(
        f"answer → next question: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms"
    )
    print(f"p95 {verdict} the < {TARGET_P95 * 1000:.0f} ms target; 429s from the server: {too_many}")
    return p95


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=KINDS, default="sqlite")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.clients, arguments.seconds, arguments.seed, arguments.database))
