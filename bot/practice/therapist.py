"""The therapist's own desk: /help, /invite, /clients, /digest (a measure item by item:
``measures``), /digestchat, /settings.

A therapist reaches only their own clients: a client is looked up by ``(therapist, alias)`` only,
so naming someone else's client gets the same answer as naming no one.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo

from bot.chat.turn import Turn, note
from bot.core import formatting
from bot.core.codes import (
    CHAT_LINK_VALID,
    INVITATION_VALID,
    code_hash,
    new_code,
)
from bot.core.i18n import _
from bot.core.links import LinkMaker
from bot.core.messages import parse_button_number
from bot.core.statuses import PersonStatus
from bot.core.timezones import zone_or_utc
from bot.practice import texts as ptexts
from bot.practice.measures import measure_items
from flows import Flow
from flows.places import describe_where
from storage import (
    ON_DEMAND,
    CodePurpose,
    PersonRow,
    RiskFlagRow,
    SessionStatus,
    TherapistRow,
)

log = logging.getLogger(__name__)

ALIAS = re.compile(r"[^\W][\w.\-]{0,31}", re.UNICODE)
DEFAULT_LEAD_MINUTES = 120
MAX_LEAD_MINUTES = 7 * 24 * 60


@dataclass(frozen=True, slots=True)
class Desk:
    """What the therapist's commands work with besides the turn: the homework types, the
    transport's link maker, and a way to start a guided flow."""

    flows: tuple[Flow, ...]
    links: Callable[[str], LinkMaker]
    """The link maker of a transport (by name): invitations open the bot with their code."""
    start_flow: StartFlow
    crisis_placeholders: bool = False
    """The practice's crisis resources are still the shipped placeholders (warn when assigning
    homework that can bring the crisis message)."""
    flow_of: Callable[[str, str | None], Flow | None] | None = None
    """The flow an entry was answered under, by id and stored version (the runner's ``flow_of``):
    old entries are read and scored under their own version."""


StartFlow = Callable[..., Awaitable[None]]
"""Starts a flow for the turn's person: ``(turn, flow, context=...)`` (the flow runner's ``start``)."""


def _times_text(times: Sequence[str]) -> str:
    return ", ".join(times)


async def help_text(turn: Turn, flows: Sequence[Flow]) -> str:
    """The therapist's /help, in the language they read."""
    therapist = await turn.tx.therapists.get(turn.person.id)
    lead = therapist.lead_minutes if therapist else DEFAULT_LEAD_MINUTES
    lines = [_(ptexts.HELP_HEADER)]
    lines += [_(line).format(minutes=lead, zone=turn.person.timezone) for line in ptexts.HELP_LINES.values()]
    lines.append(_(ptexts.HELP_HOMEWORK).format(homework=", ".join(f.command for f in flows)))
    return "\n".join(lines)


async def find_client(turn: Turn, therapist: TherapistRow, alias: str) -> PersonRow | None:
    client = await turn.tx.clients.by_alias(therapist.person_id, alias) if alias else None
    if client is None:
        turn.say(note(_(ptexts.NO_SUCH_CLIENT).format(alias=alias[:32] or "''")))
    return client


def homework_title(flows: Sequence[Flow], flow_id: str) -> str:
    """A homework type's title in the language being read (its id when it is gone)."""
    flow = next((f for f in flows if f.id == flow_id), None)
    return _(flow.title) if flow else flow_id


