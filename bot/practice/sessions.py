"""Sessions: /session, /sessions, /cancelsession, and when a weekly series meets next."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from bot.chat.turn import Turn, note
from bot.core import formatting
from bot.core.i18n import _
from bot.core.local_time import (
    REPEAT_DAYS,
    local_instant,
    local_today,
    parse_times,
)
from bot.core.messages import parse_button_number
from bot.core.timezones import zone_or_utc
from bot.practice import texts as ptexts
from bot.practice.therapist import Desk, find_client
from storage import (
    ON_DEMAND,
    SessionStatus,
    TherapistRow,
)

log = logging.getLogger(__name__)

SESSION_HORIZON = timedelta(days=2 * 366)
"""Sessions are booked at most this far ahead."""


async def session(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    words = args.split()
    zone = zone_or_utc(turn.person.timezone)
    if len(words) not in (3, 4) or (len(words) == 4 and words[3].lower() not in REPEAT_DAYS):
        turn.say(note(_(ptexts.SESSION_USAGE).format(zone=turn.person.timezone)))
        return
    client = await find_client(turn, therapist, words[0])
    if client is None:
        return
    try:
        day = date.fromisoformat(words[1])
    except ValueError:
        _cannot_read(turn, _(ptexts.NOT_A_DATE).format(typed=words[1][:20], example="2026-03-10"))
        return
    try:
        wall = parse_times(words[2])
    except ValueError as error:
        _cannot_read(turn, error)
        return
    if len(wall) != 1:
        turn.say(note(_(ptexts.SESSION_USAGE).format(zone=turn.person.timezone)))
        return
    today = local_today(turn.now, zone)
    if not today - timedelta(days=1) <= day <= today + SESSION_HORIZON:
        problem = _(ptexts.SESSION_PAST) if day < today else _(ptexts.SESSION_TOO_FAR)
        _cannot_read(turn, problem)
        return
    starts_at = local_instant(day, wall[0], zone)
    if starts_at <= turn.now:
        _cannot_read(turn, _(ptexts.SESSION_PAST))
        return
    repeat = words[3].lower() if len(words) == 4 else "once"
    due = max(turn.now, starts_at - timedelta(minutes=therapist.lead_minutes))
    number = await turn.tx.sessions.add(client.id, therapist.person_id, starts_at, repeat, due, turn.now)
    await turn.tx.schedules.recheck_sessions(client.id, turn.now)  # "the day before" plans
    digest = (
        _(ptexts.SESSION_DIGEST_NOW)
        if due <= turn.now
        else _(ptexts.SESSION_DIGEST_AT).format(when=formatting.day_and_time(due.astimezone(zone)))
    )
    turn.say(
        note(
            _(ptexts.SESSION_ADDED).format(
                number=number,
                alias=client.alias,
                when=formatting.day_and_time(starts_at.astimezone(zone)),
                zone=turn.person.timezone,
                repeat=_repeats(repeat),
                digest=digest,
            )
        )
    )
    log.info("therapist %s added session %s", therapist.person_id, number)


def _cannot_read(turn: Turn, problem: object) -> None:
    usage = _(ptexts.SESSION_USAGE).format(zone=turn.person.timezone)
    turn.say(note(ptexts.could_not_read(problem, usage)))


def _repeats(repeat: str) -> str:
    """', weekly' after a repeating session's time (nothing after one that happens once)."""
    words = ptexts.REPEATS.get(repeat)
    return _(words) if words else ""


async def sessions(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    sessions = [
        s for s in await turn.tx.sessions.upcoming(therapist.person_id, turn.now) if s.repeat != ON_DEMAND
    ]
    if not sessions:
        turn.say(note(_(ptexts.NO_SESSIONS)))
        return
    aliases = {c.id: c.alias for c in await turn.tx.clients.of(therapist.person_id)}
    zone = zone_or_utc(turn.person.timezone)
    lines = [_(ptexts.SESSIONS_HEADER).format(zone=turn.person.timezone)]
    lines += [
        _(ptexts.SESSION_LINE).format(
            number=s.id,
            alias=aliases.get(s.client_id, "?"),
            when=formatting.day_and_time(s.starts_at.astimezone(zone)),
            repeat=_repeats(s.repeat),
        )
        for s in sessions
    ]
    turn.say(note("\n".join(lines)))


async def cancel_session(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    number = parse_button_number(args.removeprefix("#")) if args else None
    if number is None:
        turn.say(note(_(ptexts.CANCEL_USAGE)))
        return
    session = await turn.tx.sessions.get_for(therapist.person_id, number)
    if (
        session is None
        or session.status == SessionStatus.CANCELLED
        or session.starts_at <= turn.now
        or session.repeat == ON_DEMAND
    ):
        turn.say(note(_(ptexts.NO_SUCH_SESSION).format(number=number)))
        return
    await turn.tx.sessions.cancel(session.id, turn.now)
    if session.repeat in REPEAT_DAYS:  # the series ends here, also where it was written ahead
        await turn.tx.sessions.cancel_following(session, turn.now)
    await turn.tx.schedules.recheck_sessions(session.client_id, turn.now)  # "the day before" plans
    client = await turn.tx.clients.by_id(therapist.person_id, session.client_id)
    zone = zone_or_utc(turn.person.timezone)
    turn.say(
        note(
            _(ptexts.SESSION_CANCELLED).format(
                number=number,
                alias=client.alias if client else "?",
                when=formatting.day_and_time(session.starts_at.astimezone(zone)),
                series=_(ptexts.SERIES_ENDS) if session.repeat in REPEAT_DAYS else "",
            )
        )
    )
    log.info("therapist %s cancelled session %s", therapist.person_id, session.id)
