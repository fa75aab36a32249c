"""Scheduled homework: turning plans into due prompts, and due prompts into messages.

One tick (every few seconds) does four narrow things, each in its own short transaction:
create the next local day's occurrences of the schedules that need it, close what expired at
the end of a client's day, send what is due (within the downtime grace window, else record it as
missed), and send at most one gentle reminder per prompt outside quiet hours. Everything it
decides is a row in the database, so a restart picks up exactly where it stopped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.chat import texts
from bot.core.clock import Clock
from bot.core.i18n import _, reading
from bot.core.local_time import (
    end_of_local_day,
    end_of_quiet_hours,
    in_quiet_hours,
    local_today,
    occurrences_between,
    occurrences_on,
    parse_clock_time,
    plan_of,
    start_of_local_day,
)
from bot.core.messages import Outgoing, Purpose
from bot.core.statuses import Cadence, PersonStatus
from bot.core.timezones import zone_or_utc
from bot.scheduling.cadence import cadence_days
from bot.scheduling.prompts import prompt_message
from flows import Flow
from storage import Database, DuePromptRow, NewOccurrence, PromptStatus, Recipient, ScheduleRow, Transaction

log = logging.getLogger(__name__)

MAX_CATCH_UP_DAYS = 31
"""After a long outage, occurrences this far back are still created (and recorded as missed)."""
EVERY_DAY = frozenset(range(7))
FAR_FUTURE_UTC = datetime(9000, 1, 1, tzinfo=UTC)
"""materialize_at of a plan that has ended: the tick never asks for it again."""


Jitter = Callable[[str], timedelta]
"""A transport's window for spreading scheduled prompts over (zero: none), by its name."""


def _no_jitter(transport: str) -> timedelta:
    return timedelta(0)


def goes_at(prompt: DuePromptRow, window: timedelta) -> datetime:
    """When a due prompt is sent: its due time plus a delay within ``window``, the same for one
    person on one day (so a practice's 08:00 prompts do not go out as one burst, and a test's
    clock can tell when), never past the end of its day."""
    if window <= timedelta(0):
        return prompt.due_at
    seed = hashlib.sha256(f"{prompt.person_id}:{prompt.local_day.isoformat()}".encode()).digest()
    delay = window * (int.from_bytes(seed[:8]) / 2**64)
    latest = prompt.expires_at - prompt.due_at - timedelta(seconds=1)
    return prompt.due_at + max(timedelta(0), min(delay, latest))


def quiet_hours(recipient: Recipient) -> tuple[time | None, time | None]:
    return parse_clock_time(recipient.quiet_start), parse_clock_time(recipient.quiet_end)


def remind_at(
    sent_at: datetime,
    delay: timedelta,
    expires_at: datetime,
    zone: tzinfo,
    quiet: tuple[time | None, time | None],
) -> datetime | None:
    """When to send the one reminder: after ``delay``, never in quiet hours, never after the day ends."""
    at = end_of_quiet_hours(sent_at + delay, zone, *quiet)
    return at if at < expires_at else None


@dataclass
class TickReport:
    """What one tick did (counts only: logs carry no content)."""

    materialised: int = 0
    sent: int = 0
    reminded: int = 0
    missed: int = 0
    unreachable: int = 0

    def __bool__(self) -> bool:
        return any((self.materialised, self.sent, self.reminded, self.missed, self.unreachable))


