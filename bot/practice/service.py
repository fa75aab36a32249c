"""The therapist's side, in chat: registration, invitations and consent, assignments, sessions.

Runs inside the conversation service's turn (one transaction per update), like the client's
side. Authorization is in the questions asked of storage: a therapist's client is looked up by
``(therapist, alias)`` or ``(therapist, id)`` only, so naming someone else's client gets the same
answer as naming no one. Therapists read ``bot.practice_texts``; clients read ``bot.texts``.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.chat import texts
from bot.chat.turn import ButtonPressed, CommandReceived, Event, Recipient, Sender, Turn, note, words_of
from bot.core.codes import (
    CHAT_LINK_VALID,
    INVITATION_VALID,
    REGISTRATION_VALID,
    AttemptLimiter,
    code_hash,
    looks_like_code,
    new_code,
    start_link,
)
from bot.core.local_time import (
    REPEAT_DAYS,
    describe_weekdays,
    local_instant,
    local_today,
    parse_times,
    parse_weekdays,
)
from bot.core.messages import Button, Outgoing, Purpose, parse_button_number
from bot.core.timezones import zone_or_utc
from bot.practice import texts as ptexts
from bot.scheduling.scheduler import plan_of
from flows import FLOWS, Flow
from flows.assign import ASSIGN, AssignmentDraft, assignment_from, clients_context
from storage import (
    ON_DEMAND,
    CodePurpose,
    CodeRow,
    Database,
    PersonRow,
    Role,
    SessionStatus,
    TherapistRow,
    Transaction,
)

log = logging.getLogger(__name__)

JOIN_DATA_PREFIX = "j:"
JOIN_AGAIN = "j:again"
"""'I agree' when the consent text is asked again (no code)."""
CONFIDENCE_DATA_PREFIX = "cf:"
DECLINE = "-"
ALIAS = re.compile(r"[^\W][\w.\-]{0,31}", re.UNICODE)
DEFAULT_LEAD_MINUTES = 120
MAX_LEAD_MINUTES = 7 * 24 * 60
LOW_CONFIDENCE = 5
"""A confidence rating at or below this is worth discussing (the digest marks it)."""
SESSION_HORIZON = timedelta(days=2 * 366)
"""Sessions are booked at most this far ahead."""
MAX_TIMES = 8
"""At most this many prompts a day for one assignment."""

THERAPIST_COMMANDS = frozenset(
    {
        "invite",
        "clients",
        "assign",
        "assignments",
        "unassign",
        "session",
        "sessions",
        "cancelsession",
        "digest",
        "digestchat",
        "settings",
    }
)
THERAPIST_MENU = (
    ("invite", "Invite a client"),
    ("clients", "Your clients"),
    ("assign", "Agree homework with a client"),
    ("assignments", "A client's homework"),
    ("sessions", "Upcoming sessions"),
    ("digest", "A client's digest now"),
    ("settings", "Digest lead time and chat"),
)

StartFlow = Callable[[Turn, Flow, Mapping[str, Any]], Awaitable[None]]


class UsageError(ValueError):
    """A therapist's command could not be read; the message says what, kindly."""


def consent_version() -> str:
    """A short fingerprint of the consent text: a changed text is a new version."""
    return code_hash(texts.CONSENT)[:12]