async def invite(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    alias = args.split()[0] if args.split() else ""
    if alias and not ALIAS.fullmatch(alias):
        turn.say(note(_(ptexts.ALIAS_RULES)))
        return
    if not alias:
        alias = await free_alias(turn, therapist.person_id)
    elif await turn.tx.clients.alias_taken(therapist.person_id, alias, turn.now):
        turn.say(note(_(ptexts.ALIAS_TAKEN).format(alias=alias)))
        return
    code = new_code()
    expires = turn.now + INVITATION_VALID
    await turn.tx.codes.add(
        CodePurpose.INVITE,
        code_hash(code),
        turn.now,
        expires,
        therapist_id=therapist.person_id,
        alias=alias,
    )
    shown = formatting.day(expires.astimezone(zone_or_utc(turn.person.timezone)))
    link = desk.links(turn.person.transport).start_link(code)
    if link:
        turn.say(note(_(ptexts.INVITATION).format(alias=alias, expires=shown, link=link)))
    else:
        turn.say(note(_(ptexts.INVITATION_NO_LINK).format(alias=alias, expires=shown)))
    turn.say(note(code))
    log.info("therapist %s created an invitation", therapist.person_id)


async def clients(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    clients = await turn.tx.clients.of(therapist.person_id)
    invitations = await turn.tx.codes.open_invitations(therapist.person_id, turn.now)
    if not clients and not invitations:
        turn.say(note(_(ptexts.NO_CLIENTS)))
        return
    zone = zone_or_utc(turn.person.timezone)
    activity = await turn.tx.clients.last_activity([c.id for c in clients])
    sessions = await turn.tx.sessions.upcoming(therapist.person_id, turn.now)
    flags = await turn.tx.risk_flags.open_for_people([c.id for c in clients])
    lines = flag_lines(clients, flags, zone)
    lines.append(_(ptexts.CLIENTS_HEADER).format(zone=turn.person.timezone))
    for client in sorted(clients, key=lambda c: c.id not in flags):  # flagged first
        last = activity.get(client.id)
        upcoming = next((s for s in sessions if s.client_id == client.id), None)
        lines.append(
            _(ptexts.CLIENT_LINE).format(
                alias=client.alias,
                joined=formatting.day((client.consented_at or client.created_at).astimezone(zone)),
                last=formatting.day_and_time(last.astimezone(zone)) if last else _(ptexts.NEVER),
                next=_(ptexts.CLIENT_NEXT_SESSION).format(
                    when=formatting.day_and_time(upcoming.starts_at.astimezone(zone))
                )
                if upcoming
                else "",
                flag=_(ptexts.CLIENT_UNREACHABLE).format(
                    since=formatting.day(client.unreachable_since.astimezone(zone))
                )
                if client.unreachable_since and client.status == PersonStatus.UNREACHABLE
                else "",
            )
        )
    for invitation in invitations:
        lines.append(
            _(ptexts.INVITED_LINE).format(
                alias=invitation.alias, expires=formatting.day(invitation.expires_at.astimezone(zone))
            )
        )
    turn.say(note("\n".join(lines)))


def flag_lines(
    clients: Sequence[PersonRow], flags: Mapping[int, Sequence[RiskFlagRow]], zone: tzinfo
) -> list[str]:
    """The clients with a high-risk flag, before anything else in /clients."""
    lines = []
    for client in clients:
        open_flags = flags.get(client.id)
        if not open_flags:
            continue
        latest = open_flags[-1]
        more = len(open_flags) - 1
        lines.append(
            _(ptexts.CLIENT_FLAG_LINE).format(
                alias=client.alias,
                reason=_reason(latest.reason),
                where=describe_where(latest.where),
                when=formatting.day_and_time(latest.raised_at.astimezone(zone)),
                more=ptexts.flag_more(more) if more else "",
            )
        )
    return [_(ptexts.CLIENTS_FLAGGED), *lines, ""] if lines else []


def _reason(reason: str) -> str:
    """Why a client was flagged, in words."""
    known = ptexts.FLAG_REASONS.get(reason)
    return _(known) if known else reason.replace("_", " ")


async def digest(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    """``/digest Sam``: the digest now; ``/digest Sam phq9``: a measure item by item."""
    words = args.split()
    if not words:
        turn.say(note(_(ptexts.DIGEST_USAGE)))
        return
    client = await find_client(turn, therapist, words[0])
    if client is None:
        return
    if len(words) > 1:
        await measure_items(turn, therapist, client, " ".join(words[1:]), desk)
        return
    await turn.tx.sessions.add(client.id, therapist.person_id, turn.now, ON_DEMAND, turn.now, turn.now)
    chat = therapist.digest_chat_title or _(ptexts.PRIVATE_CHAT)
    turn.say(note(_(ptexts.DIGEST_QUEUED).format(alias=client.alias, chat=chat)))
    log.info("therapist %s asked for a digest of person %s", therapist.person_id, client.id)


async def digest_chat(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    if args.lower() == "private":
        await turn.tx.therapists.set_digest_chat(therapist.person_id, None, None, None, turn.now)
        turn.say(note(_(ptexts.DIGEST_CHAT_PRIVATE)))
        return
    code = new_code()
    await turn.tx.codes.add(
        CodePurpose.DIGEST_CHAT,
        code_hash(code),
        turn.now,
        turn.now + CHAT_LINK_VALID,
        therapist_id=therapist.person_id,
    )
    turn.say(note(_(ptexts.DIGEST_CHAT_CODE)))
    turn.say(note(f"/link {code}"))


async def settings(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    words = args.split()
    if not words:
        chat = therapist.digest_chat_title or _(ptexts.PRIVATE_CHAT)
        turn.say(
            note(
                _(ptexts.SETTINGS).format(
                    minutes=therapist.lead_minutes, chat=chat, zone=turn.person.timezone
                )
            )
        )
        return
    minutes = parse_button_number(words[1], low=1, high=MAX_LEAD_MINUTES) if len(words) == 2 else None
    if words[0].lower() != "lead" or minutes is None:
        turn.say(note(_(ptexts.LEAD_USAGE)))
        return
    await turn.tx.therapists.set_lead(therapist.person_id, minutes, turn.now)
    for session in await turn.tx.sessions.upcoming(therapist.person_id, turn.now):
        if session.status == SessionStatus.SCHEDULED and session.repeat != ON_DEMAND:
            due = max(turn.now, session.starts_at - timedelta(minutes=minutes))
            await turn.tx.sessions.set_digest_due(session.id, due, turn.now)
    turn.say(note(_(ptexts.LEAD_SET).format(minutes=minutes)))


async def free_alias(turn: Turn, therapist_id: int, stem: str = "Client") -> str:
    number = 1 if stem == "Client" else 2
    while await turn.tx.clients.alias_taken(therapist_id, f"{stem[:28]}{number}", turn.now):
        number += 1
    return f"{stem[:28]}{number}"
