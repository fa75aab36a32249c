"""Kill-chaos: a real ``between run`` SIGKILLed at random moments while clients are mid-flow in
every homework type.

Simulated clients (default 12) do homework after homework — mood checks, thought records, urge
surfing and breathing (live timers), PHQ-9, GAD-7, the activity log, exposure practice and goal
ratings (benchmarks/chaos_homework.py) — against the fake Bot API server (in this process), while
the bot process is killed with SIGKILL at random moments (default 50 times) and started again
after each kill. The bot's clock runs ``--speed`` times as fast as the wall clock, so its timers
run out in seconds. A client answers each question once and waits for the next; one who sees no
reply within ``--patience`` seconds of the bot being up "has to repeat themselves" (counted, then
they do). At the end every client's entries, goal ratings, item-9 risk events and flags, read
through the storage layer, and the therapist's alerts are compared with what they answered.
Target: 0 answers lost, 0 entries duplicated, 0 clients who had to repeat themselves, 0 timers
that never finished; every PHQ-9 item 9 above 0 brings the crisis reply, the therapist's alert
and the flag at least once.

Usage: python -m benchmarks.kill_chaos [--clients 12] [--kills 50] [--seed 1] [--speed 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.chaos_homework import GOALS, ITEM_9_ALERT, KINDS, SCRIPTS, THERAPIST, Answer, Script
from storage import Database
from storage.crypto import load_keyring
from tests.support.bot_process import start_bot_process
from tests.support.enrolment import enrol_at
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.fast_clock_bot import ANCHOR as ANCHOR_SETTING
from tests.support.fast_clock_bot import SPEED as SPEED_SETTING
from tests.support.rows import rows

FAST_CLOCK_BOT = "tests.support.fast_clock_bot"
TOKEN = "123456:KILLCHAOS"
FIRST_CLIENT = 20_000
SPEED = 10.0
"""The bot's clock runs this many times as fast as the wall clock: a five-minute urge-surfing
timer takes 30 s, its check-in stays open 6 s (tests/support/fast_clock_bot.py)."""
READY_TIMEOUT = 300.0
"""Seconds a start may take: on a shared 2-core machine under load it has taken over a minute."""
ALERT_WAIT = float(os.environ.get("CHAOS_ALERT_WAIT", "60"))
"""Seconds the therapist's item alerts may take after the last answer (the drainer's target)."""


@dataclass
class Uptime:
    """How long the bot has been down (killed, not yet polling again): a client's patience
    runs only while the bot is up, so a slow restart on a busy machine (reported on its own as
    restart time) never passes for an answer the bot did not take."""

    down: float = 0.0
    down_since: float | None = None

    def went_down(self) -> None:
        self.down_since = time.perf_counter()

    def came_up(self) -> None:
        if self.down_since is not None:
            self.down += time.perf_counter() - self.down_since
            self.down_since = None

    def downtime(self) -> float:
        now = time.perf_counter()
        return self.down + (now - self.down_since if self.down_since is not None else 0.0)


@dataclass
class Tally:
    """What the run saw: kills, restart times, repeats, and each client's homework."""

    kills: int = 0
    restarts: list[float] = field(default_factory=list)
    repeats: int = 0
    clients_who_repeated: set[int] = field(default_factory=set)
    timers_unfinished: int = 0
    check_ins_pressed: int = 0
    answered: dict[int, list[Script]] = field(default_factory=dict)
    uptime: Uptime = field(default_factory=Uptime)


async def _wait(api: FakeBotApi, tally: Tally, answer: Answer, patience: float) -> bool:
    """Wait for ``answer`` to be taken: up to its own length plus ``patience`` seconds of the
    bot being up, pressing a timer's check-in on the way when one opens."""
    started, down_before = time.perf_counter(), tally.uptime.downtime()
    allowed = answer.lasts + patience
    while True:
        waited = time.perf_counter() - started - (tally.uptime.downtime() - down_before)
        if answer.taken():
            return True
        if waited >= allowed:
            return False
        if answer.check_in is not None:
            await answer.check_in()
        try:
            await api.wait_until(answer.taken, timeout=min(0.5, allowed - waited + 0.01))
        except AssertionError:
            continue


