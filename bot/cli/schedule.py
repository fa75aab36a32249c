"""The practice admin's commands: ``between schedule add|list|remove``.

They work on the database directly (the bot may be running: SQLite queues the writers) and
print plain lines. Clients are named as the transport knows them until therapists give them
aliases: a Telegram user id (digits), ``terminal`` for the local terminal chat, or ``#<person id>``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, time

from bot.core.clock import Clock
from bot.core.errors import AdminError
from bot.core.local_time import describe_weekdays, parse_times, parse_weekdays, plan_of
from bot.runtime.settings import Settings
from flows import FLOWS, Flow
from storage import Database, PersonRow, Transaction


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


async def find_client(tx: Transaction, name: str, settings: Settings, now_clock: Clock) -> PersonRow:
    """The client a command names; a Telegram user who has not written yet is created (their
    private chat id is their user id), so a plan can be ready before they first open the bot."""
    if name.startswith("#") and name[1:].isascii() and name[1:].isdigit() and len(name) < 11:
        person = await tx.people.get(int(name[1:]))
        if person is None:
            raise AdminError(f"no client {name}")
        return person
    if name == "terminal":
        return await tx.people.find_or_create(
            "terminal", "local", "local", settings.default_timezone, now_clock()
        )
    if name.isascii() and name.isdigit() and len(name) < 20:
        return await tx.people.find_or_create("telegram", name, name, settings.default_timezone, now_clock())
    raise AdminError("name a client by Telegram user id (digits), 'terminal', or '#<person id>'")


async def add_schedule(database: Database, settings: Settings, clock: Clock, new: NewSchedule) -> str:
    flow = find_flow(new.flow)
    try:
        times = parse_times(new.times)
        weekdays = parse_weekdays(new.days)
    except ValueError as error:
        raise AdminError(str(error)) from None
    now = clock()
    start = parse_date(new.start) if new.start else now.date()
    until = parse_date(new.until) if new.until else None
    if until is not None and until < start:
        raise AdminError("the end date is before the start date")
    quiet_start, quiet_end = parse_quiet(new.quiet)
    async with database.transaction() as tx:
        person = await find_client(tx, new.client, settings, clock)
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
    shown = ", ".join(t.strftime("%H:%M") for t in times)
    return (
        f"schedule {schedule_id}: {flow.title} for client #{person.id} at {shown} "
        f"({person.timezone}), {describe_weekdays(weekdays)}, from {start.isoformat()}"
        + (f" until {until.isoformat()}" if until else "")
    )


async def list_schedules(
    database: Database, settings: Settings, clock: Clock, client: str | None
) -> list[str]:
    async with database.transaction() as tx:
        if client is None:
            schedules = await tx.schedules.all_active()
        else:
            person = await find_client(tx, client, settings, clock)
            schedules = await tx.schedules.for_person(person.id)
    if not schedules:
        return ["no schedules"]
    lines = []
    titles = {f.id: f.title for f in FLOWS}
    for schedule in schedules:
        plan = plan_of(schedule)
        shown = ", ".join(t.strftime("%H:%M") for t in plan.times)
        lines.append(
            f"{schedule.id}\tclient #{schedule.person_id}\t{titles.get(schedule.flow_id, schedule.flow_id)}"
            f"\t{shown}\t{describe_weekdays(plan.weekdays)}\tfrom {schedule.start_date.isoformat()}"
            + (f" until {schedule.end_date.isoformat()}" if schedule.end_date else "")
        )
    return lines


async def remove_schedule(database: Database, clock: Clock, schedule_id: int) -> str:
    async with database.transaction() as tx:
        if not await tx.schedules.remove(schedule_id, clock()):
            raise AdminError(f"no active schedule {schedule_id}")
        await tx.due_prompts.drop_pending_for_schedule(schedule_id)
    return f"schedule {schedule_id} removed; prompts not yet sent are cancelled"


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schedule = commands.add_parser("schedule", help="add, list or remove clients' homework schedules")
    actions = schedule.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="schedule a homework for a client")
    add.add_argument("client", help="Telegram user id, 'terminal', or #<person id>")
    add.add_argument("flow", help="the homework, e.g. mood")
    add.add_argument("times", help="local times, e.g. 08:00,20:30")
    add.add_argument("--days", default="daily", help="daily, weekdays, weekends, mon,wed,fri, mon-fri")
    add.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: today)")
    add.add_argument("--until", help="last day, YYYY-MM-DD")
    add.add_argument("--quiet", help="no reminders in these local hours, e.g. 22:00-07:00")
    add.add_argument("--rationale", help="why this homework, in the therapist's words")
    listing = actions.add_parser("list", help="list active schedules")
    listing.add_argument("client", nargs="?", help="only this client's")
    remove = actions.add_parser("remove", help="remove a schedule")
    remove.add_argument("schedule_id", type=int)


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
            print(await add_schedule(database, settings, utc_now, new))
        elif args.action == "list":
            for line in await list_schedules(database, settings, utc_now, args.client):
                print(line)
        else:
            print(await remove_schedule(database, utc_now, args.schedule_id))
    finally:
        await database.close()
