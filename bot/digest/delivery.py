"""Sending the pre-session digest: stored rows in, messages to the therapist's digest chat out.

A session's digest is due a lead time before it (``therapy_sessions.digest_due_at``); ``/digest``
writes a row due at once. Each tick reads what is due, builds the digest from stored rows (pure,
``bot.digest``), draws the charts (the mood's, each scored measure's) off the event loop, and
then — in one transaction — marks the session's digest sent, queues the messages, writes the
audit line and the next session of a series. A restart in between sends it on the next tick;
one that was marked sent is never sent twice. Nothing here logs what a digest says: ids and counts only.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.chat.therapists import therapist_chats
from bot.chat.turn import Recipient, note
from bot.core.clock import Clock
from bot.core.i18n import _, reading
from bot.core.local_time import next_in_series
from bot.core.logs import describe_error
from bot.core.messages import Attachment, Outgoing, Reroute, TextLimit, split_text, utf16_length
from bot.core.timezones import zone_or_utc
from bot.digest import (
    AssignmentInput,
    ClientInput,
    Digest,
    DigestRequest,
    EntryInput,
    GoalInput,
    NoteInput,
    PromptInput,
    RiskEventInput,
    RiskFlagInput,
    build_digest,
    document_filename,
    render_document,
    render_summary,
    render_text,
)
from bot.digest.texts import (
    BANDS_JOINED,
    CHART_CAPTION,
    DIGEST_CHAT_UNREACHABLE,
    SCORE_CHART_BANDS,
    SCORE_CHART_CAPTION,
)
from flows import FLOWS, Flow
from storage import ON_DEMAND, Database, EntryRow, PersonRow, SessionRow, Transaction
from storage.goals import GoalAction

if TYPE_CHECKING:
    from bot.digest.chart import ChartFacts

log = logging.getLogger(__name__)

ITEM_ALERT = "item_alert"
"""The risk-event category of an item alert (safety's): its stored text is the option's label."""

MAX_TEXT_PARTS = 3
"""A digest that needs more messages than this goes as a summary plus the full text as a file."""
DIGEST_RETRY = timedelta(minutes=5)
DIGEST_LEASE = timedelta(minutes=1)
"""A digest claimed by a process (PostgreSQL) is due again this much later should it die first."""


@dataclass(frozen=True, slots=True)
class _Gathered:
    session: SessionRow
    request: DigestRequest
    recipient: Recipient
    therapist_zone: str
    lead_minutes: int
    fallback: Recipient | None = None
    language: str | None = None
    """The therapist's language: the digest is built, worded and drawn in it."""


PART_LIMIT = TextLimit(4096, utf16_length)
"""One part of a digest's text: within every messenger's limit for a message (Telegram's 4096
UTF-16 units is the smallest of those a therapist reads in); a sink splits at its own limit."""


def compose(
    digest: Digest, chart: bytes | None, score_charts: Sequence[tuple[str, bytes]] = ()
) -> list[Outgoing]:
    """The messages of one digest: the text (or a summary and the text as a document when it
    would take more than a few messages), the mood chart and each measure's chart (``(label,
    png)``). The text is split by the one splitter (``split_text``), each part its own queued
    message, so a retry never repeats a part. Worded in the language being read: call it inside
    ``reading(therapist's language)``, as the digest was built."""
    parts = split_text(render_text(digest), PART_LIMIT)
    if len(parts) <= MAX_TEXT_PARTS:
        messages = [note(part) for part in parts]
        document = None
    else:
        messages = [note(render_summary(digest))]
        document = Attachment("document", document_filename(digest), render_document(digest))
    if chart is not None:
        caption = _(CHART_CAPTION).format(alias=digest.alias)
        messages.append(Outgoing(text=caption, attachment=Attachment("photo", "mood.png", chart)))
    for index, (label, png) in enumerate(score_charts, start=1):
        caption = _(SCORE_CHART_CAPTION).format(label=label, alias=digest.alias, bands=_bands(digest, label))
        messages.append(Outgoing(text=caption, attachment=Attachment("photo", f"scores-{index}.png", png)))
    if document is not None:
        messages.append(Outgoing(text=None, attachment=document))
    return messages


def _bands(digest: Digest, label: str) -> str:
    """The measure's bands with their ranges, for its chart's caption ("minimal 0–4 · mild 5–9 …")."""
    series = next((s for s in digest.score_charts if s.label == label), None)
    if series is None or not series.bands:
        return ""
    bands = sorted(series.bands, key=lambda band: band.low)
    return _(SCORE_CHART_BANDS).format(bands=BANDS_JOINED.join(band.with_range for band in bands))


def _charts(digest: Digest | ChartFacts) -> tuple[bytes | None, list[tuple[str, bytes]]]:
    """The mood chart and each measure's chart (two scores or more), drawn in one go (a digest's
    worded in the language being read)."""
    from bot.digest.chart import ChartFacts, charts_png  # matplotlib: imported when first needed

    return charts_png(digest if isinstance(digest, ChartFacts) else ChartFacts.of(digest))


def _chart_facts(digest: Digest) -> ChartFacts | None:
    """What the digest's charts are drawn from, worded in the language being read; None when it
    has none."""
    if digest.chart is None and not digest.score_charts:
        return None
    from bot.digest.chart import ChartFacts  # (its module loads matplotlib only to draw)

    return ChartFacts.of(digest)


def _spawned_pool(processes: int) -> Executor:
    """Processes that draw charts (started afresh, not forked from a process with threads)."""
    return ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("spawn"))