async def _answer(api: FakeBotApi, tally: Tally, user: FakeUser, answer: Answer, patience: float) -> bool:
    """Answer once; a client who hears nothing for ``patience`` seconds (of the bot being up)
    repeats (counted). False: a timer that never finished."""
    for _ in range(3):
        await answer.act()
        if await _wait(api, tally, answer, patience):
            return True
        if answer.lasts:
            tally.timers_unfinished += 1
            print(f"  client {user.id}: a live timer never finished")
            return False
        tally.repeats += 1
        tally.clients_who_repeated.add(user.id)
        shown = [(m.text or "")[:40] for m in api.all_bot_messages(user.chat_id)[-2:]]
        print(f"  client {user.id} heard nothing for {patience:.0f} s; repeats (last seen: {shown})")
    raise RuntimeError(f"client {user.id} got no answer after three tries")


async def client(
    api: FakeBotApi,
    tally: Tally,
    user: FakeUser,
    done: asyncio.Event,
    patience: float,
    kinds: tuple[str, ...],
    speed: float,
) -> None:
    """Homework after homework (each type in turn) until the kills are over."""
    n = 0
    tally.answered[user.id] = []
    while not done.is_set():
        script = SCRIPTS[kinds[(user.id + n) % len(kinds)]](user, n, speed)
        for make in script.answers:
            if not await _answer(api, tally, user, make(), patience):
                await user.send("/cancel")
                script.expected = {}  # given up on: kept as cancelled, not compared
                break
        tally.check_ins_pressed += bool(script.check_ins)
        tally.answered[user.id].append(script)
        n += 1