class HomeworkScheduler:
    """Materialises schedules into due prompts and sends them; see the module docstring."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        flows: Sequence[Flow],
        new_token: Callable[[], str],
        reminder_delay: timedelta = timedelta(hours=2),
        grace: timedelta = timedelta(hours=2),
        batch: int = 1000,
        jitter: Jitter = _no_jitter,
    ) -> None:
        self._db = database
        self._clock = clock
        self._titles = {f.id: f.title for f in flows}
        self._new_token = new_token
        self.reminder_delay = reminder_delay
        self.grace = grace
        self._batch = batch
        self._jitter = jitter

    def title(self, flow_id: str) -> str:
        """The homework's title in the language being read."""
        return _(self._titles.get(flow_id, texts.HOMEWORK))

    def _prompt_row(
        self, prompt: DuePromptRow, recipient: Recipient, zone: tzinfo, now: datetime, *, reminder: bool
    ) -> tuple[str, str, int | None, dict[str, object]]:
        """The outbox row of a prompt (or its reminder) for this recipient, in their language."""
        with reading(recipient.language):
            message = prompt_message(
                prompt.id,
                prompt.token,
                self.title(prompt.flow_id),
                now,
                zone,
                prompt.expires_at,
                reminder=reminder,
            )
        return recipient.transport, recipient.chat_id, prompt.person_id, message.to_json()

    async def tick(self) -> TickReport:
        now = self._clock()
        report = TickReport()
        report.materialised = await self._materialise(now)
        report.missed += await self._expire(now)
        await self._send_due(now, report)
        report.reminded = await self._remind(now)
        if report:
            log.info(
                "tick: %s occurrences created, %s sent, %s reminded, %s missed, %s unreachable",
                report.materialised,
                report.sent,
                report.reminded,
                report.missed,
                report.unreachable,
            )
        return report

    def occurrences_for(
        self,
        schedule: ScheduleRow,
        zone: tzinfo,
        now: datetime,
        session_days: Sequence[date] = (),
    ) -> tuple[list[NewOccurrence], date]:
        """The occurrences to create now, through tomorrow (local), and that last local day. A
        before-session plan looks at today and tomorrow again each time (its sessions move)."""
        plan = plan_of(schedule)
        today = local_today(now, zone)
        last = today + timedelta(days=1)
        first = max(
            schedule.start_date,
            local_today(schedule.not_before, zone),
            today - timedelta(days=MAX_CATCH_UP_DAYS),
        )
        if schedule.cadence in Cadence.SESSIONS:
            first = max(first, today)
        elif schedule.materialized_through is not None:
            first = max(first, schedule.materialized_through + timedelta(days=1))
        if first > last:
            return [], last
        days = cadence_days(
            schedule.cadence,
            first,
            last,
            start=schedule.start_date,
            interval_days=schedule.interval_days,
            session_days=session_days,
        )
        found = (
            occurrences_between(plan, first, last, zone)
            if days is None
            else [o for day in days for o in occurrences_on(replace(plan, weekdays=EVERY_DAY), day, zone)]
        )
        created = [
            NewOccurrence(
                occurrence=o.key,
                local_day=o.local_day,
                due_at=o.due_at,
                expires_at=end_of_local_day(o.local_day, zone),
                token=self._new_token(),
            )
            for o in found
            if o.due_at >= schedule.not_before
        ]
        return created, last

    async def _materialise(self, now: datetime) -> int:
        created = 0
        while True:
            async with self._db.transaction() as tx:
                due = await tx.schedules.needing_materialisation(now, self._batch)
                for schedule, zone_name in due:
                    zone = zone_or_utc(zone_name)
                    sessions = await _session_days(tx, schedule, zone)
                    occurrences, last = self.occurrences_for(schedule, zone, now, sessions)
                    await tx.due_prompts.add_many(schedule, occurrences)
                    if schedule.cadence in Cadence.SESSIONS:  # a session moved or cancelled
                        keep = [o.occurrence for o in occurrences]
                        await tx.due_prompts.drop_pending_not_in(schedule.id, local_today(now, zone), keep)
                    ended = schedule.end_date is not None and last >= schedule.end_date
                    next_at = FAR_FUTURE_UTC if ended else start_of_local_day(last, zone)
                    await tx.schedules.materialised(schedule.id, last, next_at, now)
                    created += len(occurrences)
            if len(due) < self._batch:
                return created

    async def _expire(self, now: datetime) -> int:
        """Open prompts whose local day is over: missed, and their buttons taken away."""
        closed = 0
        while True:
            async with self._db.transaction() as tx:
                expired = await tx.due_prompts.expired(now, self._batch)
                await tx.due_prompts.close_many(
                    [
                        (
                            p.id,
                            PromptStatus.MISSED,
                            "not_acted" if p.status == PromptStatus.SENT else "not_sent",
                        )
                        for p in expired
                    ]
                )
                closings = [p for p in expired if p.message_id is not None]
                if closings:
                    people = {p.person_id for p in closings}
                    chats = await tx.people.chats(people)
                    languages = await tx.people.languages(people)
                    await tx.outbox.put_rows(
                        [
                            (*chats[p.person_id], p.person_id, _closed(p, languages.get(p.person_id)))
                            for p in closings
                            if p.person_id in chats
                        ],
                        now,
                    )
                closed += len(expired)
            if len(expired) < self._batch:
                return closed

    async def _send_due(self, now: datetime, report: TickReport) -> None:
        while True:
            async with self._db.transaction() as tx:
                claimed = await tx.due_prompts.claim_due(now, self._batch)
                held = 0
                sent: list[tuple[int, datetime | None]] = []
                closed: list[tuple[int, str, str | None]] = []
                messages: list[tuple[str, str, int | None, dict[str, object]]] = []
                for prompt, recipient in claimed:
                    if recipient.status != PersonStatus.ACTIVE:
                        closed.append((prompt.id, PromptStatus.UNREACHABLE, None))
                        report.unreachable += 1
                        continue
                    going_at = goes_at(prompt, self._jitter(recipient.transport))
                    if going_at > now:  # spread over its transport's window: a later tick sends it
                        held += 1
                        continue
                    if going_at < now - self.grace:
                        closed.append((prompt.id, PromptStatus.MISSED, "late"))
                        report.missed += 1
                        continue
                    zone = zone_or_utc(recipient.timezone)
                    messages.append(self._prompt_row(prompt, recipient, zone, now, reminder=False))
                    quiet = quiet_hours(recipient)
                    reminder = (
                        None
                        if prompt.reminded
                        else remind_at(now, self.reminder_delay, prompt.expires_at, zone, quiet)
                    )
                    sent.append((prompt.id, reminder))
                await tx.due_prompts.close_many(closed)
                await tx.due_prompts.mark_sent_many(sent, now)
                await tx.outbox.put_rows(messages, now)
                report.sent += len(sent)
            if len(claimed) < self._batch or held == len(claimed):
                return

    async def _remind(self, now: datetime) -> int:
        reminded = 0
        while True:
            async with self._db.transaction() as tx:
                due = await tx.due_prompts.reminders_due(now, self._batch)
                messages: list[tuple[str, str, int | None, dict[str, object]]] = []
                for prompt, recipient in due:
                    zone = zone_or_utc(recipient.timezone)
                    quiet = quiet_hours(recipient)
                    if recipient.status == PersonStatus.ACTIVE and in_quiet_hours(now, zone, *quiet):
                        later = remind_at(now, timedelta(0), prompt.expires_at, zone, quiet)
                        await tx.due_prompts.update(prompt.id, remind_at=later, reminded=later is None)
                        continue
                    await tx.due_prompts.update(prompt.id, reminded=True)
                    if recipient.status != PersonStatus.ACTIVE:
                        continue
                    if prompt.message_id is not None:  # one live set of buttons: the reminder's
                        closing = Outgoing(text=None, purpose=Purpose.CLOSE_PROMPT, edit_of=prompt.message_id)
                        messages.append(
                            (recipient.transport, recipient.chat_id, prompt.person_id, closing.to_json())
                        )
                    messages.append(self._prompt_row(prompt, recipient, zone, now, reminder=True))
                    reminded += 1
                await tx.outbox.put_rows(messages, now)
            if len(due) < self._batch:
                return reminded


def _closed(prompt: DuePromptRow, language: str | None) -> dict[str, object]:
    """A passed prompt's message without its buttons, in its client's language."""
    assert prompt.message_id is not None
    with reading(language):
        text = _(texts.PROMPT_CLOSED)
    return Outgoing(text=text, purpose=Purpose.CLOSE_PROMPT, edit_of=prompt.message_id).to_json()


async def _session_days(tx: Transaction, schedule: ScheduleRow, zone: tzinfo) -> list[date]:
    """The local days of the client's sessions since the plan was made (before-session plans)."""
    if schedule.cadence not in Cadence.SESSIONS:
        return []
    sessions = await tx.sessions.held_or_planned(schedule.person_id, since=schedule.created_at)
    return [s.starts_at.astimezone(zone).date() for s in sessions]


__all__ = ["DuePromptRow", "HomeworkScheduler", "Recipient", "TickReport", "prompt_message"]
