"""Kill-chaos: a real ``between run`` SIGKILLed at random moments while clients are mid-flow.

Simulated clients (default 12) do mood checks and thought records against the fake Bot API
server (in this process), over and over, while the bot process is killed with SIGKILL at random
moments (default 50 times) and started again after each kill. A client answers each question
once and waits for the next; one who sees no reply within ``--patience`` seconds "has to repeat
themselves" (counted, then they do). At the end every client's entries, read through the storage
layer, are compared with what they answered. Target: 0 answers lost, 0 entries duplicated, 0
clients who had to repeat themselves.

Usage: python -m benchmarks.kill_chaos [--clients 12] [--kills 50] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.common import OBSTACLES_PROMPT
from flows.mood_check import FEELINGS_PROMPT, MOOD_PROMPT, NOTE_PROMPT
from flows.thought_record import (
    BALANCED,
    BELIEF_BALANCED,
    BELIEF_BEFORE,
    EMOTIONS,
    EVIDENCE_AGAINST,
    EVIDENCE_FOR,
    HOT_THOUGHT,
    RERATE,
    SITUATION,
    SUMMARY_HEAD,
    TRAPS,
)
from storage import Database
from storage.crypto import load_keyring
from tests.support.bot_process import start_bot_process
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.rows import rows
from tests.support.words import tapped

TOKEN = "123456:KILLCHAOS"
FIRST_CLIENT = 20_000


@dataclass
class Tally:
    """What the run saw: kills, restart times, repeats, and each client's answers."""

    kills: int = 0
    restarts: list[float] = field(default_factory=list)
    repeats: int = 0
    clients_who_repeated: set[int] = field(default_factory=set)
    answered: dict[int, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)


Step = tuple[Callable[[], Awaitable[object]], Callable[[], bool]]
"""An answer, and how the client sees that it was taken (the next question, a ✓ on a button)."""


def _new_message_with(user: FakeUser, fragment: str) -> Callable[[], bool]:
    """A message after now holds ``fragment`` (a flow's text, as Telegram words its gestures)."""
    fragment = tapped(fragment)
    seen = len(user.api.all_bot_messages(user.chat_id))
    return lambda: any(fragment in (m.text or "") for m in user.api.all_bot_messages(user.chat_id)[seen:])


def _ticked(user: FakeUser, label: str, since: int) -> Callable[[], bool]:
    """A button of this homework's messages (from ``since`` on) shows ``label`` as chosen."""
    return lambda: any(f"✓ {label}" in m.labels() for m in user.api.all_bot_messages(user.chat_id)[since:])


async def _answer(api: FakeBotApi, tally: Tally, user: FakeUser, step: Step, patience: float) -> None:
    """Answer once; a client who hears nothing for ``patience`` seconds repeats (counted)."""
    act, taken = step
    for _ in range(3):
        await act()
        try:
            await api.wait_until(taken, timeout=patience)
            return
        except AssertionError:
            tally.repeats += 1
            tally.clients_who_repeated.add(user.id)
            shown = [(m.text or "")[:40] for m in api.all_bot_messages(user.chat_id)[-2:]]
            print(f"  client {user.id} heard nothing for {patience:.0f} s; repeats (last seen: {shown})")
    raise RuntimeError(f"client {user.id} got no answer after three tries")


def mood_check(user: FakeUser, n: int) -> tuple[list[Callable[[], Step]], dict[str, Any]]:
    rating, note, obstacles = n % 11, f"note {user.id}-{n}", f"obstacles {user.id}-{n}"
    since = len(user.api.all_bot_messages(user.chat_id))
    steps: list[Callable[[], Step]] = [
        lambda: (lambda: user.send("/mood"), _new_message_with(user, MOOD_PROMPT[:30])),
        lambda: (lambda: user.press(str(rating)), _new_message_with(user, FEELINGS_PROMPT[:30])),
        lambda: (lambda: user.press("Calm"), _ticked(user, "Calm", since)),
        lambda: (lambda: user.press("Done"), _new_message_with(user, NOTE_PROMPT[:30])),
        lambda: (lambda: user.send(note), _new_message_with(user, OBSTACLES_PROMPT[:30])),
        lambda: (lambda: user.send(obstacles), _new_message_with(user, f"Mood {rating}/10")),
    ]
    return steps, {"mood": rating, "feelings": ["calm"], "note": note, "obstacles": obstacles}


