"""The practice admin's commands: ``between schedule add|list|remove``.

They work on the database directly (the bot may be running: SQLite queues the writers) and
print plain lines. Clients are named as the transport knows them until therapists give them
aliases: a Telegram user id (digits), ``terminal`` for the local terminal chat, or ``#<person id>``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.cli.parsing import Commands, command
from bot.core import formatting
from bot.core.clock import Clock
from bot.core.errors import AdminError
from bot.core.local_time import (
    WeeklyPlan,
    describe_weekdays,
    local_today,
    next_occurrence,
    parse_times,
    parse_weekdays,
    plan_of,
)
from bot.core.plan_text import describe_plan_days
from bot.runtime.settings import Settings
from flows import FLOWS, Flow
from storage import Database, PersonRow, ScheduleRow, Transaction


@dataclass(frozen=True)
class NewSchedule:
    client: str
    flow: str
    times: str
    days: str = "daily"
    start: str | None = None
    until: str | None = None
    quiet: str | None = None
    rationale: str | None = None


def find_flow(name: str) -> Flow:
    for flow in FLOWS:
        if name in (flow.id, flow.command, f"/{flow.command}"):
            return flow
    known = ", ".join(f.command for f in FLOWS)
    raise AdminError(f"no homework called {name!r} (known: {known})")


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise AdminError(f"{text!r} is not a date like 2026-03-02") from None


def parse_quiet(text: str | None) -> tuple[str | None, str | None]:
    if not text:
        return None, None
    start, sep, end = text.partition("-")
    if not sep:
        raise AdminError("quiet hours look like 22:00-07:00")
    try:
        times = parse_times(f"{start} {end}")
    except ValueError as error:
        raise AdminError(str(error)) from None
    if len(times) != 2:
        raise AdminError("quiet hours need two different times, like 22:00-07:00")
    first = time.fromisoformat(start.strip().zfill(5))
    second = time.fromisoformat(end.strip().zfill(5))
    return first.strftime("%H:%M"), second.strftime("%H:%M")


ANYONE = frozenset({"terminal", "telegram"})
OWNER_ONLY = frozenset({"terminal"})
"""The terminal's person is the machine's owner, who needs no invitation: the ``between``
command creates only them (nothing is stored about anyone else before they agree)."""


async def find_client(
    tx: Transaction, name: str, settings: Settings, now_clock: Clock, *, create: frozenset[str] = ANYONE
) -> PersonRow:
    """The client a command names; someone not known yet is created if their transport is in
    ``create`` (a Telegram user's private chat id is their user id)."""
    if name.startswith("#") and name[1:].isascii() and name[1:].isdigit() and len(name) < 11:
        person = await tx.people.get(int(name[1:]))
        if person is None:
            raise AdminError(f"no client {name}")
        return person
    if name == "terminal":
        transport, user_id = "terminal", "local"
    elif name.isascii() and name.isdigit() and len(name) < 20:
        transport, user_id = "telegram", name
    else:
        raise AdminError("name a client by Telegram user id (digits), 'terminal', or '#<person id>'")
    if transport in create:
        return await tx.people.find_or_create(
            transport, user_id, user_id, settings.default_timezone, now_clock()
        )
    found = await tx.people.find(transport, user_id)
    if found is None:
        raise AdminError(UNKNOWN_CLIENT.format(name=name) if transport == "telegram" else NO_TERMINAL)
    return found


NO_TERMINAL = "no terminal client yet: start the terminal chat once (make run)"
UNKNOWN_CLIENT = (
    "no client {name} here: nothing is stored about anyone before they agree, so their therapist "
    "invites them first (/invite in the therapist's chat); schedule once they have joined"
)


def _clash(existing: ScheduleRow, plan: WeeklyPlan) -> str | None:
    """How an active schedule of the same homework already sends at moments of ``plan`` (None:
    it never does), in words for the refusal."""
    old = plan_of(existing)
    times = sorted(set(old.times) & set(plan.times))
    days = old.weekdays & plan.weekdays
    dates_meet = old.start <= (plan.end or date.max) and plan.start <= (old.end or date.max)
    if not (times and days and dates_meet):
        return None
    shown = ", ".join(formatting.clock(t) for t in times)
    if old.times == plan.times and old.weekdays == plan.weekdays:
        return f"is the same plan ({shown}, {describe_weekdays(days)})"
    return f"already sends it at {shown}, {describe_weekdays(days)}"


def next_prompt_line(plan: WeeklyPlan, zone_name: str, now: datetime) -> str:
    """When the first prompt comes, in the client's zone and in UTC, and how soon: a time typed in
    the wrong zone shows at once."""
    occurrence = next_occurrence(plan, now, ZoneInfo(zone_name))
    if occurrence is None:
        return "no prompt will come: the plan ends before its next time"
    local = occurrence.due_at.astimezone(ZoneInfo(zone_name))
    wait = int((occurrence.due_at - now).total_seconds() // 60) + 1
    soon = f"{wait} min" if wait < 120 else f"{wait // 60} h {wait % 60} min"
    in_utc = "" if zone_name == "UTC" else f" = {formatting.day_and_time(occurrence.due_at)} UTC"
    return f"first prompt: {formatting.day_and_time(local)} {zone_name}{in_utc} (in about {soon})"


async def add_schedule(
    database: Database, settings: Settings, clock: Clock, new: NewSchedule, *, create: frozenset[str] = ANYONE
) -> str:
    """Add ``new``; refused (nothing stored) when the client has an active schedule of the same
    homework at one of the same times. Returns the lines to print. ``create``: see find_client."""
    flow = find_flow(new.flow)
    try:
        times = parse_times(new.times)
        weekdays = parse_weekdays(new.days)
    except ValueError as error:
        raise AdminError(str(error)) from None
    now = clock()
    quiet_start, quiet_end = parse_quiet(new.quiet)
    async with database.transaction() as tx:
        person = await find_client(tx, new.client, settings, clock, create=create)
        start = parse_date(new.start) if new.start else local_today(now, ZoneInfo(person.timezone))
        until = parse_date(new.until) if new.until else None
        if until is not None and until < start:
            raise AdminError("the end date is before the start date")
        plan = WeeklyPlan(tuple(times), frozenset(weekdays), start, until)
        for existing in await tx.schedules.for_person(person.id):
            clash = _clash(existing, plan) if existing.flow_id == flow.id else None
            if clash:
                raise AdminError(
                    f"{client_name(person)}'s {flow.title} schedule {existing.id} {clash}: nothing "
                    f"added (remove it first with `between schedule remove {existing.id}`, or choose "
                    "other times)"
                )
        schedule_id = await tx.schedules.add(
            person_id=person.id,
            flow_id=flow.id,
            times=[t.strftime("%H:%M") for t in times],
            weekdays=sorted(weekdays),
            start_date=start,
            end_date=until,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            rationale=new.rationale,
            created_by=None,
            now=now,
        )
    shown = ", ".join(formatting.clock(t) for t in times)
    return (
        f"schedule {schedule_id}: {flow.title} for {client_name(person)} at {shown} "
        f"({person.timezone}), {describe_weekdays(weekdays)}, from {start.isoformat()}"
        + (f" until {until.isoformat()}" if until else "")
        + f"\n{next_prompt_line(plan, person.timezone, now)}"
    )


def client_name(person: PersonRow) -> str:
    """A client as the admin names them on the command line (with the therapist's alias)."""
    if person.transport == "terminal":
        name = "terminal"
    elif person.transport == "telegram":
        name = person.external_user_id
    else:
        name = f"#{person.id}"
    return f"{name} ({person.alias})" if person.alias else name


LIST_HEADER = "id\tclient\thomework\ttimes (client's zone)\tdays\tdates"


async def list_schedules(
    database: Database, settings: Settings, clock: Clock, client: str | None
) -> list[str]:
    async with database.transaction() as tx:
        if client is None:
            schedules = await tx.schedules.all_active()
        else:
            person = await find_client(tx, client, settings, clock, create=frozenset())
            schedules = await tx.schedules.for_person(person.id)
        people = {id_: await tx.people.get(id_) for id_ in {s.person_id for s in schedules}}
    if not schedules:
        return ["no schedules"]
    return [LIST_HEADER, *(_listed(schedule, people[schedule.person_id]) for schedule in schedules)]


def _listed(schedule: ScheduleRow, person: PersonRow | None) -> str:
    """One row of ``schedule list``, tab-separated under ``LIST_HEADER``."""
    plan = plan_of(schedule)
    who = client_name(person) if person else f"#{schedule.person_id}"
    shown = ", ".join(formatting.clock(t) for t in plan.times) + (f" ({person.timezone})" if person else "")
    title = next((f.title for f in FLOWS if f.id == schedule.flow_id), schedule.flow_id)
    dates = f"from {schedule.start_date.isoformat()}" + (
        f" until {schedule.end_date.isoformat()}" if schedule.end_date else ""
    )
    days = describe_plan_days(schedule.cadence, plan.weekdays, schedule.interval_days)
    return f"{schedule.id}\t{who}\t{title}\t{shown}\t{days}\t{dates}"


async def remove_schedule(database: Database, clock: Clock, schedule_id: int) -> str:
    async with database.transaction() as tx:
        if not await tx.schedules.remove(schedule_id, clock()):
            raise AdminError(f"no active schedule {schedule_id}")
        await tx.due_prompts.drop_pending_for_schedule(schedule_id)
    return f"schedule {schedule_id} removed; prompts not yet sent are cancelled"


def add_parser(commands: Commands) -> None:
    schedule = command(commands, "schedule", "add, list or remove clients' homework schedules")
    actions = schedule.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = command(actions, "add", "schedule a homework for a client who has joined (or the terminal)")
    add.add_argument("client", help="Telegram user id, 'terminal', or #<person id>")
    add.add_argument("flow", help="the homework, e.g. mood")
    add.add_argument(
        "times", help="times in the client's zone (their /timezone, else DEFAULT_TIMEZONE), e.g. 08:00,20:30"
    )
    add.add_argument("--days", default="daily", help="daily, weekdays, weekends, mon,wed,fri, mon-fri")
    add.add_argument(
        "--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD (default: the client's today)"
    )
    add.add_argument("--until", metavar="DATE", help="last day, YYYY-MM-DD")
    add.add_argument(
        "--quiet", metavar="HH:MM-HH:MM", help="no reminders in these local hours, e.g. 22:00-07:00"
    )
    add.add_argument("--rationale", metavar="TEXT", help="why this homework, in the therapist's words")
    listing = command(actions, "list", "list active schedules, with each client's zone")
    listing.add_argument("client", nargs="?", help="only this client's")
    remove = command(actions, "remove", "remove a schedule; its prompts not yet sent are cancelled")
    remove.add_argument("schedule_id", type=int, help="the id that add and list show")


async def schedule(settings: Settings, args: argparse.Namespace) -> None:
    """``between schedule add|list|remove``, printed line by line."""
    from bot.cli.database import open_database
    from bot.core.clock import utc_now

    database = await open_database(settings)
    try:
        if args.action == "add":
            new = NewSchedule(
                client=args.client,
                flow=args.flow,
                times=args.times,
                days=args.days,
                start=args.start,
                until=args.until,
                quiet=args.quiet,
                rationale=args.rationale,
            )
            print(await add_schedule(database, settings, utc_now, new, create=OWNER_ONLY))
        elif args.action == "list":
            for line in await list_schedules(database, settings, utc_now, args.client):
                print(line)
        else:
            print(await remove_schedule(database, utc_now, args.schedule_id))
    finally:
        await database.close()
