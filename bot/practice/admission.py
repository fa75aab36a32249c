"""Who gets in, and after reading what: registration and invitation codes, consent first.

Nothing about a person is stored before they agree: an invitation's code rides on the consent
button; only that tap (or a therapist's registration code) makes a row. A group or channel
becomes a therapist's digest chat with a one-time ``/link`` code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.chat import texts
from bot.chat.ports import Admission
from bot.chat.turn import ButtonPressed, CommandReceived, Event, Recipient, Sender, Turn, note, words_of
from bot.core.codes import (
    REGISTRATION_VALID,
    AttemptLimiter,
    code_hash,
    looks_like_code,
    new_code,
)
from bot.core.i18n import SOURCE_LANGUAGE, _, current, reading
from bot.core.messages import Button, Outgoing, Purpose, choice_question
from bot.practice import texts as ptexts
from bot.practice.therapist import DEFAULT_LEAD_MINUTES, free_alias, help_text
from flows import FLOWS, Flow
from storage import (
    CodePurpose,
    CodeRow,
    Database,
    PersonRow,
    Role,
    TherapistRow,
    Transaction,
)

log = logging.getLogger(__name__)

JOIN_DATA_PREFIX = "j:"
JOIN_AGAIN = "j:again"
"""'I agree' when the consent text is asked again (no code)."""
DECLINE = "-"


def consent_text(privacy: str) -> str:
    """The consent text for one messenger (``privacy``: its own paragraph), before the
    therapist's name is filled in."""
    return _(texts.CONSENT).replace("{privacy}", _(privacy))


def consent_version(privacy: str) -> str:
    """A short fingerprint of the consent text as read now: a changed text is a new version, and
    so is the text in another language (agreeing in English is not having read the German)."""
    fingerprint = code_hash(consent_text(privacy))[:12]
    language = current()
    return fingerprint if language == SOURCE_LANGUAGE else f"{language}-{fingerprint}"


def consent_message(therapist: str | None, code: str | None, privacy: str) -> Outgoing:
    """The consent text with 'I agree' / 'Not now'. An invitation's code rides on the button
    (nothing is stored before they agree); without one, it is asked again of a client."""
    agree = f"{JOIN_DATA_PREFIX}{code}" if code else JOIN_AGAIN
    buttons = (
        (Button(_(texts.BUTTON_AGREE), agree),),
        (Button(_(texts.BUTTON_NOT_NOW), f"{JOIN_DATA_PREFIX}{DECLINE}"),),
    )
    text = consent_text(privacy).format(therapist=therapist or _(texts.NO_THERAPIST_YET))
    return choice_question(text, buttons)


def _closed(message_id: str | None, status: str | None) -> list[Outgoing]:
    """The consent message loses its buttons (and says what was chosen)."""
    if message_id is None:
        return []
    text = f"{_(texts.CONSENT).split(chr(10))[0]}\n\n{status}" if status is not None else None
    return [Outgoing(text=text, purpose=Purpose.CLOSE_PROMPT, edit_of=message_id)]