class DigestDelivery:
    """Builds and queues the digests that are due."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        charts: bool = True,
        flows: Sequence[Flow] = FLOWS,
        chart_processes: int = 0,
    ) -> None:
        self._db = database
        self._flows = tuple(flows)
        self._clock = clock
        self._charts = charts
        self._chart_processes = chart_processes
        """Processes drawing charts beside the bot's (0: a worker thread of the bot's own)."""
        self._pool: Executor | None = None

    async def close(self) -> None:
        """The chart processes end (those drawing finish first)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown)

    async def _draw(self, digest: Digest | ChartFacts) -> tuple[bytes | None, list[tuple[str, bytes]]]:
        """The charts, off the event loop: in the chart processes if there are any (should they
        break, in a thread from then on), else in a worker thread (~100 ms each). Their words
        travel with them, already in the therapist's language (a digest's are worded here, in
        the language being read): no language crosses to the drawing process."""
        from bot.digest.chart import ChartFacts, charts_png

        facts = digest if isinstance(digest, ChartFacts) else ChartFacts.of(digest)
        if self._chart_processes <= 0:
            return await asyncio.to_thread(charts_png, facts)
        if self._pool is None:
            self._pool = _spawned_pool(self._chart_processes)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, charts_png, facts)
        except BrokenProcessPool:
            log.error("the chart processes stopped; drawing charts in a thread from now on")
            self._chart_processes = 0
            return await asyncio.to_thread(charts_png, facts)

    async def tick(self, limit: int = 50) -> int:
        """Queue every digest due now; returns how many messages that queued."""
        now = self._clock()
        async with self._db.transaction() as tx:
            due = await tx.sessions.claim_digests_due(now, now + DIGEST_LEASE, limit)
        queued = 0
        for session in due:
            try:
                queued += await self._send(session.id, now)
            except Exception as error:  # one broken digest must not hold up the others
                log.error(
                    "digest for session %s failed: %s; retrying later", session.id, describe_error(error)
                )
                async with self._db.transaction() as tx:
                    await tx.sessions.set_digest_due(session.id, now + DIGEST_RETRY, now)
        return queued

    async def _send(self, session_id: int, now: datetime) -> int:
        async with self._db.transaction() as tx:
            session = await tx.sessions.get(session_id)
            if session is not None and session.repeat != ON_DEMAND and session.starts_at <= now:
                await self._passed(tx, session, now)
                return 0
            gathered = await self._gather(tx, session_id, now)
        if gathered is None:
            return 0
        messages = await self._messages(gathered)
        session = gathered.session
        async with self._db.transaction() as tx:
            if not await tx.sessions.mark_digest_sent(session.id, now):
                return 0  # cancelled (or sent) meanwhile
            recipient = gathered.recipient
            await tx.outbox.put_many(
                recipient.transport,
                recipient.chat_id,
                [m.to_json() for m in messages],
                now,
                person_id=recipient.person_id,
            )
            action = "digest_requested" if session.repeat == ON_DEMAND else "digest_sent"
            await tx.audit.record(
                now, session.therapist_id, action, session.client_id, f"session {session.id}"
            )
            following = next_in_series(session, zone_or_utc(gathered.therapist_zone))
            if following is not None:
                due = max(now, following - timedelta(minutes=gathered.lead_minutes))
                await tx.sessions.add(
                    session.client_id, session.therapist_id, following, session.repeat, due, now
                )
        log.info(
            "digest for session %s queued: %s messages to therapist %s",
            session.id,
            len(messages),
            session.therapist_id,
        )
        return len(messages)

    async def _messages(self, gathered: _Gathered) -> list[Outgoing]:
        """The digest's messages, built, worded and drawn in the therapist's language."""
        with reading(gathered.language):
            digest = build_digest(gathered.request, self._flows)
            facts = _chart_facts(digest) if self._charts else None
        chart, score_charts = await self._draw(facts) if facts is not None else (None, [])
        with reading(gathered.language):
            messages = compose(digest, chart, score_charts)
            if gathered.fallback is None:
                return messages
            fallback = gathered.fallback  # a linked chat: should it refuse, the private chat
            return [
                replace(
                    m,
                    reroute=Reroute(
                        fallback.chat_id, fallback.person_id, _(DIGEST_CHAT_UNREACHABLE) if i == 0 else None
                    ),
                )
                for i, m in enumerate(messages)
            ]

    async def _passed(self, tx: Transaction, session: SessionRow, now: datetime) -> None:
        """The session began before its digest could go (the bot was down): a digest now would
        be about a session that is over. The series goes on from its next session to come."""
        if not await tx.sessions.mark_passed(session.id, now):
            return
        log.warning("session %s began before its digest could be sent; none sent", session.id)
        therapist = await tx.therapists.get(session.therapist_id)
        therapist_person = await tx.people.get(session.therapist_id)
        if therapist is None or therapist_person is None:
            return
        zone = zone_or_utc(therapist_person.timezone)
        following = next_in_series(session, zone)
        while following is not None and following <= now:
            following = next_in_series(replace(session, starts_at=following), zone)
        if following is not None:
            due = max(now, following - timedelta(minutes=therapist.lead_minutes))
            await tx.sessions.add(
                session.client_id, session.therapist_id, following, session.repeat, due, now
            )

    async def _gather(self, tx: Transaction, session_id: int, now: datetime) -> _Gathered | None:
        """What one digest is built from, and where it goes; None when there is nothing to send."""
        session = await tx.sessions.get(session_id)
        if session is None:
            return None
        client = await tx.people.get(session.client_id)
        therapist = await tx.therapists.get(session.therapist_id)
        therapist_person = await tx.people.get(session.therapist_id)
        if client is None or therapist is None or therapist_person is None:
            return None
        if client.therapist_id != therapist.person_id:  # no longer theirs: nothing to send
            await tx.sessions.cancel(session.id, now)
            return None
        scored = [f.id for f in self._flows if f.scoring is not None]
        request = await _request(tx, session, client, now, scored)
        chats = await therapist_chats(tx, therapist.person_id)
        if chats is None:
            return None
        chat, fallback = chats
        return _Gathered(
            session,
            request,
            chat,
            therapist_person.timezone,
            therapist.lead_minutes,
            fallback,
            therapist_person.language,
        )


