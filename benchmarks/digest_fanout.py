"""Digest fan-out: hundreds of pre-session digests due in the same hour, within Telegram's limits.

A practice whose therapists all see clients on the same morning has hundreds of digests due
within the hour (issue #5: "500 digests due in the same hour delivered within the rate limits").
Each digest is built from stored rows, its mood chart drawn with matplotlib, and its three or four
messages go to the therapist's chat. Telegram allows about 30 messages a second overall but only
about one a second per chat, and a practice has few therapists: with 50 therapists and 10 clients
each, per-chat pacing, not the overall rate, bounds the drain.

The script builds a SQLite file with ``--therapists`` therapists and ``--clients-per-therapist``
clients each (aliases C0001, C0002, … unique across the practice), each client with ``--weeks``
of practice in Europe/Berlin made with ``benchmarks.digest_build``'s generator: a mood check
plan (so every digest has a chart) and up to two of its other plans (thought records, urge
surfing, breathing), done, skipped with reasons or missed, unprompted entries, a note or two to
bring, a risk event answered "safe" for one in twenty, and one session whose digest is not yet
due. What clients wrote is sealed, as the bot seals it, with a key the bot is then given.

It times one tick's worth of digests (``DigestDelivery.tick``) in this process on a copy of the
file, then starts ``between run`` against the fake Bot API server enforcing 30 messages/s overall
and 1/s per chat, and once the bot is up gives the sessions their due moments: all at once a few
seconds later (``--spread-minutes 0``, the worst case) or evenly, in random order, over that
many minutes.

It prints the time until every digest had arrived against the ideal and the 60-minute
requirement, messages per digest, digests lost, duplicated or in the wrong therapist's chat
(each digest is recognised by the alias in its title; the messages after a title in a chat are
that digest's), 429s, the bot's CPU time (``/proc/<pid>/stat``) and peak resident memory, each
next to its target.

Usage: python -m benchmarks.digest_fanout [--therapists 50] [--clients-per-therapist 10] [--weeks 3]
       [--spread-minutes 0] [--tick-seconds 10] [--chat-burst 3] [--max-wait-minutes 60]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import tempfile
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sqlalchemy import Table, bindparam, insert, update

from benchmarks.digest_build import PLANS, SKIP_REASONS, UNPROMPTED_PER_DAY, ZONE, _answers, _local, _sentence
from benchmarks.schedule_fanout import chunks, cpu_seconds, open_log, peak_rss_mb, verdict
from bot.chat.turn import new_prompt_token
from bot.core.local_time import end_of_local_day
from bot.digest.delivery import DigestDelivery
from bot.practice.admission import consent_version
from bot.transports.telegram.texts import PRIVACY_NOTE
from storage import Database, EntryStatus, PromptStatus, Role, SessionStatus
from storage.crypto import KeyRing
from storage.tables import DUE_PROMPTS, ENTRIES, NOTES, PEOPLE, RISK, SCHEDULES, SESSIONS, THERAPISTS
from tests.support.bot_process import start_bot_process
from tests.support.fake_bot_api import ApiCall, FakeBotApi

TOKEN = "123456:BENCHMARK"
RATE = 30  # Telegram's overall limit, messages per second; the fake server enforces it
CHAT_RATE = 1.0  # … and per chat, messages per second
CHAT_BURST = 3  # … after a short burst Telegram tolerates (the production pacer's CHAT_SEND_BURST)
THERAPIST_CHAT = 2_000_000  # + therapist number (1-based)
CLIENT_CHAT = 3_000_000  # + client number (1-based); clients get nothing here
CHUNK = 5_000  # rows per executemany
SEED = 20261124
ZONE_NAME = "Europe/Berlin"
LEAD_MINUTES = 120  # the therapists' lead time: the session starts this long after its digest is due
FIRST_DUE_AFTER = timedelta(seconds=5)  # after the bot is up
PLACEHOLDER = timedelta(days=2)  # due moment until the bot is up: nothing is due before
POLL = 0.5  # seconds between looks at the database and the bot's CPU
SETTLE = 10.0  # after the last digest: time for a late duplicate to show up
RISK_SHARE = 0.05  # clients with a risk event in the period (answered "safe", asked again later)
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")
TITLE = re.compile(r"^Pre-session digest: (\S+)")
CHART = re.compile(r"^Mood since the last session — (\S+)$")
QUEUED = re.compile(
    r"^(\S+ \S+) INFO bot\.digest[._]delivery: digest for session (\d+) queued: (\d+) messages"
)

TARGET_MINUTES = 60.0
TARGET_RSS_MB = 200.0


@dataclass(frozen=True)
class Plan:
    therapists: int
    per_therapist: int
    weeks: int
    now: datetime

    @property
    def clients(self) -> int:
        return self.therapists * self.per_therapist

    @property
    def today(self) -> date:
        return self.now.astimezone(ZONE).date()

    @property
    def first_day(self) -> date:
        return self.today - timedelta(days=7 * self.weeks)

    def therapist_of(self, client: int) -> int:
        """Therapist number (1-based) of client number ``client`` (1-based)."""
        return (client - 1) // self.per_therapist + 1

    def alias(self, client: int) -> str:
        return f"C{client:0{max(4, len(str(self.clients)))}d}"

    def client_person(self, client: int) -> int:
        return self.therapists + client


@dataclass
class Rows:
    """Rows for the practice, with running ids so prompts can name the entries they started."""

    people: list[dict[str, Any]] = field(default_factory=list)
    therapists: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    prompts: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    risks: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> tuple[tuple[Table, list[dict[str, Any]]], ...]:
        return (
            (PEOPLE, self.people),
            (THERAPISTS, self.therapists),
            (SCHEDULES, self.schedules),
            (ENTRIES, self.entries),
            (DUE_PROMPTS, self.prompts),
            (NOTES, self.notes),
            (RISK, self.risks),
            (SESSIONS, self.sessions),
        )


def person_row(person_id: int, chat: int, role: str, now: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "id": person_id,
        "transport": "telegram",
        "external_user_id": str(chat),
        "chat_id": str(chat),
        "role": role,
        "timezone": ZONE_NAME,
        "status": "active",
        "created_at": now,
        "updated_at": now,
        "last_update_id": None,
        "unreachable_since": None,
        "therapist_id": None,
        "alias": None,
        "consent_version": None,
        "consented_at": None,
        **extra,
    }


def add_therapists(rows: Rows, plan: Plan) -> None:
    joined = plan.now - timedelta(days=7 * plan.weeks + 30)
    for t in range(1, plan.therapists + 1):
        rows.people.append(person_row(t, THERAPIST_CHAT + t, Role.THERAPIST, joined))
        rows.therapists.append(
            {
                "person_id": t,
                "name": f"Therapist {t}",
                "lead_minutes": LEAD_MINUTES,
                "digest_transport": None,
                "digest_chat_id": None,
                "digest_chat_title": None,
                "created_at": joined,
                "updated_at": joined,
            }
        )


def add_client(rows: Rows, plan: Plan, client: int) -> None:
    """One client's weeks of practice, the way the bot would have stored them (seeded per client)."""
    rng = random.Random(SEED * 100_003 + client)
    person_id = plan.client_person(client)
    therapist = plan.therapist_of(client)
    joined = _local(plan.first_day, 9, 0)
    rows.people.append(
        person_row(
            person_id,
            CLIENT_CHAT + client,
            Role.CLIENT,
            joined,
            therapist_id=therapist,
            alias=plan.alias(client),
            consent_version=consent_version(PRIVACY_NOTE),
            consented_at=joined,
        )
    )
    # every client checks their mood (so a chart is drawn), and has zero to two other plans
    plans = [PLANS[0], *rng.sample(PLANS[1:], rng.randint(0, 2))]
    schedule_ids: dict[str, int] = {}
    for flow_id, times, weekdays, _ in plans:
        schedule_ids[flow_id] = len(rows.schedules) + 1
        rows.schedules.append(
            {
                "id": schedule_ids[flow_id],
                "person_id": person_id,
                "flow_id": flow_id,
                "times": list(times),
                "weekdays": list(weekdays),
                "start_date": plan.first_day,
                "end_date": None,
                "quiet_start": None,
                "quiet_end": None,
                "rationale": _sentence(rng, 5, 12),
                "created_by": therapist,
                "status": "active",
                "materialized_through": plan.today,
                "materialize_at": plan.now + PLACEHOLDER,  # nothing is created during the run
                "not_before": joined,
                "created_at": joined,
                "updated_at": joined,
                "confidence": rng.randint(3, 9),
                "confidence_at": joined,
            }
        )

    def add_entry(flow_id: str, at: datetime, day_index: int) -> int:
        finished = rng.random() > 0.04
        completed = at + timedelta(minutes=rng.randint(1, 20)) if finished else None
        entry_id = len(rows.entries) + 1
        rows.entries.append(
            {
                "id": entry_id,
                "person_id": person_id,
                "flow_id": flow_id,
                "status": EntryStatus.COMPLETED if finished else EntryStatus.CANCELLED,
                "answers": _answers(flow_id, rng, day_index),
                "started_at": at,
                "updated_at": completed or at,
                "completed_at": completed,
                "draft": None,
            }
        )
        return entry_id

    for index in range(7 * plan.weeks):  # the days before today: everything in them is over
        day = plan.first_day + timedelta(days=index)
        for flow_id, times, weekdays, done_share in plans:
            if day.weekday() not in weekdays:
                continue
            for wall in times:
                hh, mm = (int(part) for part in wall.split(":"))
                due = _local(day, hh, mm)
                roll = rng.random()
                prompt: dict[str, Any] = {
                    "schedule_id": schedule_ids[flow_id],
                    "person_id": person_id,
                    "flow_id": flow_id,
                    "occurrence": f"{day.isoformat()}T{wall}",
                    "local_day": day,
                    "due_at": due,
                    "expires_at": end_of_local_day(day, ZONE),
                    "token": new_prompt_token(),
                    "sent_at": due,
                    "remind_at": None,
                    "reminded": False,
                    "snoozes": 0,
                    "message_id": str(len(rows.prompts) + 1),
                    "skip_reason": None,
                    "skip_note": None,
                    "missed_reason": None,
                    "entry_id": None,
                }
                if roll < done_share:
                    started = due + timedelta(minutes=rng.randint(0, 90))
                    entry_id = add_entry(flow_id, started, index)
                    prompt.update(status=PromptStatus.STARTED, acted_at=started, entry_id=entry_id)
                elif roll < done_share + 0.15:
                    reason = rng.choice(SKIP_REASONS)
                    prompt.update(
                        status=PromptStatus.SKIPPED,
                        acted_at=due + timedelta(minutes=rng.randint(0, 60)),
                        skip_reason=reason,
                        skip_note=_sentence(rng, 3, 10) if reason == "other" else None,
                    )
                else:
                    prompt.update(
                        status=PromptStatus.MISSED,
                        acted_at=None,
                        reminded=True,
                        missed_reason="not_acted",
                    )
                rows.prompts.append(prompt)
        for flow_id, share in UNPROMPTED_PER_DAY.items():
            if flow_id in schedule_ids and rng.random() < share:
                add_entry(flow_id, _local(day, rng.randint(9, 22), rng.randint(0, 59)), index)
    for _ in range(rng.randint(1, 2)):  # notes to bring to the session
        at = joined + timedelta(days=rng.uniform(1, 7 * plan.weeks - 1))
        rows.notes.append({"person_id": person_id, "text": _sentence(rng, 4, 25), "created_at": at})
    if rng.random() < RISK_SHARE:
        at = joined + timedelta(days=rng.uniform(1, 7 * plan.weeks - 1))
        rows.risks.append(
            {
                "id": len(rows.risks) + 1,
                "person_id": person_id,
                "at": at,
                "where": "thought_record.hot_thought",
                "category": "hopelessness",
                "text": _sentence(rng, 6, 20),
                "answer": "safe",
                "answered_at": at + timedelta(minutes=rng.randint(1, 30)),
                "follow_up_at": None,
                "follow_up_sent_at": at + timedelta(hours=3),
                "follow_up_answer": "safe",
            }
        )
    placeholder = plan.now + PLACEHOLDER
    rows.sessions.append(
        {
            "id": client,
            "client_id": person_id,
            "therapist_id": therapist,
            "starts_at": placeholder + timedelta(minutes=LEAD_MINUTES),
            "repeat": "once",
            "status": SessionStatus.SCHEDULED,
            "digest_due_at": placeholder,
            "digest_sent_at": None,
            "created_at": joined,
            "updated_at": joined,
        }
    )