@dataclass
class Bot:
    """How to start the bot under test (its folder, its log, its clock), and the one running."""

    api: FakeBotApi
    workdir: Path
    log: Any
    speed: float
    anchor: datetime
    process: asyncio.subprocess.Process | None = None

    def kill(self) -> None:
        """SIGKILL the one running, if any (a run that failed must not leave it behind)."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    @property
    def url(self) -> str:
        return f"sqlite+aiosqlite:///{self.workdir / 'between.db'}"

    async def start(self) -> asyncio.subprocess.Process:
        env = {
            "DATABASE_URL": self.url,
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
            "SEND_RATE_PER_SECOND": "0",  # the kills are the point, not Telegram's pace
            "MESSAGES_PER_MINUTE": "10000",  # nor the flood cap: these clients answer at once
            SPEED_SETTING: str(self.speed),
            ANCHOR_SETTING: self.anchor.isoformat(),
        }
        self.process = await start_bot_process(
            self.api,
            self.workdir,
            env,
            module=FAST_CLOCK_BOT,
            stdout=self.log,
            stderr=self.log,
            ready_timeout=READY_TIMEOUT,
        )
        return self.process


async def killer(
    bot: Bot,
    tally: Tally,
    kills: int,
    gaps: tuple[float, float],
    rng: random.Random,
    budget: float | None = None,
) -> asyncio.subprocess.Process:
    """Kill the bot at random moments, start it again after each; returns the last one
    started. Restart time: from the SIGKILL to the new process's first ``getUpdates``. With a
    ``budget`` (seconds), no kill starts after it has passed (a loaded machine's slow starts)."""
    started = time.perf_counter()
    api = bot.api
    tally.uptime.went_down()  # the clients are at it already: the first start is downtime too
    process = await bot.start()
    await api.wait_until(_polled_since(api, 0), timeout=READY_TIMEOUT)
    tally.uptime.came_up()
    for _ in range(kills):
        if budget is not None and time.perf_counter() - started > budget:
            break
        await asyncio.sleep(rng.uniform(*gaps))
        polls = len(api.calls_to("getUpdates"))
        tally.uptime.went_down()
        process.send_signal(signal.SIGKILL)
        await process.wait()
        tally.kills += 1
        process = await bot.start()
        await api.wait_until(_polled_since(api, polls), timeout=READY_TIMEOUT)
        tally.restarts.append(time.perf_counter() - (tally.uptime.down_since or 0.0))
        tally.uptime.came_up()
    return process


def _polled_since(api: FakeBotApi, polls: int) -> Callable[[], bool]:
    return lambda: len(api.calls_to("getUpdates")) > polls


async def enrol_with_goals(url: str, ids: range, now: datetime) -> None:
    """The clients (consent given), each linked to one therapist (alias ``C<id>``) who wrote
    down two goals with them: what an invitation and a session would have left."""
    await enrol_at(url, ids, now)
    database = Database(url)
    try:
        async with database.transaction() as tx:
            therapist = await tx.people.create("telegram", str(THERAPIST), str(THERAPIST), "UTC", now)
            await tx.therapists.register(therapist.id, "Ana", 60, now)
            for user_id in ids:
                person = await tx.people.find("telegram", str(user_id))
                assert person is not None
                await tx.clients.link(person.id, therapist.id, f"C{user_id}", now)
                for words in GOALS:
                    await tx.goals.add(person.id, words, therapist.id, now)
    finally:
        await database.close()


@dataclass
class Stored:
    """What the database holds at the end, by client (Telegram user id)."""

    entries: dict[int, list[tuple[str, str, dict[str, Any]]]] = field(default_factory=dict)
    """(flow, status, answers), oldest first."""
    goal_ratings: dict[int, int] = field(default_factory=dict)
    item_9_events: dict[int, int] = field(default_factory=dict)
    flagged: set[int] = field(default_factory=set)


async def stored_rows(workdir: Path, url: str) -> Stored:
    """Each client's entries, goal ratings, item-9 risk events and flags, read through the
    storage layer."""
    ring = load_keyring(None, workdir / "data" / "between.key").ring
    database = Database(url, keyring=ring)
    try:
        people = {pid: int(user) for pid, user in await rows(database, "people", "id", "external_user_id")}
        found = Stored()
        for person_id, flow, status, answers in await rows(
            database, "entries", "person_id", "flow_id", "status", "answers"
        ):
            found.entries.setdefault(people[person_id], []).append((flow, status, answers))
        for (person_id,) in await rows(database, "goal_ratings", "person_id"):
            found.goal_ratings[people[person_id]] = found.goal_ratings.get(people[person_id], 0) + 1
        for (person_id,) in await rows(database, "risk_events", "person_id", where="phq9.item9"):
            found.item_9_events[people[person_id]] = found.item_9_events.get(people[person_id], 0) + 1
        found.flagged = {
            people[person_id] for (person_id,) in await rows(database, "risk_flags", "person_id")
        }
        return found
    finally:
        await database.close()


def holds(stored: object, expected: object) -> bool:
    """``stored`` holds what was answered (a dict: every key given, recursively)."""
    if isinstance(expected, dict):
        return isinstance(stored, dict) and all(holds(stored.get(k), v) for k, v in expected.items())
    return stored == expected


def compare(answered: list[Script], stored: list[tuple[str, str, dict[str, Any]]]) -> tuple[int, int]:
    """(answers lost, entries duplicated) for one client: each homework they finished must be
    exactly one completed entry holding every answer they gave (and the check-in they saw
    thanked); one given up on (a timer that never finished) is one entry, not compared."""
    lost = 0
    for index, script in enumerate(answered):
        expected = script.expected
        if index >= len(stored):
            lost += len(expected)
            continue
        flow, status, answers = stored[index]
        if not expected:
            continue
        if flow != script.kind or status != "completed":
            lost += len(expected)
            continue
        lost += sum(not holds(answers.get(key), value) for key, value in expected.items())
        timer = answers.get("surf")
        noted = [c.get("answer") for c in timer.get("check_ins", ())] if isinstance(timer, dict) else []
        lost += sum(1 for answer in script.check_ins if answer not in noted)
    return lost, max(0, len(stored) - len(answered))


@dataclass(frozen=True)
class Safety:
    """PHQ-9 item 9 answered above 0: each must bring the crisis reply (the client waited for
    it), the therapist's alert and the flag, at least once each."""

    answers: int
    alerts_missing: int
    alerts_repeated: int
    events_missing: int
    events_repeated: int
    flags_missing: int


def safety_figures(api: FakeBotApi, answered: dict[int, list[Script]], stored: Stored) -> Safety:
    alerts = [m.text or "" for m in api.all_bot_messages(THERAPIST)]
    totals = [0, 0, 0, 0, 0, 0]
    for user_id, scripts in answered.items():
        asked = sum(1 for s in scripts if s.item_9 and s.expected)
        if not asked:
            continue
        sent = sum(1 for text in alerts if f"— C{user_id} {ITEM_9_ALERT}" in text)
        events = stored.item_9_events.get(user_id, 0)
        for i, value in enumerate(
            (
                asked,
                max(0, asked - sent),
                max(0, sent - asked),
                max(0, asked - events),
                max(0, events - asked),
            )
        ):
            totals[i] += value
        totals[5] += user_id not in stored.flagged
    return Safety(*totals)


def all_alerts_sent(api: FakeBotApi, answered: dict[int, list[Script]]) -> Callable[[], bool]:
    wanted = sum(1 for scripts in answered.values() for s in scripts if s.item_9 and s.expected)
    return lambda: sum(ITEM_9_ALERT in (m.text or "") for m in api.all_bot_messages(THERAPIST)) >= wanted


@dataclass(frozen=True)
class Figures:
    kills: int
    lost: int
    duplicated: int
    clients_who_repeated: int
    repeats: int
    homeworks: dict[str, int]
    """Homeworks finished, by type."""
    timers_unfinished: int
    check_ins: tuple[int, int]
    """(pressed, thanked)."""
    goal_ratings: tuple[int, int]
    """(given, stored)."""
    safety: Safety
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
    kinds: tuple[str, ...] = KINDS,
    speed: float = SPEED,
    budget: float | None = None,
) -> Figures:
    """One run on a fresh database: clients at work, the bot killed ``kills`` times, then compared."""
    rng = random.Random(seed)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="between-kill-chaos-") as directory:
        workdir = Path(directory)
        log = (workdir / "bot.log").open("ab")
        async with FakeBotApi(token=TOKEN) as api:
            bot = Bot(api, workdir, log, speed, datetime.now(UTC))
            try:
                return await _run(bot, tally, clients, (kills, budget), gaps, patience, rng, kinds)
            finally:
                bot.kill()
                log.close()