async def _request(
    tx: Transaction, session: SessionRow, client: PersonRow, now: datetime, scored: Sequence[str]
) -> DigestRequest:
    """The stored rows of the client's period (since the previous session, or since joining),
    and of the period before it for comparison, and every earlier entry of the scored measures
    (their baselines), mapped onto the digest's inputs."""
    end = now + timedelta(microseconds=1)  # periods are half-open: this one includes now
    previous = await tx.sessions.previous(client.id, before=min(session.starts_at, now))
    joined = client.consented_at or client.created_at
    period_start = previous.starts_at if previous else joined
    before_previous = await tx.sessions.previous(client.id, before=previous.starts_at) if previous else None
    previous_start = before_previous.starts_at if before_previous else (joined if previous else None)
    first = min(previous_start or period_start, period_start)
    entries = await tx.entries.between(client.id, first, end)
    earlier = await tx.entries.of_flows_before(client.id, scored, first)
    return DigestRequest(
        client=ClientInput(
            alias=client.alias or f"#{client.id}",
            timezone=client.timezone,
            joined_at=joined,
            unreachable_since=client.unreachable_since if client.status == "unreachable" else None,
        ),
        period_start=period_start,
        period_end=end,
        session_at=session.starts_at if session.repeat != ON_DEMAND else now,
        previous_period_start=previous_start,
        entries=_entries(e for e in entries if e.started_at >= period_start),
        previous_entries=_entries(e for e in entries if e.started_at < period_start),
        earlier_entries=_entries(earlier),
        prompts=tuple(
            PromptInput(p.flow_id, p.due_at, p.status, p.skip_reason, p.skip_note, p.local_day, p.entry_id)
            for p in await tx.due_prompts.between(client.id, period_start, end)
        ),
        assignments=tuple(
            AssignmentInput(
                s.flow_id,
                tuple(s.times),
                tuple(s.weekdays),
                s.rationale,
                s.confidence,
                s.created_at,
                s.cadence,
                s.interval_days,
            )
            for s in await tx.schedules.for_person(client.id)
        ),
        notes=tuple(
            NoteInput(n.text, n.created_at) for n in await tx.notes.between(client.id, period_start, end)
        ),
        risk_events=await _risk_events(tx, client.id, period_start, end),
        risk_flags=tuple(
            RiskFlagInput(f.raised_at, f.reason, f.where) for f in await tx.risk_flags.open_for(client.id)
        ),
        goals=await _goals(tx, client.id, end),
    )