def _day(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


def _when(moment: datetime) -> str:
    return f"{_day(moment)} {moment:%H:%M}"


def _times_text(times: Sequence[str]) -> str:
    return ", ".join(times)


@dataclass(frozen=True, slots=True)
class OneLineAssignment:
    alias: str
    flow: Flow
    times: tuple[str, ...]
    weekdays: tuple[int, ...]
    start: date | None
    rationale: str | None


def parse_one_line_assignment(args: str, flows: Sequence[Flow]) -> OneLineAssignment:
    """``<alias> <flow> <HH:MM[,HH:MM]> [days] [from YYYY-MM-DD] ["rationale"]``."""
    try:
        words = shlex.split(args.replace("“", '"').replace("”", '"'))
    except ValueError:
        raise UsageError("a quote is not closed") from None
    if len(words) < 3:
        raise UsageError("it needs at least a client, a homework and a time")
    alias, flow_name, times_text, *rest = words
    flow = next((f for f in flows if flow_name.lower() in (f.id, f.command, f"/{f.command}")), None)
    if flow is None:
        known = ", ".join(f.command for f in flows)
        raise UsageError(ptexts.ASSIGN_UNKNOWN_HOMEWORK.format(name=flow_name, known=known))
    try:
        times = tuple(f"{t:%H:%M}" for t in parse_times(times_text))
    except ValueError as error:
        raise UsageError(str(error)) from None
    if len(times) > MAX_TIMES:
        raise UsageError(ptexts.TOO_MANY_TIMES.format(most=MAX_TIMES))
    weekdays: tuple[int, ...] = tuple(range(7))
    start: date | None = None
    rationale: str | None = None
    index = 0
    if index < len(rest) and rest[index].lower() != "from" and not _is_rationale(rest, index):
        try:
            weekdays = tuple(sorted(parse_weekdays(rest[index])))
        except ValueError as error:
            raise UsageError(str(error)) from None
        index += 1
    if index < len(rest) and rest[index].lower() == "from":
        if index + 1 >= len(rest):
            raise UsageError("'from' needs a date like 2026-03-09")
        try:
            start = date.fromisoformat(rest[index + 1])
        except ValueError:
            raise UsageError(f"{rest[index + 1][:20]!r} is not a date like 2026-03-09") from None
        index += 2
    if index < len(rest):
        rationale = " ".join(rest[index:]).strip() or None
    if rationale is not None and len(rationale) > 1000:
        raise UsageError("the rationale is longer than 1000 characters")
    return OneLineAssignment(alias, flow, times, weekdays, start, rationale)


def _is_rationale(rest: Sequence[str], index: int) -> bool:
    """A last word with spaces in it was quoted: the rationale, not days."""
    return index == len(rest) - 1 and " " in rest[index]


def consent_message(therapist: str | None, code: str | None) -> Outgoing:
    """The consent text with 'I agree' / 'Not now'. An invitation's code rides on the button
    (nothing is stored before they agree); without one, it is asked again of a client."""
    agree = f"{JOIN_DATA_PREFIX}{code}" if code else JOIN_AGAIN
    buttons = (
        (Button(texts.BUTTON_AGREE, agree),),
        (Button(texts.BUTTON_NOT_NOW, f"{JOIN_DATA_PREFIX}{DECLINE}"),),
    )
    text = texts.CONSENT.format(therapist=therapist or texts.YOUR_THERAPIST)
    return Outgoing(text=text, purpose=Purpose.PROMPT, buttons=buttons, expects="choice")


def _closed(message_id: str | None, status: str | None) -> list[Outgoing]:
    """The consent message loses its buttons (and says what was chosen)."""
    if message_id is None:
        return []
    text = f"{texts.CONSENT.split(chr(10))[0]}\n\n{status}" if status is not None else None
    return [Outgoing(text=text, purpose=Purpose.CLOSE_PROMPT, edit_of=message_id)]


@dataclass(frozen=True, slots=True)
class Admission:
    """What to do with someone we have no row for: let them in (``enter``: a row is made and
    the event handled as usual), or only answer."""

    enter: bool = False
    replies: list[Outgoing] = field(default_factory=list)
    notice: str | None = None


class Practice:
    """Therapist commands and the client's side of joining, notes and confidence."""

    def __init__(
        self,
        database: Database,
        *,
        flows: Sequence[Flow] = FLOWS,
        limiter: AttemptLimiter,
        bot_username: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._db = database
        self._flows = tuple(flows)
        self._limiter = limiter
        self._bot_username = bot_username
        self._strangers_told: set[str] = set()

    # --- registration (the admin's command line) ---------------------------------------------

    async def issue_registration(self, name: str, now: datetime) -> str:
        code = new_code()
        async with self._db.transaction() as tx:
            await tx.codes.add(
                CodePurpose.REGISTER, code_hash(code), now, now + REGISTRATION_VALID, name=name
            )
        return code

    # --- /start <code> ------------------------------------------------------------------------

    @staticmethod
    def is_code(args: str) -> bool:
        return looks_like_code(args)

    async def _usable(self, turn: Turn, code: str) -> CodeRow | None:
        key = f"{turn.sender.transport}:{turn.sender.user_id}"
        if self._limiter.blocked(key):
            turn.say(note(texts.CODE_TOO_MANY))
            return None
        row = await turn.tx.codes.find_usable(code_hash(code), turn.now)
        if row is None:
            self._limiter.failed(key)
            log.info("person %s used an unknown or expired code", turn.person.id)
            turn.say(note(texts.CODE_INVALID))
        return row

    async def on_start_code(self, turn: Turn, code: str) -> None:
        row = await self._usable(turn, code)
        if row is None:
            return
        person = turn.person
        if row.purpose == CodePurpose.REGISTER:
            if person.role == Role.THERAPIST:
                turn.say(note(ptexts.ALREADY_THERAPIST))
            elif person.therapist_id is not None:
                turn.say(note(texts.REGISTER_NOT_FOR_CLIENTS))
            elif await turn.tx.codes.use(row.id, person.id, turn.now):
                await turn.tx.therapists.register(person.id, row.name or "", DEFAULT_LEAD_MINUTES, turn.now)
                person.role = Role.THERAPIST
                await turn.tx.audit.record(turn.now, person.id, "therapist_registered", person.id)
                turn.say(note(ptexts.REGISTERED.format(name=row.name)))
                turn.say(note(await self.help_text(turn)))
                log.info("person %s registered as a therapist", person.id)
            return
        if row.purpose == CodePurpose.DIGEST_CHAT:
            turn.say(note(texts.POST_CODE_IN_CHAT))
            return
        therapist = await turn.tx.therapists.get(row.therapist_id or 0)
        if therapist is None:
            turn.say(note(texts.CODE_INVALID))
        elif person.role == Role.THERAPIST:
            turn.say(note(texts.INVITE_FOR_CLIENTS))
        elif person.therapist_id == therapist.person_id:
            turn.say(note(texts.ALREADY_CONNECTED.format(therapist=therapist.name)))
        elif person.therapist_id is not None:
            turn.say(note(texts.OTHER_THERAPIST))
        else:
            turn.say(consent_message(therapist.name, code))

    async def admit(
        self,
        tx: Transaction,
        sender: Sender,
        event: Event,
        now: datetime,
        crisis: Callable[[str], Outgoing | None] = lambda text: None,
    ) -> Admission:
        """Someone we have no row for. Nothing is stored before they consent: an invitation shows
        the consent text (its code rides on the button); only 'I agree' on it, or a therapist's
        registration code, makes a row. Anyone else gets one short pointer to their therapist —
        or, if what they wrote suggests they may be at risk, the crisis resources (``crisis``)."""
        key = f"{sender.transport}:{sender.user_id}"
        match event:
            case CommandReceived("start", args) if looks_like_code(args):
                if self._limiter.blocked(key):
                    return Admission(replies=[note(texts.CODE_TOO_MANY)])
                row = await tx.codes.find_usable(code_hash(args.strip()), now)
                if row is None:
                    self._limiter.failed(key)
                    log.info("a stranger used an unknown or expired code")
                    return Admission(replies=[note(texts.CODE_INVALID)])
                if row.purpose == CodePurpose.REGISTER:
                    return Admission(enter=True)
                if row.purpose == CodePurpose.DIGEST_CHAT:
                    return Admission(replies=[note(texts.POST_CODE_IN_CHAT)])
                therapist = await tx.therapists.get(row.therapist_id or 0)
                if therapist is None:
                    return Admission(replies=[note(texts.CODE_INVALID)])
                return Admission(replies=[consent_message(therapist.name, args.strip())])
            case ButtonPressed(data, message_id) if data.startswith(JOIN_DATA_PREFIX):
                code = data.removeprefix(JOIN_DATA_PREFIX)
                if code == DECLINE:
                    log.info("a stranger declined consent")
                    return Admission(replies=[*_closed(message_id, None), note(texts.CONSENT_DECLINED)])
                row = await tx.codes.find_usable(code_hash(code), now) if looks_like_code(code) else None
                if row is None or row.purpose != CodePurpose.INVITE:
                    return Admission(replies=[*_closed(message_id, None), note(texts.CODE_INVALID)])
                return Admission(enter=True)
            case ButtonPressed():
                return Admission(notice=texts.BUTTON_EXPIRED)
        words = words_of(event)
        if words and (resources := crisis(words)) is not None:
            log.warning("a stranger wrote risk language; crisis resources sent")
            return Admission(replies=[resources])
        if key in self._strangers_told:
            return Admission()
        if len(self._strangers_told) > 10_000:  # bounded: at worst someone hears it twice
            self._strangers_told.clear()
        self._strangers_told.add(key)
        log.info("a stranger wrote; pointed them to their therapist")
        return Admission(replies=[note(texts.STRANGER)])

    @staticmethod
    def needs_consent(person: PersonRow) -> bool:
        """A client who has not agreed to the current consent text (therapists are staff; the
        terminal chat is the machine's owner)."""
        return (
            person.role != Role.THERAPIST
            and person.transport != "terminal"
            and person.consent_version != consent_version()
        )

    async def consent_gate(self, turn: Turn, event: Event) -> tuple[bool, str | None]:
        """Before anything else, a client whose consent is missing or out of date reads it (again).
        Returns whether the event may go on, and a notice for a button."""
        match event:
            case CommandReceived("start", args) if looks_like_code(args):
                return True, None
            case ButtonPressed(data, message_id) if data == JOIN_AGAIN:
                await turn.tx.clients.record_consent(turn.person.id, consent_version(), turn.now)
                turn.person.consent_version = consent_version()
                for closing in _closed(message_id, texts.CONSENT_AGREED):
                    turn.say(closing)
                turn.say(note(texts.CONSENT_THANKS))
                log.info("person %s agreed to the current consent", turn.person.id)
                return False, None
            case ButtonPressed(data, message_id) if data == f"{JOIN_DATA_PREFIX}{DECLINE}":
                for closing in _closed(message_id, None):
                    turn.say(closing)
                turn.say(note(texts.CONSENT_DECLINED_EXISTING))
                return False, None
            case ButtonPressed(data) if data.startswith(JOIN_DATA_PREFIX):
                return True, None  # an invitation's 'I agree': it records consent as it links
            case ButtonPressed():
                return False, texts.BUTTON_EXPIRED
        therapist = await turn.tx.therapists.get(turn.person.therapist_id or 0)
        turn.say(consent_message(therapist.name if therapist else None, None))
        return False, None

    async def on_join_button(self, turn: Turn, data: str, message_id: str | None) -> str | None:
        """'I agree' / 'Not now' under the consent text."""
        code = data.removeprefix(JOIN_DATA_PREFIX)
        if code == DECLINE:
            self._close(turn, message_id, None)
            turn.say(note(texts.CONSENT_DECLINED))
            log.info("person %s declined consent", turn.person.id)
            return None
        if data == JOIN_AGAIN:
            return texts.BUTTON_EXPIRED  # (agreed already)
        if not looks_like_code(code):
            return texts.BUTTON_EXPIRED
        row = await turn.tx.codes.find_usable(code_hash(code), turn.now)
        therapist = await turn.tx.therapists.get(row.therapist_id or 0) if row else None
        person = turn.person
        if row is None or therapist is None or row.purpose != CodePurpose.INVITE:
            self._close(turn, message_id, None)
            turn.say(note(texts.CODE_INVALID))
            return None
        if person.role == Role.THERAPIST or person.therapist_id is not None:
            return texts.BUTTON_EXPIRED
        alias = row.alias or await self._free_alias(turn, therapist.person_id)
        if await turn.tx.clients.by_alias(therapist.person_id, alias) is not None:
            alias = await self._free_alias(turn, therapist.person_id, alias)  # taken meanwhile
        if not await turn.tx.codes.use(row.id, person.id, turn.now):
            return texts.BUTTON_EXPIRED
        await turn.tx.clients.link(person.id, therapist.person_id, alias, turn.now)
        await turn.tx.clients.record_consent(person.id, consent_version(), turn.now)
        person.therapist_id, person.alias = therapist.person_id, alias
        self._close(turn, message_id, texts.CONSENT_AGREED)
        turn.say(note(texts.JOINED.format(therapist=therapist.name)))
        turn.say(note(texts.WELCOME))
        therapist_person = await turn.tx.people.get(therapist.person_id)
        if therapist_person is not None:
            turn.tell(therapist_person, note(ptexts.CLIENT_JOINED.format(alias=alias)))
        log.info("person %s joined therapist %s", person.id, therapist.person_id)
        return None

    def _close(self, turn: Turn, message_id: str | None, status: str | None) -> None:
        for closing in _closed(message_id, status):
            turn.say(closing)

    async def _free_alias(self, turn: Turn, therapist_id: int, stem: str = "Client") -> str:
        number = 1 if stem == "Client" else 2
        while await turn.tx.clients.alias_taken(therapist_id, f"{stem[:28]}{number}", turn.now):
            number += 1
        return f"{stem[:28]}{number}"

    # --- a group or channel becomes a digest chat ---------------------------------------------

    async def link_chat(
        self,
        turn_tx: Any,
        now: datetime,
        code: str,
        chat: Recipient,
        title: str,
        user_id: str | None,
        public: bool = False,
    ) -> tuple[list[tuple[Recipient, Outgoing]], bool]:
        """``/link <code>`` posted in a group or channel. Returns messages to queue, and whether
        it worked. A group's poster must be the therapist who asked for the code; a public chat
        (anyone can read it) is refused: digests hold health information."""
        key = f"{chat.transport}:chat:{chat.chat_id}"
        if self._limiter.blocked(key):
            return [], False
        if public:
            return [(chat, note(ptexts.DIGEST_CHAT_PUBLIC))], False
        row = await turn_tx.codes.find_usable(code_hash(code), now)
        if row is None or row.purpose != CodePurpose.DIGEST_CHAT or row.therapist_id is None:
            self._limiter.failed(key)
            return [(chat, note(texts.CODE_INVALID))], False
        therapist_person: PersonRow | None = await turn_tx.people.get(row.therapist_id)
        therapist = await turn_tx.therapists.get(row.therapist_id)
        if therapist_person is None or therapist is None:
            return [(chat, note(texts.CODE_INVALID))], False
        if user_id is not None and user_id != therapist_person.external_user_id:
            return [(chat, note(ptexts.DIGEST_CHAT_WRONG_PERSON))], False
        if not await turn_tx.codes.use(row.id, therapist_person.id, now):
            return [(chat, note(texts.CODE_INVALID))], False
        await turn_tx.therapists.set_digest_chat(
            therapist.person_id, chat.transport, chat.chat_id, title, now
        )
        log.info(
            "therapist %s linked a %s as digest chat", therapist.person_id, "group" if user_id else "channel"
        )
        own = Recipient(therapist_person.transport, therapist_person.chat_id, therapist_person.id)
        return [
            (chat, note(ptexts.DIGEST_CHAT_LINKED.format(name=therapist.name))),
            (own, note(ptexts.DIGEST_CHAT_LINKED_PRIVATE.format(title=title))),
        ], True

    # --- the client's side: notes, confidence --------------------------------------------------

    async def on_note(self, turn: Turn, args: str) -> None:
        written = args.strip()
        if not written:
            turn.say(note(texts.NOTE_USAGE))
            return
        await turn.tx.notes.add(turn.person.id, written[:4000], turn.now)
        turn.say(note(texts.NOTE_KEPT if turn.person.therapist_id else texts.NOTE_NO_THERAPIST))
        log.info("person %s left a note for the session", turn.person.id)

    async def on_confidence(self, turn: Turn, data: str, message_id: str | None) -> str | None:
        number, _, value = data.removeprefix(CONFIDENCE_DATA_PREFIX).partition(":")
        schedule_id = parse_button_number(number)
        rating = parse_button_number(value, low=0, high=10) if value != "0" else 0
        schedule = await turn.tx.schedules.get(schedule_id) if schedule_id is not None else None
        if (
            schedule is None
            or rating is None
            or schedule.person_id != turn.person.id
            or schedule.status != "active"
            or schedule.confidence is not None
        ):
            return texts.BUTTON_EXPIRED
        await turn.tx.schedules.set_confidence(schedule.id, rating, turn.now)
        if message_id is not None:
            turn.say(
                Outgoing(
                    text=f"{texts.CONFIDENCE_QUESTION}\n\n✓ {rating}",
                    purpose=Purpose.CLOSE_PROMPT,
                    edit_of=message_id,
                )
            )
        turn.say(note(texts.CONFIDENCE_LOW if rating <= LOW_CONFIDENCE else texts.CONFIDENCE_HIGH))
        log.info("person %s rated confidence for schedule %s", turn.person.id, schedule.id)
        return None

    # --- therapist commands ---------------------------------------------------------------------

    def _homework_title(self, flow_id: str) -> str:
        flow = next((f for f in self._flows if f.id == flow_id), None)
        return flow.title if flow else flow_id

    async def help_text(self, turn: Turn) -> str:
        therapist = await turn.tx.therapists.get(turn.person.id)
        lead = therapist.lead_minutes if therapist else DEFAULT_LEAD_MINUTES
        return ptexts.HELP.format(
            lead=f"{lead} min",
            zone=turn.person.timezone,
            homework=", ".join(f.command for f in self._flows),
        )

    async def on_command(self, turn: Turn, name: str, args: str, start_flow: StartFlow) -> None:
        therapist = await turn.tx.therapists.get(turn.person.id)
        if therapist is None:  # (a role without its row: should not happen)
            turn.say(note(ptexts.NOT_A_THERAPIST_COMMAND))
            return
        handlers: dict[str, Callable[[Turn, TherapistRow, str], Awaitable[None]]] = {
            "invite": self._invite,
            "clients": self._clients,
            "assignments": self._assignments,
            "unassign": self._unassign,
            "session": self._session,
            "sessions": self._sessions,
            "cancelsession": self._cancel_session,
            "digest": self._digest,
            "digestchat": self._digest_chat,
            "settings": self._settings,
        }
        if name == "assign":
            await self._assign(turn, therapist, args, start_flow)
        else:
            await handlers[name](turn, therapist, args.strip())

    async def _client(self, turn: Turn, therapist: TherapistRow, alias: str) -> PersonRow | None:
        client = await turn.tx.clients.by_alias(therapist.person_id, alias) if alias else None
        if client is None:
            turn.say(note(ptexts.NO_SUCH_CLIENT.format(alias=alias[:32] or "''")))
        return client

    async def _invite(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        alias = args.split()[0] if args.split() else ""
        if alias and not ALIAS.fullmatch(alias):
            turn.say(note(ptexts.ALIAS_RULES))
            return
        if not alias:
            alias = await self._free_alias(turn, therapist.person_id)
        elif await turn.tx.clients.alias_taken(therapist.person_id, alias, turn.now):
            turn.say(note(ptexts.ALIAS_TAKEN.format(alias=alias)))
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
        shown = _day(expires.astimezone(zone_or_utc(turn.person.timezone)))
        link = start_link(self._bot_username(), code)
        if link:
            turn.say(note(ptexts.INVITATION.format(alias=alias, expires=shown, link=link)))
        else:
            turn.say(note(ptexts.INVITATION_NO_LINK.format(alias=alias, expires=shown)))
        turn.say(note(code))
        log.info("therapist %s created an invitation", therapist.person_id)

    async def _clients(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        clients = await turn.tx.clients.of(therapist.person_id)
        invitations = await turn.tx.codes.open_invitations(therapist.person_id, turn.now)
        if not clients and not invitations:
            turn.say(note(ptexts.NO_CLIENTS))
            return
        zone = zone_or_utc(turn.person.timezone)
        activity = await turn.tx.clients.last_activity([c.id for c in clients])
        sessions = await turn.tx.sessions.upcoming(therapist.person_id, turn.now)
        lines = [ptexts.CLIENTS_HEADER.format(zone=turn.person.timezone)]
        for client in clients:
            last = activity.get(client.id)
            upcoming = next((s for s in sessions if s.client_id == client.id), None)
            lines.append(
                ptexts.CLIENT_LINE.format(
                    alias=client.alias,
                    joined=_day((client.consented_at or client.created_at).astimezone(zone)),
                    last=_when(last.astimezone(zone)) if last else ptexts.NEVER,
                    next=ptexts.CLIENT_NEXT_SESSION.format(when=_when(upcoming.starts_at.astimezone(zone)))
                    if upcoming
                    else "",
                    flag=ptexts.CLIENT_UNREACHABLE.format(
                        since=_day(client.unreachable_since.astimezone(zone))
                    )
                    if client.unreachable_since and client.status == "unreachable"
                    else "",
                )
            )
        for invitation in invitations:
            lines.append(
                ptexts.INVITED_LINE.format(
                    alias=invitation.alias, expires=_day(invitation.expires_at.astimezone(zone))
                )
            )
        turn.say(note("\n".join(lines)))

    # --- assignments --------------------------------------------------------------------------

    async def _assign(self, turn: Turn, therapist: TherapistRow, args: str, start_flow: StartFlow) -> None:
        if not args.strip():
            clients = await turn.tx.clients.of(therapist.person_id)
            if not clients:
                turn.say(note(ptexts.ASSIGN_NEED_CLIENTS))
                return
            await start_flow(turn, ASSIGN, clients_context([(c.id, c.alias or "") for c in clients]))
            return
        try:
            line = parse_one_line_assignment(args, self._flows)
        except UsageError as error:
            turn.say(note(ptexts.ASSIGN_BAD.format(problem=error)))
            return
        client = await self._client(turn, therapist, line.alias)
        if client is None:
            return
        await self._write_assignment(
            turn, therapist, client, line.flow, line.times, line.weekdays, line.start, line.rationale
        )

    async def finish_assign(self, turn: Turn, answers: Mapping[str, Any]) -> None:
        """The guided /assign is done: write it (its client must still be this therapist's)."""
        therapist = await turn.tx.therapists.get(turn.person.id)
        try:
            draft: AssignmentDraft = assignment_from(answers)
        except ValueError:
            turn.say(note(ptexts.ASSIGN_CLIENT_GONE))
            return
        client = await turn.tx.clients.by_id(turn.person.id, draft.client_id) if therapist else None
        flow = next((f for f in self._flows if f.id == draft.flow_id), None)
        if therapist is None or client is None or flow is None:
            turn.say(note(ptexts.ASSIGN_CLIENT_GONE))
            return
        zone = zone_or_utc(client.timezone)
        today = local_today(turn.now, zone)
        start = {"today": today, "tomorrow": today + timedelta(days=1)}.get(draft.start)
        if start is None:
            start = date.fromisoformat(draft.start)
        await self._write_assignment(
            turn, therapist, client, flow, draft.times, draft.weekdays, start, draft.rationale
        )

    async def _write_assignment(
        self,
        turn: Turn,
        therapist: TherapistRow,
        client: PersonRow,
        flow: Flow,
        times: Sequence[str],
        weekdays: Sequence[int],
        start: date | None,
        rationale: str | None,
    ) -> None:
        zone = zone_or_utc(client.timezone)
        today = local_today(turn.now, zone)
        start = start or today
        if start < today:
            turn.say(note(ptexts.ASSIGN_BAD.format(problem=ptexts.ASSIGN_PAST_START)))
            return
        schedule_id = await turn.tx.schedules.add(
            person_id=client.id,
            flow_id=flow.id,
            times=list(times),
            weekdays=list(weekdays),
            start_date=start,
            end_date=None,
            quiet_start=None,
            quiet_end=None,
            rationale=rationale,
            created_by=therapist.person_id,
            now=turn.now,
        )
        days = describe_weekdays(frozenset(weekdays))
        start_text = "today" if start == today else _day(datetime.combine(start, time()))
        turn.say(
            note(
                ptexts.ASSIGNED.format(
                    alias=client.alias,
                    title=flow.title,
                    times=_times_text(times),
                    days=days,
                    zone=client.timezone,
                    start=start_text,
                )
            )
        )
        told = texts.ASSIGNED.format(
            therapist=therapist.name, title=flow.title, times=_times_text(times), days=days, start=start_text
        )
        if rationale:
            told += "\n\n" + texts.ASSIGNED_WHY.format(rationale=rationale)
        turn.tell(client, note(told))
        scale = [Button(str(n), f"{CONFIDENCE_DATA_PREFIX}{schedule_id}:{n}") for n in range(11)]
        turn.tell(
            client,
            Outgoing(
                text=texts.CONFIDENCE_QUESTION,
                purpose=Purpose.PROMPT,
                buttons=(tuple(scale[:6]), tuple(scale[6:])),
                expects="scale",
            ),
        )
        log.info("therapist %s assigned %s to person %s", therapist.person_id, flow.id, client.id)

    async def _assignments(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        if not args:
            turn.say(note(ptexts.ASSIGNMENTS_USAGE))
            return
        client = await self._client(turn, therapist, args.split()[0])
        if client is None:
            return
        schedules = await turn.tx.schedules.for_person(client.id)
        if not schedules:
            turn.say(note(ptexts.NO_ASSIGNMENTS.format(alias=client.alias)))
            return
        lines = [ptexts.ASSIGNMENTS_HEADER.format(alias=client.alias, zone=client.timezone)]
        for schedule in schedules:
            plan = plan_of(schedule)
            confidence = ""
            if schedule.confidence is not None:
                confidence = ptexts.ASSIGNMENT_CONFIDENCE.format(
                    value=schedule.confidence,
                    flag=ptexts.ASSIGNMENT_LOW if schedule.confidence <= LOW_CONFIDENCE else "",
                )
            lines.append(
                ptexts.ASSIGNMENT_LINE.format(
                    number=schedule.id,
                    title=self._homework_title(schedule.flow_id).capitalize(),
                    times=_times_text(schedule.times),
                    days=describe_weekdays(plan.weekdays),
                    start=_day(datetime.combine(schedule.start_date, time())),
                    confidence=confidence,
                    rationale=ptexts.ASSIGNMENT_RATIONALE.format(rationale=schedule.rationale)
                    if schedule.rationale
                    else "",
                )
            )
        turn.say(note("\n".join(lines)))

    async def _unassign(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        number = parse_button_number(args.removeprefix("#")) if args else None
        if number is None:
            turn.say(note(ptexts.UNASSIGN_USAGE))
            return
        schedule = await turn.tx.schedules.get(number)
        client = await turn.tx.clients.by_id(therapist.person_id, schedule.person_id) if schedule else None
        if schedule is None or client is None or schedule.status != "active":
            turn.say(note(ptexts.NO_SUCH_ASSIGNMENT.format(number=number)))
            return
        await turn.tx.schedules.remove(schedule.id, turn.now)
        await turn.tx.due_prompts.drop_pending_for_schedule(schedule.id)
        title = self._homework_title(schedule.flow_id)
        turn.say(note(ptexts.UNASSIGNED.format(number=number, title=title, alias=client.alias)))
        turn.tell(client, note(texts.UNASSIGNED.format(therapist=therapist.name, title=title)))
        log.info("therapist %s removed schedule %s", therapist.person_id, schedule.id)

    # --- sessions -----------------------------------------------------------------------------

    async def _session(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        words = args.split()
        zone = zone_or_utc(turn.person.timezone)
        if len(words) not in (3, 4) or (len(words) == 4 and words[3].lower() not in REPEAT_DAYS):
            turn.say(note(ptexts.SESSION_USAGE.format(zone=turn.person.timezone)))
            return
        client = await self._client(turn, therapist, words[0])
        if client is None:
            return
        try:
            day = date.fromisoformat(words[1])
            wall = parse_times(words[2])
        except ValueError as error:
            problem = (
                str(error) if "time" in str(error) else f"{words[1][:20]!r} is not a date like 2026-03-10"
            )
            turn.say(note(ptexts.SESSION_BAD.format(problem=problem, zone=turn.person.timezone)))
            return
        if len(wall) != 1:
            turn.say(note(ptexts.SESSION_USAGE.format(zone=turn.person.timezone)))
            return
        today = local_today(turn.now, zone)
        if not today - timedelta(days=1) <= day <= today + SESSION_HORIZON:
            problem = ptexts.SESSION_PAST if day < today else ptexts.SESSION_TOO_FAR
            turn.say(note(ptexts.SESSION_BAD.format(problem=problem, zone=turn.person.timezone)))
            return
        starts_at = local_instant(day, wall[0], zone)
        if starts_at <= turn.now:
            turn.say(note(ptexts.SESSION_BAD.format(problem=ptexts.SESSION_PAST, zone=turn.person.timezone)))
            return
        repeat = words[3].lower() if len(words) == 4 else "once"
        due = max(turn.now, starts_at - timedelta(minutes=therapist.lead_minutes))
        number = await turn.tx.sessions.add(client.id, therapist.person_id, starts_at, repeat, due, turn.now)
        digest = (
            ptexts.SESSION_DIGEST_NOW
            if due <= turn.now
            else ptexts.SESSION_DIGEST_AT.format(when=_when(due.astimezone(zone)))
        )
        turn.say(
            note(
                ptexts.SESSION_ADDED.format(
                    number=number,
                    alias=client.alias,
                    when=_when(starts_at.astimezone(zone)),
                    zone=turn.person.timezone,
                    repeat=ptexts.REPEATS[repeat],
                    digest=digest,
                )
            )
        )
        log.info("therapist %s added session %s", therapist.person_id, number)

    async def _sessions(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        sessions = [
            s for s in await turn.tx.sessions.upcoming(therapist.person_id, turn.now) if s.repeat != ON_DEMAND
        ]
        if not sessions:
            turn.say(note(ptexts.NO_SESSIONS))
            return
        aliases = {c.id: c.alias for c in await turn.tx.clients.of(therapist.person_id)}
        zone = zone_or_utc(turn.person.timezone)
        lines = [ptexts.SESSIONS_HEADER.format(zone=turn.person.timezone)]
        lines += [
            ptexts.SESSION_LINE.format(
                number=s.id,
                alias=aliases.get(s.client_id, "?"),
                when=_when(s.starts_at.astimezone(zone)),
                repeat=ptexts.REPEATS.get(s.repeat, ""),
            )
            for s in sessions
        ]
        turn.say(note("\n".join(lines)))

    async def _cancel_session(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        number = parse_button_number(args.removeprefix("#")) if args else None
        if number is None:
            turn.say(note(ptexts.CANCEL_USAGE))
            return
        session = await turn.tx.sessions.get_for(therapist.person_id, number)
        if (
            session is None
            or session.status == SessionStatus.CANCELLED
            or session.starts_at <= turn.now
            or session.repeat == ON_DEMAND
        ):
            turn.say(note(ptexts.NO_SUCH_SESSION.format(number=number)))
            return
        await turn.tx.sessions.cancel(session.id, turn.now)
        if session.repeat in REPEAT_DAYS:  # the series ends here, also where it was written ahead
            await turn.tx.sessions.cancel_following(session, turn.now)
        client = await turn.tx.clients.by_id(therapist.person_id, session.client_id)
        zone = zone_or_utc(turn.person.timezone)
        turn.say(
            note(
                ptexts.SESSION_CANCELLED.format(
                    number=number,
                    alias=client.alias if client else "?",
                    when=_when(session.starts_at.astimezone(zone)),
                    series=ptexts.SERIES_ENDS if session.repeat in REPEAT_DAYS else "",
                )
            )
        )
        log.info("therapist %s cancelled session %s", therapist.person_id, session.id)

    # --- digests ------------------------------------------------------------------------------

    async def _digest(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        if not args:
            turn.say(note(ptexts.DIGEST_USAGE))
            return
        client = await self._client(turn, therapist, args.split()[0])
        if client is None:
            return
        await turn.tx.sessions.add(client.id, therapist.person_id, turn.now, ON_DEMAND, turn.now, turn.now)
        chat = therapist.digest_chat_title or ptexts.PRIVATE_CHAT
        turn.say(note(ptexts.DIGEST_QUEUED.format(alias=client.alias, chat=chat)))
        log.info("therapist %s asked for a digest of person %s", therapist.person_id, client.id)

    async def _digest_chat(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        if args.lower() == "private":
            await turn.tx.therapists.set_digest_chat(therapist.person_id, None, None, None, turn.now)
            turn.say(note(ptexts.DIGEST_CHAT_PRIVATE))
            return
        code = new_code()
        await turn.tx.codes.add(
            CodePurpose.DIGEST_CHAT,
            code_hash(code),
            turn.now,
            turn.now + CHAT_LINK_VALID,
            therapist_id=therapist.person_id,
        )
        turn.say(note(ptexts.DIGEST_CHAT_CODE))
        turn.say(note(f"/link {code}"))

    async def _settings(self, turn: Turn, therapist: TherapistRow, args: str) -> None:
        words = args.split()
        if not words:
            chat = therapist.digest_chat_title or ptexts.PRIVATE_CHAT
            turn.say(
                note(
                    ptexts.SETTINGS.format(
                        minutes=therapist.lead_minutes, chat=chat, zone=turn.person.timezone
                    )
                )
            )
            return
        minutes = parse_button_number(words[1], low=1, high=MAX_LEAD_MINUTES) if len(words) == 2 else None
        if words[0].lower() != "lead" or minutes is None:
            turn.say(note(ptexts.LEAD_USAGE))
            return
        await turn.tx.therapists.set_lead(therapist.person_id, minutes, turn.now)
        for session in await turn.tx.sessions.upcoming(therapist.person_id, turn.now):
            if session.status == SessionStatus.SCHEDULED and session.repeat != ON_DEMAND:
                due = max(turn.now, session.starts_at - timedelta(minutes=minutes))
                await turn.tx.sessions.set_digest_due(session.id, due, turn.now)
        turn.say(note(ptexts.LEAD_SET.format(minutes=minutes)))