async def _run(
    bot: Bot,
    tally: Tally,
    clients: int,
    kills: tuple[int, float | None],
    gaps: tuple[float, float],
    patience: float,
    rng: random.Random,
    kinds: tuple[str, ...],
) -> Figures:
    """Enrol the clients, set them to work, kill and restart the bot, compare."""
    api = bot.api
    first = await bot.start()
    ids = range(FIRST_CLIENT, FIRST_CLIENT + clients)
    api.user(THERAPIST, first_name="Ana")  # their chat, where the item alerts go
    await enrol_with_goals(bot.url, ids, datetime.now(UTC))
    first.send_signal(signal.SIGTERM)
    await first.wait()
    done = asyncio.Event()
    started = time.perf_counter()
    people = [
        asyncio.create_task(client(api, tally, api.user(i), done, patience, kinds, bot.speed)) for i in ids
    ]
    last = await killer(bot, tally, kills[0], gaps, rng, kills[1])
    done.set()
    await asyncio.gather(*people)
    seconds = time.perf_counter() - started
    with contextlib.suppress(AssertionError):  # counted below as missing
        await api.wait_until(all_alerts_sent(api, tally.answered), timeout=ALERT_WAIT)
    last.send_signal(signal.SIGTERM)
    await asyncio.wait_for(last.wait(), timeout=60)
    bot.log.flush()
    stored = await stored_rows(bot.workdir, bot.url)
    safety = safety_figures(api, tally.answered, stored)
    bot_log = (bot.workdir / "bot.log").read_text(errors="replace")
    return _figures(tally, stored, safety, seconds, bot_log)