async def _risk_events(
    tx: Transaction, client_id: int, start: datetime, end: datetime
) -> tuple[RiskEventInput, ...]:
    return tuple(
        RiskEventInput(
            r.at,
            r.where,
            r.category,
            tuple(a for a in (r.answer, r.follow_up_answer) if a is not None),
            r.text if r.category == ITEM_ALERT else None,  # the option's label, never free text
        )
        for r in await tx.risk_events.between(client_id, start, end)
    )


async def _goals(tx: Transaction, client_id: int, end: datetime) -> tuple[GoalInput, ...]:
    """Every goal of the client with its ratings before ``end`` and when it was last reworded."""
    ratings = await tx.goals.ratings(client_id, before=end)
    changes = await tx.goals.changes(client_id)
    return tuple(
        GoalInput(
            number=g.number,
            text=g.text,
            created_at=g.created_at,
            retired_at=g.retired_at,
            reworded_at=max(
                (c.at for c in changes if c.goal_id == g.id and c.action == GoalAction.EDITED), default=None
            ),
            ratings=tuple((r.rated_at, r.value) for r in ratings if r.goal_id == g.id),
        )
        for g in await tx.goals.of(client_id)
    )


def _entries(rows: Iterable[EntryRow]) -> Sequence[EntryInput]:
    return tuple(
        EntryInput(
            id=e.id,
            flow_id=e.flow_id,
            status=e.status,
            answers=e.answers,
            started_at=e.started_at,
            completed_at=e.completed_at,
            flow_version=e.flow_version,
        )
        for e in rows
    )