async def prepare(url: str, plan: Plan, keys: KeyRing) -> tuple[float, Counter[str]]:
    """Migrate a fresh file and bulk-insert the practice, what clients wrote sealed with the bot's
    key as the bot seals it; returns (seconds, rows per table)."""
    started = time.perf_counter()
    rows = Rows()
    add_therapists(rows, plan)
    for client in range(1, plan.clients + 1):
        add_client(rows, plan, client)
    counts: Counter[str] = Counter()
    database = Database(url, keyring=keys)
    try:
        await database.migrate()
        for table, table_rows in rows.tables():
            counts[table.name] = len(table_rows)
            async with database.transaction() as tx:
                for chunk in chunks(table_rows, CHUNK):
                    await tx.connection.execute(insert(table), chunk)
    finally:
        await database.close()
    return time.perf_counter() - started, counts


def due_offsets(plan: Plan, spread_minutes: float) -> dict[int, timedelta]:
    """Each session's due moment after the first: all at once, or evenly over the spread in a
    random order (so each therapist's digests fall all over it)."""
    order = list(range(1, plan.clients + 1))
    random.Random(SEED).shuffle(order)
    step = spread_minutes * 60 / plan.clients
    return {session: timedelta(seconds=rank * step) for rank, session in enumerate(order)}