def thought_record(user: FakeUser, n: int) -> tuple[list[Callable[[], Step]], dict[str, Any]]:
    words = {k: f"{k} {user.id}-{n}" for k in ("situation", "hot", "for", "against", "balanced", "obstacles")}
    before, intensity, after, rerate = 90, 70, 60, 40
    since = len(user.api.all_bot_messages(user.chat_id))

    def text(answer: str, next_prompt: str) -> Callable[[], Step]:
        return lambda: (lambda: user.send(answer), _new_message_with(user, next_prompt[:30]))

    steps: list[Callable[[], Step]] = [
        text("/thought", SITUATION),
        text(words["situation"], EMOTIONS),
        lambda: (lambda: user.press("Anxious"), _ticked(user, "Anxious", since)),
        lambda: (lambda: user.press("Done"), _new_message_with(user, "the feeling “anxious”")),
        text(str(intensity), HOT_THOUGHT),
        text(words["hot"], BELIEF_BEFORE),
        text(str(before), TRAPS),
        lambda: (lambda: user.press("Skip"), _new_message_with(user, EVIDENCE_FOR[:30])),
        text(words["for"], EVIDENCE_AGAINST),
        text(words["against"], BALANCED),
        text(words["balanced"], BELIEF_BALANCED),
        text(str(after), RERATE.format(item="anxious")),
        text(str(rerate), OBSTACLES_PROMPT),
        text(words["obstacles"], SUMMARY_HEAD),
    ]
    expected = {
        "situation": words["situation"],
        "emotions": ["anxious"],
        "emotion_intensity": {"anxious": intensity},
        "hot_thought": words["hot"],
        "belief_before": before,
        "evidence_for": words["for"],
        "evidence_against": words["against"],
        "balanced_thought": words["balanced"],
        "belief_balanced": after,
        "emotion_rerate": {"anxious": rerate},
        "obstacles": words["obstacles"],
    }
    return steps, expected


async def client(api: FakeBotApi, tally: Tally, user: FakeUser, done: asyncio.Event, patience: float) -> None:
    """Homework after homework (mood check, thought record, …) until the kills are over."""
    n = 0
    tally.answered[user.id] = []
    while not done.is_set():
        kind = "mood_check" if (user.id + n) % 2 == 0 else "thought_record"
        steps, expected = (mood_check if kind == "mood_check" else thought_record)(user, n)
        for make in steps:
            await _answer(api, tally, user, make(), patience)
        tally.answered[user.id].append((kind, expected))
        n += 1


async def start_between(api: FakeBotApi, workdir: Path, log: Any) -> asyncio.subprocess.Process:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'between.db'}",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "SEND_RATE_PER_SECOND": "0",  # the kills are the point, not Telegram's pace
        "MESSAGES_PER_MINUTE": "10000",  # nor the flood cap: these clients answer at once
    }
    return await start_bot_process(api, workdir, env, stdout=log, stderr=log)


async def killer(
    api: FakeBotApi,
    workdir: Path,
    log: Any,
    tally: Tally,
    kills: int,
    gaps: tuple[float, float],
    rng: random.Random,
) -> asyncio.subprocess.Process:
    """Kill the bot at random moments, start it again after each; returns the last one started."""
    process = await start_between(api, workdir, log)
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(*gaps))
        process.send_signal(signal.SIGKILL)
        await process.wait()
        tally.kills += 1
        started = time.perf_counter()
        process = await start_between(api, workdir, log)
        tally.restarts.append(time.perf_counter() - started)
    return process


async def stored_entries(workdir: Path) -> dict[int, list[tuple[str, str, dict[str, Any]]]]:
    """Each client's entries (flow, status, answers), oldest first, read through the storage layer."""
    ring = load_keyring(None, workdir / "data" / "between.key").ring
    database = Database(f"sqlite+aiosqlite:///{workdir / 'between.db'}", keyring=ring)
    try:
        people = {pid: int(user) for pid, user in await rows(database, "people", "id", "external_user_id")}
        found: dict[int, list[tuple[str, str, dict[str, Any]]]] = {}
        for person_id, flow, status, answers in await rows(
            database, "entries", "person_id", "flow_id", "status", "answers"
        ):
            found.setdefault(people[person_id], []).append((flow, status, answers))
        return found
    finally:
        await database.close()