class Admissions:
    """The practice's door: codes, consent and digest-chat links (the chat's ``Doorkeeper``)."""

    def __init__(
        self,
        database: Database,
        *,
        flows: Sequence[Flow] = FLOWS,
        limiter: AttemptLimiter,
        privacy_note: Callable[[str], str] = lambda transport: "",
    ) -> None:
        self._privacy = privacy_note
        """A messenger's own paragraph of the consent text (what it keeps, whether it is encrypted)."""
        self._db = database
        self._flows = tuple(flows)
        self._limiter = limiter
        self._strangers_told: set[str] = set()

    def version_for(self, transport: str) -> str:
        """The consent version a client on ``transport`` agrees to (their messenger's text)."""
        return consent_version(self._privacy(transport))

    async def issue_registration(self, name: str, now: datetime) -> str:
        code = new_code()
        async with self._db.transaction() as tx:
            await tx.codes.add(
                CodePurpose.REGISTER, code_hash(code), now, now + REGISTRATION_VALID, name=name
            )
        return code

    async def _usable(self, turn: Turn, code: str) -> CodeRow | None:
        key = f"{turn.sender.transport}:{turn.sender.user_id}"
        if self._limiter.blocked(key):
            turn.say(note(_(texts.CODE_TOO_MANY)))
            return None
        row = await turn.tx.codes.find_usable(code_hash(code), turn.now)
        if row is None:
            self._limiter.failed(key)
            log.info("person %s used an unknown or expired code", turn.person.id)
            turn.say(note(_(texts.CODE_INVALID)))
        return row

    async def on_start_code(self, turn: Turn, code: str) -> None:
        row = await self._usable(turn, code)
        if row is None:
            return
        person = turn.person
        if row.purpose == CodePurpose.REGISTER:
            if turn.sender.owner:  # the terminal is one person's own practice chat: a client's
                turn.say(note(_(texts.REGISTER_NOT_IN_OWN_CHAT)))
                log.info("person %s (the machine's owner) used a registration code; kept a client", person.id)
            elif person.role == Role.THERAPIST:
                turn.say(note(_(ptexts.ALREADY_THERAPIST)))
            elif person.therapist_id is not None:
                turn.say(note(_(texts.REGISTER_NOT_FOR_CLIENTS)))
            elif await turn.tx.codes.use(row.id, person.id, turn.now):
                await turn.tx.therapists.register(person.id, row.name or "", DEFAULT_LEAD_MINUTES, turn.now)
                person.role = Role.THERAPIST
                await turn.tx.audit.record(turn.now, person.id, "therapist_registered", person.id)
                turn.say(note(_(ptexts.REGISTERED).format(name=row.name)))
                turn.say(note(await help_text(turn, self._flows)))
                log.info("person %s registered as a therapist", person.id)
            return
        if row.purpose == CodePurpose.DIGEST_CHAT:
            turn.say(note(_(texts.POST_CODE_IN_CHAT)))
            return
        therapist = await turn.tx.therapists.get(row.therapist_id or 0)
        if therapist is None:
            turn.say(note(_(texts.CODE_INVALID)))
        elif person.role == Role.THERAPIST:
            turn.say(note(_(texts.INVITE_FOR_CLIENTS)))
        elif person.therapist_id == therapist.person_id:
            turn.say(note(_(texts.ALREADY_CONNECTED).format(therapist=therapist.name)))
        elif person.therapist_id is not None:
            turn.say(note(_(texts.OTHER_THERAPIST)))
        else:
            turn.say(consent_message(therapist.name, code, self._privacy(turn.sender.transport)))

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
                    return Admission(replies=[note(_(texts.CODE_TOO_MANY))])
                row = await tx.codes.find_usable(code_hash(args.strip()), now)
                if row is None:
                    self._limiter.failed(key)
                    log.info("a stranger used an unknown or expired code")
                    return Admission(replies=[note(_(texts.CODE_INVALID))])
                if row.purpose == CodePurpose.REGISTER:
                    return Admission(enter=True)
                if row.purpose == CodePurpose.DIGEST_CHAT:
                    return Admission(replies=[note(_(texts.POST_CODE_IN_CHAT))])
                therapist = await tx.therapists.get(row.therapist_id or 0)
                if therapist is None:
                    return Admission(replies=[note(_(texts.CODE_INVALID))])
                return Admission(
                    replies=[consent_message(therapist.name, args.strip(), self._privacy(sender.transport))]
                )
            case ButtonPressed(data, message_id) if data.startswith(JOIN_DATA_PREFIX):
                code = data.removeprefix(JOIN_DATA_PREFIX)
                if code == DECLINE:
                    log.info("a stranger declined consent")
                    return Admission(replies=[*_closed(message_id, None), note(_(texts.CONSENT_DECLINED))])
                row = await tx.codes.find_usable(code_hash(code), now) if looks_like_code(code) else None
                if row is None or row.purpose != CodePurpose.INVITE:
                    return Admission(replies=[*_closed(message_id, None), note(_(texts.CODE_INVALID))])
                return Admission(enter=True)
            case ButtonPressed():
                return Admission(notice=_(texts.BUTTON_EXPIRED))
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
        return Admission(replies=[note(_(texts.STRANGER))])

    def needs_consent(self, person: PersonRow) -> bool:
        """A client who has not agreed to the current consent text (therapists are staff; the
        machine's owner is never asked: see ``Sender.owner``)."""
        return person.role != Role.THERAPIST and person.consent_version != self.version_for(person.transport)

    async def consent_gate(self, turn: Turn, event: Event) -> tuple[bool, str | None]:
        """Before anything else, a client whose consent is missing or out of date reads it (again).
        Returns whether the event may go on, and a notice for a button."""
        match event:
            case CommandReceived("start", args) if looks_like_code(args):
                return True, None
            case ButtonPressed(data, message_id) if data == JOIN_AGAIN:
                version = self.version_for(turn.person.transport)
                await turn.tx.clients.record_consent(turn.person.id, version, turn.now)
                turn.person.consent_version = version
                for closing in _closed(message_id, _(texts.CONSENT_AGREED)):
                    turn.say(closing)
                turn.say(note(_(texts.CONSENT_THANKS)))
                log.info("person %s agreed to the current consent", turn.person.id)
                return False, None
            case ButtonPressed(data, message_id) if data == f"{JOIN_DATA_PREFIX}{DECLINE}":
                for closing in _closed(message_id, None):
                    turn.say(closing)
                turn.say(note(_(texts.CONSENT_DECLINED_EXISTING)))
                return False, None
            case ButtonPressed(data) if data.startswith(JOIN_DATA_PREFIX):
                return True, None  # an invitation's 'I agree': it records consent as it links
            case ButtonPressed():
                return False, _(texts.BUTTON_EXPIRED)
        therapist = await turn.tx.therapists.get(turn.person.therapist_id or 0)
        turn.say(
            consent_message(therapist.name if therapist else None, None, self._privacy(turn.sender.transport))
        )
        return False, None

    async def on_join_button(self, turn: Turn, data: str, message_id: str | None) -> str | None:
        """'I agree' / 'Not now' under the consent text."""
        code = data.removeprefix(JOIN_DATA_PREFIX)
        if code == DECLINE:
            self._close(turn, message_id, None)
            turn.say(note(_(texts.CONSENT_DECLINED)))
            log.info("person %s declined consent", turn.person.id)
            return None
        if data == JOIN_AGAIN:
            return _(texts.BUTTON_EXPIRED)  # (agreed already)
        if not looks_like_code(code):
            return _(texts.BUTTON_EXPIRED)
        row = await turn.tx.codes.find_usable(code_hash(code), turn.now)
        therapist = await turn.tx.therapists.get(row.therapist_id or 0) if row else None
        person = turn.person
        if row is None or therapist is None or row.purpose != CodePurpose.INVITE:
            self._close(turn, message_id, None)
            turn.say(note(_(texts.CODE_INVALID)))
            return None
        if person.role == Role.THERAPIST or person.therapist_id is not None:
            return _(texts.BUTTON_EXPIRED)
        alias = row.alias or await free_alias(turn, therapist.person_id)
        if await turn.tx.clients.by_alias(therapist.person_id, alias) is not None:
            alias = await free_alias(turn, therapist.person_id, alias)  # taken meanwhile
        if not await turn.tx.codes.use(row.id, person.id, turn.now):
            return _(texts.BUTTON_EXPIRED)
        await turn.tx.clients.link(person.id, therapist.person_id, alias, turn.now)
        await turn.tx.clients.record_consent(person.id, self.version_for(person.transport), turn.now)
        person.therapist_id, person.alias = therapist.person_id, alias
        self._close(turn, message_id, _(texts.CONSENT_AGREED))
        turn.say(note(_(texts.JOINED).format(therapist=therapist.name)))
        turn.say(note(_(texts.WELCOME)))
        therapist_person = await turn.tx.people.get(therapist.person_id)
        if therapist_person is not None:
            with reading(therapist_person.language, formal=True):  # the therapist's, not the client's
                turn.tell(therapist_person, note(_(ptexts.CLIENT_JOINED).format(alias=alias)))
        log.info("person %s joined therapist %s", person.id, therapist.person_id)
        return None

    def _close(self, turn: Turn, message_id: str | None, status: str | None) -> None:
        for closing in _closed(message_id, status):
            turn.say(closing)

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
            return [(chat, note(_(ptexts.DIGEST_CHAT_PUBLIC)))], False
        row = await turn_tx.codes.find_usable(code_hash(code), now)
        if row is None or row.purpose != CodePurpose.DIGEST_CHAT or row.therapist_id is None:
            self._limiter.failed(key)
            return [(chat, note(_(texts.CODE_INVALID)))], False
        therapist_person: PersonRow | None = await turn_tx.people.get(row.therapist_id)
        therapist = await turn_tx.therapists.get(row.therapist_id)
        if therapist_person is None or therapist is None:
            return [(chat, note(_(texts.CODE_INVALID)))], False
        with reading(therapist_person.language, formal=True):  # (the code's therapist: in their language)
            return await self._linked(turn_tx, now, row, therapist_person, therapist, chat, title, user_id)

    async def _linked(
        self,
        turn_tx: Any,
        now: datetime,
        row: CodeRow,
        therapist_person: PersonRow,
        therapist: TherapistRow,
        chat: Recipient,
        title: str,
        user_id: str | None,
    ) -> tuple[list[tuple[Recipient, Outgoing]], bool]:
        """The code is good: its therapist posted it (in a group), so the chat is theirs now."""
        if user_id is not None and user_id != therapist_person.external_user_id:
            return [(chat, note(_(ptexts.DIGEST_CHAT_WRONG_PERSON)))], False
        if not await turn_tx.codes.use(row.id, therapist_person.id, now):
            return [(chat, note(_(texts.CODE_INVALID)))], False
        await turn_tx.therapists.set_digest_chat(
            therapist.person_id, chat.transport, chat.chat_id, title, now
        )
        log.info(
            "therapist %s linked a %s as digest chat", therapist.person_id, "group" if user_id else "channel"
        )
        own = Recipient(therapist_person.transport, therapist_person.chat_id, therapist_person.id)
        return [
            (chat, note(_(ptexts.DIGEST_CHAT_LINKED).format(name=therapist.name))),
            (own, note(_(ptexts.DIGEST_CHAT_LINKED_PRIVATE).format(title=title))),
        ], True