async def set_due(url: str, due: dict[int, datetime]) -> None:
    """Sessions' digests fall due at these moments (their sessions a lead time later)."""
    database = Database(url)
    try:
        async with database.transaction() as tx:
            await tx.connection.execute(
                update(SESSIONS)
                .where(SESSIONS.c.id == bindparam("b_id"))
                .values(digest_due_at=bindparam("b_due"), starts_at=bindparam("b_starts")),
                [
                    {"b_id": s, "b_due": at, "b_starts": at + timedelta(minutes=LEAD_MINUTES)}
                    for s, at in due.items()
                ],
            )
    finally:
        await database.close()


@dataclass(frozen=True)
class TickCost:
    digests: int
    messages: int
    wall_ms: float  # per digest
    cpu_ms: float  # per digest, all threads of this process


async def one_tick(url: str, keys: KeyRing, sessions: list[int], charts: bool) -> TickCost:
    """The digest tick with ``sessions`` due, timed in this process (a copy of the file)."""
    now = datetime.now(UTC)
    await set_due(url, dict.fromkeys(sessions, now - timedelta(seconds=1)))
    database = Database(url, keyring=keys)
    try:
        delivery = DigestDelivery(database, lambda: now, charts=charts)
        wall, cpu = time.perf_counter(), time.process_time()
        messages = await delivery.tick(limit=len(sessions))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await database.close()
    n = len(sessions)
    return TickCost(n, messages, wall * 1000 / n, cpu * 1000 / n)