def _figures(tally: Tally, stored: Stored, safety: Safety, seconds: float, bot_log: str) -> Figures:
    lost = duplicated = 0
    for user_id, answered in tally.answered.items():
        client_lost, client_duplicated = compare(answered, stored.entries.get(user_id, []))
        lost, duplicated = lost + client_lost, duplicated + client_duplicated
    finished = [s for scripts in tally.answered.values() for s in scripts if s.expected]
    rated = sum(len(GOALS) for s in finished if s.kind == "goal_rating")
    for user_id, scripts in tally.answered.items():  # each goal rating is a row of its own too
        given = sum(len(GOALS) for s in scripts if s.kind == "goal_rating" and s.expected)
        kept = stored.goal_ratings.get(user_id, 0)
        lost, duplicated = lost + max(0, given - kept), duplicated + max(0, kept - given)
    return Figures(
        tally.kills,
        lost,
        duplicated,
        len(tally.clients_who_repeated),
        tally.repeats,
        dict(Counter(s.kind for s in finished)),
        tally.timers_unfinished,
        (sum(s.check_ins_pressed for s in finished), sum(len(s.check_ins) for s in finished)),
        (rated, sum(stored.goal_ratings.values())),
        safety,
        seconds,
        tally.restarts,
        bot_log,
    )


def report(figures: Figures, clients: int, gaps: tuple[float, float], seed: int, speed: float) -> None:
    print(
        f"Kill-chaos — {clients} clients, SIGKILLs every {gaps[0]}–{gaps[1]} s of uptime, seed {seed}, "
        f"the bot's clock at {speed:g}× (timers)"
    )
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(figures.homeworks.items()))
    print(f"run: {figures.seconds:.0f} s, {sum(figures.homeworks.values())} homeworks finished ({kinds})")
    print(f"kills:                                {figures.kills}")
    print(f"answers lost:                         {figures.lost}")
    print(f"entries duplicated:                   {figures.duplicated}")
    print(f"clients who had to repeat themselves: {figures.clients_who_repeated} ({figures.repeats} repeats)")
    print(f"live timers that never finished:      {figures.timers_unfinished}")
    pressed, thanked = figures.check_ins
    print(f"timer check-ins pressed / thanked:    {pressed} / {thanked} (each thanked one stored)")
    print(f"goal ratings given / stored:          {figures.goal_ratings[0]} / {figures.goal_ratings[1]}")
    safety = figures.safety
    print(
        f"PHQ-9 item 9 above 0: {safety.answers}; crisis reply seen each time; therapist alerts "
        f"missing {safety.alerts_missing}, repeated {safety.alerts_repeated}; risk events missing "
        f"{safety.events_missing}, repeated {safety.events_repeated}; flags missing {safety.flags_missing}"
    )
    if figures.restarts:
        print(
            f"restart (SIGKILL → the new process polling): median "
            f"{statistics.median(figures.restarts):.2f} s, max {max(figures.restarts):.2f} s"
        )
    print(f"tracebacks in the bot's log: {figures.tracebacks}")
    print(f"load average (1, 5, 15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--min-gap", type=float, default=0.3, help="shortest uptime between kills (s)")
    parser.add_argument("--max-gap", type=float, default=3.0, help="longest uptime between kills (s)")
    parser.add_argument(
        "--patience", type=float, default=30.0, help="seconds (of the bot up) a client waits before repeating"
    )
    parser.add_argument("--speed", type=float, default=SPEED, help="how fast the bot's clock runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--minutes", type=float, help="start no kill after this long (a loaded machine)")
    parser.add_argument("--log", type=Path, help="keep the bot's log (all its runs) in this file")
    arguments = parser.parse_args()
    gaps = (arguments.min_gap, arguments.max_gap)
    print(f"load average (1, 5, 15 min) at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    figures = asyncio.run(
        chaos(
            arguments.clients,
            arguments.kills,
            gaps,
            arguments.patience,
            arguments.seed,
            speed=arguments.speed,
            budget=None if arguments.minutes is None else arguments.minutes * 60,
        )
    )
    if arguments.log is not None:
        arguments.log.write_text(figures.log)
    report(figures, arguments.clients, gaps, arguments.seed, arguments.speed)
    if figures.kills < arguments.kills:
        print(f"(the time budget ended the kills after {figures.kills} of the {arguments.kills} asked)")


if __name__ == "__main__":
    main()