def compare(
    answered: list[tuple[str, dict[str, Any]]], stored: list[tuple[str, str, dict[str, Any]]]
) -> tuple[int, int]:
    """(answers lost, entries duplicated) for one client: each homework they finished must be
    exactly one completed entry holding every answer they gave."""
    lost = 0
    for index, (kind, expected) in enumerate(answered):
        if index >= len(stored):
            lost += len(expected)
            continue
        flow, status, answers = stored[index]
        if flow != kind or status != "completed":
            lost += len(expected)
            continue
        lost += sum(answers.get(key) != value for key, value in expected.items())
    return lost, max(0, len(stored) - len(answered))


@dataclass(frozen=True)
class Figures:
    kills: int
    lost: int
    duplicated: int
    clients_who_repeated: int
    repeats: int
    homeworks: int
    seconds: float
    restarts: list[float]
    log: str
    """What the bot printed over all its runs (warnings and up)."""

    @property
    def tracebacks(self) -> int:
        return self.log.count("Traceback")


async def chaos(
    clients: int,
    kills: int,
    gaps: tuple[float, float],
    patience: float,
    seed: int,
    keep_log: Path | None = None,
) -> Figures:
    """One run on a fresh database: clients at work, the bot killed ``kills`` times, then compared."""
    rng = random.Random(seed)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="between-kill-chaos-") as directory:
        workdir = Path(directory)
        log = (workdir / "bot.log").open("ab")
        async with FakeBotApi(token=TOKEN) as api:
            first = await start_between(api, workdir, log)
            ids = range(FIRST_CLIENT, FIRST_CLIENT + clients)
            await enrol_at(f"sqlite+aiosqlite:///{workdir / 'between.db'}", ids, datetime.now(UTC))
            first.send_signal(signal.SIGTERM)
            await first.wait()
            done = asyncio.Event()
            started = time.perf_counter()
            people = [asyncio.create_task(client(api, tally, api.user(i), done, patience)) for i in ids]
            last = await killer(api, workdir, log, tally, kills, gaps, rng)
            done.set()
            await asyncio.gather(*people)
            seconds = time.perf_counter() - started
            last.send_signal(signal.SIGTERM)
            await asyncio.wait_for(last.wait(), timeout=60)
        log.close()
        stored = await stored_entries(workdir)
        bot_log = (workdir / "bot.log").read_text(errors="replace")
    lost = duplicated = 0
    for user_id, answered in tally.answered.items():
        client_lost, client_duplicated = compare(answered, stored.get(user_id, []))
        lost, duplicated = lost + client_lost, duplicated + client_duplicated
    homeworks = sum(len(a) for a in tally.answered.values())
    return Figures(
        tally.kills,
        lost,
        duplicated,
        len(tally.clients_who_repeated),
        tally.repeats,
        homeworks,
        seconds,
        tally.restarts,
        bot_log,
    )


def report(figures: Figures, clients: int, gaps: tuple[float, float], seed: int) -> None:
    print(f"Kill-chaos — {clients} clients, SIGKILLs every {gaps[0]}–{gaps[1]} s of uptime, seed {seed}")
    print(
        f"run: {figures.seconds:.0f} s, "
        f"{figures.homeworks} homeworks finished (mood checks and thought records)"
    )
    print(f"kills:                                {figures.kills}")
    print(f"answers lost:                         {figures.lost}")
    print(f"entries duplicated:                   {figures.duplicated}")
    print(f"clients who had to repeat themselves: {figures.clients_who_repeated} ({figures.repeats} repeats)")
    if figures.restarts:
        print(
            f"restart to ready (process start → commands published): median "
            f"{statistics.median(figures.restarts):.2f} s, max {max(figures.restarts):.2f} s"
        )
    print(f"tracebacks in the bot's log: {figures.tracebacks}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--min-gap", type=float, default=0.3, help="shortest uptime between kills (s)")
    parser.add_argument("--max-gap", type=float, default=3.0, help="longest uptime between kills (s)")
    parser.add_argument(
        "--patience", type=float, default=30.0, help="seconds a client waits before repeating"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log", type=Path, help="keep the bot's log (all its runs) in this file")
    arguments = parser.parse_args()
    gaps = (arguments.min_gap, arguments.max_gap)
    figures = asyncio.run(chaos(arguments.clients, arguments.kills, gaps, arguments.patience, arguments.seed))
    if arguments.log is not None:
        arguments.log.write_text(figures.log)
    report(figures, arguments.clients, gaps, arguments.seed)


if __name__ == "__main__":
    main()