async def tick_costs(
    url: str, plan: Plan, keys: KeyRing, workdir: Path
) -> tuple[TickCost, TickCost, TickCost]:
    """A copy of the practice: one digest with the first chart (imports matplotlib), then a
    tick's worth (the bot's 50, or fewer) without charts, then as many with charts."""
    copy = workdir / "tick-copy.db"
    shutil.copyfile(url.removeprefix("sqlite+aiosqlite:///"), copy)
    copy_url = f"sqlite+aiosqlite:///{copy}"
    batch = max(1, min(50, (plan.clients - 1) // 2))
    first = await one_tick(copy_url, keys, [1], charts=True)
    plain = await one_tick(copy_url, keys, list(range(2, 2 + batch)), charts=False)
    charted = await one_tick(copy_url, keys, list(range(2 + batch, 2 + 2 * batch)), charts=True)
    copy.unlink()
    return first, plain, charted


@dataclass
class Sample:
    mono: float
    cpu: float
    scheduled: int  # sessions whose digest is not yet queued
    outbox: int  # messages not yet sent (or not yet written down as sent)


def sessions_sent(path: Path) -> tuple[dict[int, datetime], int]:
    """After the bot stopped: when each session's digest was marked sent, and outbox rows left."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as connection:
        rows = connection.execute(
            "SELECT id, digest_sent_at FROM therapy_sessions WHERE digest_sent_at IS NOT NULL"
        ).fetchall()
        left = connection.execute("SELECT count(*) FROM outbox").fetchone()[0]
    connection.close()
    sent = {int(i): datetime.fromisoformat(at).replace(tzinfo=UTC) for i, at in rows}
    return sent, int(left)


def resident_mb(pid: int) -> float:
    """VmRSS: resident memory now (NaN once the process is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return math.nan
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def look(path: Path) -> tuple[int, int]:
    """(sessions still scheduled, outbox rows) read-only, so the bot's writers never wait on us."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as connection:
        scheduled = connection.execute(
            "SELECT count(*) FROM therapy_sessions WHERE status = ?", (SessionStatus.SCHEDULED,)
        ).fetchone()[0]
        outbox = connection.execute("SELECT count(*) FROM outbox").fetchone()[0]
    connection.close()
    return int(scheduled), int(outbox)


@dataclass(frozen=True)
class BotRun:
    calls: list[ApiCall]  # send calls to therapists' chats, in order of arrival
    other_calls: int  # send calls to any other chat
    too_many: int
    first_due: datetime
    first_due_mono: float
    samples: list[Sample]
    rss_mb: float
    rss_due_mb: float  # resident memory when the first digest fell due (after start-up, idle)
    exit_code: int
    log: str
    finished: bool  # every digest queued and the outbox empty before the wait ran out
    sent_at: dict[int, datetime]  # session → when its digest was marked sent (its tick's clock)
    outbox_left: int


async def fan_out(
    url: str,
    plan: Plan,
    workdir: Path,
    offsets: dict[int, timedelta],
    settings: dict[str, str],
    wait: float,
) -> BotRun:
    db_path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    therapist_chats = {THERAPIST_CHAT + t for t in range(1, plan.therapists + 1)}
    log_path = workdir / "bot.log"
    async with FakeBotApi(
        token=TOKEN,
        enforce_rate_limits=True,
        global_per_second=RATE,
        per_chat_per_second=CHAT_RATE,
        per_chat_burst=CHAT_BURST,
    ) as api:
        for chat in therapist_chats:
            api.user(chat, first_name="Therapist")
        for client in range(1, plan.clients + 1):
            api.user(CLIENT_CHAT + client)
        samples: list[Sample] = []
        finished = False
        with open_log(log_path) as log:
            env = {
                "DATABASE_URL": url,
                "LOG_LEVEL": "INFO",
                "TZ": "UTC",
                "PYTHONWARNINGS": "ignore",
                "SEND_RATE_PER_SECOND": str(RATE),
                **settings,
            }
            process = await start_bot_process(api, workdir, env, stdout=log, stderr=log)
            try:
                first_due = datetime.now(UTC) + FIRST_DUE_AFTER
                await set_due(url, {s: first_due + offset for s, offset in offsets.items()})
                await asyncio.sleep(max(0.0, (first_due - datetime.now(UTC)).total_seconds()))
                first_due_mono = time.monotonic()
                rss_due = resident_mb(process.pid)
                deadline = first_due_mono + max(offsets.values()).total_seconds() + wait
                while time.monotonic() < deadline and process.returncode is None:
                    scheduled, outbox = await asyncio.to_thread(look, db_path)
                    samples.append(Sample(time.monotonic(), cpu_seconds(process.pid), scheduled, outbox))
                    if scheduled == 0 and outbox == 0:
                        finished = True
                        break
                    await asyncio.sleep(POLL)
                await asyncio.sleep(SETTLE)
                rss = peak_rss_mb(process.pid)
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)
                exit_code = await asyncio.wait_for(process.wait(), timeout=60)
        sends = sorted((c for m in SEND_METHODS for c in api.calls_to(m)), key=lambda c: c.at)
        sent_at, outbox_left = sessions_sent(db_path)
        return BotRun(
            calls=[c for c in sends if c.params.get("chat_id") in therapist_chats],
            other_calls=sum(1 for c in sends if c.params.get("chat_id") not in therapist_chats),
            too_many=api.too_many_requests,
            first_due=first_due,
            first_due_mono=first_due_mono,
            samples=samples,
            rss_mb=rss,
            rss_due_mb=rss_due,
            exit_code=exit_code,
            log=log_path.read_text(errors="replace"),
            finished=finished,
            sent_at=sent_at,
            outbox_left=outbox_left,
        )


@dataclass
class Arrived:
    """One digest as its therapist's chat saw it: from its title to the next digest's title."""

    alias: str
    chat: int
    messages: int = 0
    charts: int = 0
    documents: int = 0
    characters: int = 0
    last_at: float = 0.0


@dataclass
class Tally:
    digests: list[Arrived]
    sends: int  # successful sends to therapists' chats
    orphans: int  # successful sends before any title in their chat
    chart_aliases: Counter[str]
    too_many_chat: int  # 429s while fewer than 29 sends were accepted in the second before
    too_many_overall: int
    failed: int  # errors other than 429
    accepted: list[tuple[float, int]]  # (time, chat) of each successful send


def tally(calls: list[ApiCall]) -> Tally:
    current: dict[int, Arrived] = {}
    digests: list[Arrived] = []
    charts: Counter[str] = Counter()
    accepted: dict[int, list[float]] = defaultdict(list)
    last_second: deque[float] = deque()  # accepted sends in the second before the call
    sends = orphans = per_chat = overall = failed = 0
    for call in calls:
        chat = int(call.params["chat_id"])
        while last_second and last_second[0] <= call.at - 1.0:
            last_second.popleft()
        if call.status == 429:  # the overall limit only when the last second was (nearly) full
            if len(last_second) >= RATE - 1:
                overall += 1
            else:
                per_chat += 1
            continue
        if not call.ok:
            failed += 1
            continue
        sends += 1
        accepted[chat].append(call.at)
        last_second.append(call.at)
        text = str(call.params.get("text") or call.params.get("caption") or "")
        if call.method == "sendMessage" and (title := TITLE.match(text)):
            current[chat] = Arrived(title.group(1), chat)
            digests.append(current[chat])
        arrived = current.get(chat)
        if arrived is None:
            orphans += 1
            continue
        arrived.messages += 1
        arrived.characters += len(text)
        arrived.last_at = call.at
        if call.method == "sendPhoto":
            arrived.charts += 1
            if chart := CHART.match(text):
                charts[chart.group(1)] += 1
        elif call.method == "sendDocument":
            arrived.documents += 1
    accepted_sends = sorted((at, chat) for chat, times in accepted.items() for at in times)
    return Tally(digests, sends, orphans, charts, per_chat, overall, failed, accepted_sends)


def queued_log(run: BotRun) -> list[tuple[float, int, int]]:
    """(seconds after the first due moment, session, messages) of each digest the bot queued."""
    queued = []
    for line in run.log.splitlines():
        if match := QUEUED.match(line):
            at = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
            queued.append(((at - run.first_due).total_seconds(), int(match.group(2)), int(match.group(3))))
    return queued


def cpu_between(samples: list[Sample], start: float, end: float) -> float:
    """The bot's CPU seconds between two monotonic times (nearest samples)."""
    if not samples:
        return math.nan
    before = min(samples, key=lambda s: abs(s.mono - start))
    after = min(samples, key=lambda s: abs(s.mono - end))
    return after.cpu - before.cpu


def ideal_seconds(per_chat: Iterable[int]) -> tuple[float, float]:
    """(overall: all messages at 30/s; per chat: the busiest chat's at 1/s), all due at once.

    The fake server, like a strict reading of Telegram's rule, lets no chat have two messages
    within a second, so a burst does not help a chat's last message arrive sooner."""
    counts = list(per_chat)
    overall = sum(counts) / RATE
    busiest = max(counts, default=0)
    return overall, max(0, busiest - 1) / CHAT_RATE


def between(low: float, high: float, spec: str) -> str:
    """ "3–5", or "3" when both ends are the same."""
    return format(low, spec) if format(low, spec) == format(high, spec) else f"{low:{spec}}–{high:{spec}}"


def print_run(plan: Plan, run: BotRun, offsets: dict[int, timedelta]) -> None:
    seen = tally(run.calls)
    expected = {plan.alias(c): THERAPIST_CHAT + plan.therapist_of(c) for c in range(1, plan.clients + 1)}
    by_alias: Counter[str] = Counter(d.alias for d in seen.digests)
    lost = sum(1 for alias in expected if by_alias[alias] == 0)
    duplicated = sum(1 for alias in expected if by_alias[alias] > 1)
    misrouted = sum(1 for d in seen.digests if expected.get(d.alias) != d.chat)
    chartless = sum(1 for alias in expected if seen.chart_aliases[alias] == 0)
    queued = queued_log(run)
    queued_messages = sum(m for _, _, m in queued)

    last = max((d.last_at for d in seen.digests), default=math.nan)
    total = last - run.first_due_mono
    per_digest = sorted(
        d.last_at - run.first_due_mono - offsets[int(d.alias[1:])].total_seconds() for d in seen.digests
    )
    chat_messages: Counter[int] = Counter()
    for d in seen.digests:
        chat_messages[d.chat] += d.messages
    overall_ideal, chat_ideal = ideal_seconds(chat_messages.values())
    ideal = max(overall_ideal, chat_ideal)
    spread = max(offsets.values()).total_seconds()

    print(
        f"all {len(seen.digests)} digests arrived {total:.1f} s after the first was due "
        f"({total / 60:.1f} min; {verdict(total <= spread + TARGET_MINUTES * 60)} the "
        f"≤ {TARGET_MINUTES:.0f} min requirement{' after the last was due' if spread else ''})"
    )
    if spread == 0:
        print(
            f"  ideal {ideal:.1f} s: {seen.sends} messages at {RATE}/s = {overall_ideal:.1f} s, the busiest "
            f"chat's {max(chat_messages.values(), default=0)} at {CHAT_RATE:.0f}/s = {chat_ideal:.1f} s; "
            f"took {total / ideal:.2f}× the ideal"
        )
    if seen.accepted:
        span = seen.accepted[-1][0] - seen.accepted[0][0] + 1 / RATE
        by_second: dict[int, set[int]] = defaultdict(set)
        for at, chat in seen.accepted:
            by_second[int(at - seen.accepted[0][0])].add(chat)
        busy = sorted(len(chats) for chats in by_second.values())
        print(
            f"  while sending: {seen.sends / span:.1f} messages/s on average (limit {RATE}/s); chats sent to "
            f"within the same second: median {statistics.median(busy):.0f}, max {busy[-1]} "
            f"(of {plan.therapists})"
        )
    if per_digest:
        print(
            f"  each digest, its due moment to its last message: median "
            f"{statistics.median(per_digest):.1f} s, 90th percentile "
            f"{per_digest[int(0.9 * (len(per_digest) - 1))]:.1f} s, max {per_digest[-1]:.1f} s"
        )
    if queued:
        times = sorted(t for t, _, _ in queued)
        ticks: dict[datetime, list[float]] = defaultdict(list)
        for at, session, _ in queued:
            if session in run.sent_at:
                ticks[run.sent_at[session]].append(at)
        took = [max(ats) - (tick - run.first_due).total_seconds() for tick, ats in ticks.items()]
        sizes = [len(ats) for ats in ticks.values()]
        print(
            f"  queued by the bot: first {times[0]:.1f} s, last {times[-1]:.1f} s after the first due "
            f"moment, in {len(ticks)} tick(s) of {between(min(sizes), max(sizes), '.0f')} digests, each "
            f"{between(min(took), max(took), '.1f')} s from its start to its last digest queued"
        )
    counts = [d.messages for d in seen.digests] or [0]
    characters = [d.characters for d in seen.digests] or [0]
    kinds = Counter(d.messages - d.charts - d.documents for d in seen.digests)
    shape = ", ".join(f"{n} with {k} text message{'s' if k != 1 else ''}" for k, n in sorted(kinds.items()))
    print(
        f"messages per digest: mean {statistics.mean(counts):.2f} (min {min(counts)}, max {max(counts)}; "
        f"{shape}; {sum(d.charts for d in seen.digests)} charts, "
        f"{sum(d.documents for d in seen.digests)} documents); what the chat shows (summary or text, "
        f"captions): median {statistics.median(characters):.0f} characters"
    )
    print(
        f"messages queued {queued_messages}, arrived {seen.sends} "
        f"({verdict(queued_messages == seen.sends)} queued = arrived)"
    )
    print(f"digests lost: {lost} ({verdict(lost == 0)} the 0 target)")
    print(f"digests duplicated: {duplicated} ({verdict(duplicated == 0)} the 0 target)")
    print(f"digests in the wrong therapist's chat: {misrouted} ({verdict(misrouted == 0)} the 0 target)")
    print(f"digests without their chart: {chartless} (the data has mood checks for every client)")
    print(
        f"429s received: {run.too_many} ({verdict(run.too_many == 0)} the 0 target): "
        f"{seen.too_many_chat} for the chat's 1/s, {seen.too_many_overall} for the overall {RATE}/s"
    )

    samples = run.samples
    if samples:
        queued_at = next((s.mono for s in samples if s.scheduled == 0), samples[-1].mono)
        build_cpu = cpu_between(samples, run.first_due_mono, queued_at)
        send_cpu = cpu_between(samples, queued_at, last)
        print(
            f"bot CPU: {build_cpu:.1f} s while digests were being queued "
            f"({queued_at - run.first_due_mono:.1f} s; "
            f"{build_cpu * 1000 / max(1, len(seen.digests)):.0f} ms per digest, sends included), "
            f"{send_cpu:.1f} s while only sending ({send_cpu / max(1e-9, last - queued_at):.0%} of a core)"
        )
    print(
        f"peak resident memory of the bot: {run.rss_mb:.0f} MB "
        f"({verdict(run.rss_mb < TARGET_RSS_MB)} the < {TARGET_RSS_MB:.0f} MB target; "
        f"{run.rss_due_mb:.0f} MB when the first digest fell due)"
    )
    traceback = "a Traceback" if "Traceback" in run.log else "no Traceback"
    warnings = [line for line in run.log.splitlines() if " WARNING " in line]
    rate_limited = sum(1 for line in warnings if line.endswith("rate limited"))
    others = sorted({line.split(" WARNING ", 1)[1] for line in warnings if not line.endswith("rate limited")})
    errors = sum(1 for line in run.log.splitlines() if " ERROR " in line)
    print(
        f"bot exit code {run.exit_code}, {traceback}, {len(warnings)} warnings ({rate_limited} for 429s) and "
        f"{errors} errors in its log; "
        f"sends elsewhere {run.other_calls}, failed sends {seen.failed}, untitled sends {seen.orphans}, "
        f"outbox rows left {run.outbox_left}; "
        f"{'everything queued and sent' if run.finished else 'NOT FINISHED when the wait ran out'}"
    )
    for line in others:
        print(f"  other warning: {line}")
    if "Traceback" in run.log or errors:
        print("last lines of the bot's log:\n" + "\n".join(run.log.splitlines()[-20:]))


async def main(arguments: argparse.Namespace) -> None:
    plan = Plan(arguments.therapists, arguments.clients_per_therapist, arguments.weeks, datetime.now(UTC))
    offsets = due_offsets(plan, arguments.spread_minutes)
    spread = arguments.spread_minutes
    when = "all due at once" if spread == 0 else f"due over {spread:g} min"
    print(
        f"Digest fan-out — {plan.therapists} therapists × {plan.per_therapist} clients = {plan.clients} "
        f"digests, {when}, {plan.weeks} weeks of practice each"
    )
    print(
        f"python {platform.python_version()}, python-telegram-bot {version('python-telegram-bot')}, "
        f"SQLAlchemy {version('SQLAlchemy')}, matplotlib {version('matplotlib')}, {os.cpu_count()} CPUs; "
        f"bot: scheduler tick {arguments.tick_seconds:g} s, chat burst {arguments.chat_burst}"
    )
    with tempfile.TemporaryDirectory(prefix="between-bench-digests-") as directory:
        workdir = Path(directory)
        url = f"sqlite+aiosqlite:///{workdir / 'between.db'}"
        keys = KeyRing.generate()
        seconds, counts = await prepare(url, plan, keys)
        print(
            f"prepared {', '.join(f'{n} {table}' for table, n in counts.items())} in {seconds:.1f} s "
            f"({counts['entries'] / plan.clients:.0f} entries and {counts['due_prompts'] / plan.clients:.0f} "
            f"prompts a client)"
        )
        first, plain, charted = await tick_costs(url, plan, keys, workdir)
        chart_ms = charted.cpu_ms - plain.cpu_ms
        print(
            f"one tick in this process, per digest: {plain.wall_ms:.0f} ms ({plain.cpu_ms:.0f} ms CPU) "
            f"without the chart, {charted.wall_ms:.0f} ms ({charted.cpu_ms:.0f} ms CPU) with it — "
            f"{plain.digests} digests a tick take {charted.wall_ms * charted.digests / 1000:.1f} s; "
            f"the first chart in a process {first.wall_ms:.0f} ms; chart ≈ {chart_ms:.0f} ms CPU"
        )
        settings = {
            "SCHEDULER_TICK_SECONDS": f"{arguments.tick_seconds:g}",
            "CHAT_SEND_BURST": str(arguments.chat_burst),
            "ENCRYPTION_KEYS": ",".join(keys.encoded()),  # the key the practice was sealed with
        }
        run = await fan_out(url, plan, workdir, offsets, settings, arguments.max_wait_minutes * 60)
        print_run(plan, run, offsets)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--therapists", type=int, default=50)
    parser.add_argument("--clients-per-therapist", type=int, default=10)
    parser.add_argument("--weeks", type=int, default=3, help="weeks of practice before the session")
    parser.add_argument(
        "--spread-minutes", type=float, default=0, help="due moments spread over this long (0: all at once)"
    )
    parser.add_argument("--tick-seconds", type=float, default=10, help="the bot's SCHEDULER_TICK_SECONDS")
    parser.add_argument("--chat-burst", type=int, default=3, help="the bot's CHAT_SEND_BURST")
    parser.add_argument(
        "--max-wait-minutes", type=float, default=60, help="after the last due moment, then unsent is lost"
    )
    parsed = parser.parse_args()
    if parsed.therapists < 1 or parsed.clients_per_therapist < 1 or parsed.weeks < 1:
        parser.error("--therapists, --clients-per-therapist and --weeks must be at least 1")
    if parsed.therapists * parsed.clients_per_therapist < 3:
        parser.error("at least 3 clients (the in-process tick takes some)")
    asyncio.run(main(parsed))
