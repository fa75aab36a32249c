"""The transport-neutral conversation service: one event in, state and replies out.

Every transport turns what someone did into one :data:`Event` and calls
:meth:`ConversationService.handle`. Its pipeline is short: read the words for risk language,
the per-person cap, then one transaction — skip a repeated update, ask a newcomer their
language (on a messenger that sends none: ``language``), admit a newcomer, the consent gate, and
route the event (a command or button through the router's tables, an answer to the open flow).
Replies go to the outbox in the same transaction; transports deliver them, deciding nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.chat import texts
from bot.chat.flow_runner import FlowRunner
from bot.chat.language import meet_newcomer, newcomer_admitted
from bot.chat.ports import Doorkeeper, Ledger, MessageCap, RiskGuard
from bot.chat.router import Audience, Context, Router
from bot.chat.turn import (
    BUTTON_DATA_SEPARATOR,
    REPLY_LEASE,
    ButtonPressed,
    CommandReceived,
    EditedText,
    Event,
    Handled,
    Recipient,
    RiskFinding,
    Sender,
    TextReceived,
    Turn,
    UnsupportedReceived,
    note,
    words_of,
)
from bot.core.clock import Clock
from bot.core.i18n import _, reading, supported
from bot.core.logs import describe_error
from bot.core.messages import Outgoing
from bot.core.statuses import PersonStatus
from flows import Text, Tick, decode_answer
from storage import Database, OpenConversation, PendingMessage, PersonRow, Role, Transaction

log = logging.getLogger(__name__)

RepeatWindow = Callable[[str], int]
"""For a transport: how far below the newest update id handled for a person an id is still a
repeat (each messenger numbers its updates its own way; 0: ids are never repeated)."""
AsksLanguage = Callable[[str], bool]
"""For a transport: whether it sends no language of its own, so a newcomer is asked theirs."""
TIMER_RETRY = timedelta(seconds=30)
"""A timer whose tick failed is tried again this much later (the others go on meanwhile)."""


class ConversationService:
    """Handles each person's events one at a time, durably; the features plug in by registration."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        router: Router,
        runner: FlowRunner,
        guard: RiskGuard,
        doorkeeper: Doorkeeper,
        cap: MessageCap,
        default_timezone: str,
        ledger: Ledger | None = None,
        repeat_window: RepeatWindow = lambda transport: 0,
        asks_language: AsksLanguage = lambda transport: False,
    ) -> None:
        self._repeat_window = repeat_window
        self._asks_language = asks_language
        self.router = router
        self.runner = runner
        self._guard = guard
        self._doorkeeper = doorkeeper
        self._cap = cap
        self._db = database
        self._ledger = ledger
        self._clock = clock
        self._default_timezone = default_timezone

    def commands(self, language: str | None = None) -> list[tuple[str, str]]:
        """Command names and descriptions for the transport's command menu (clients'), the
        descriptions in ``language`` (the names are the same words in every language)."""
        shown = [c for c in self.router.commands_for(Audience.CLIENTS) if c.description]
        with reading(language):
            return [(c.name, c.described()) for c in shown]

    def therapist_menu(self, language: str | None = None) -> list[tuple[str, str]]:
        """A therapist's command menu: their own commands and everyone's, described in
        ``language`` as a therapist reads it."""
        shown = [c for c in self.router.commands_for(Audience.THERAPISTS) if c.description]
        with reading(language, formal=True):
            return [(c.name, c.described()) for c in shown]

    async def therapist_menus(self, transport: str) -> list[tuple[str, list[tuple[str, str]]]]:
        """Each therapist's chat on ``transport`` with their menu (published at start-up)."""
        async with self._db.transaction() as tx:
            people = [await tx.people.get(t.person_id) for t in await tx.therapists.all()]
        return [
            (p.chat_id, self.therapist_menu(p.language)) for p in people if p and p.transport == transport
        ]

    def therapist_commands(self) -> list[str]:
        """The names of the commands only therapists have (``/invite``, ``/digest``…)."""
        everyone = {c.name for c in self.router.commands_for(Audience.CLIENTS)}
        return [c.name for c in self.router.commands_for(Audience.THERAPISTS) if c.name not in everyone]

    async def handle(self, sender: Sender, event: Event, update_id: int | None = None) -> Handled:
        now = self._clock()
        words = words_of(event)
        risk = self._guard.recognise(words) if words is not None else None
        verdict = self._cap.check(f"{sender.transport}:{sender.user_id}")
        if verdict != "ok" and risk is None:  # a flood: dropped, after one word (never a cry for help)
            return await self._over_cap(sender, event, verdict, now, update_id)
        async with self._db.transaction() as tx:
            if self._ledger is not None:
                await self._ledger.write(tx)  # deliveries confirmed since the last transaction
            person, conversation = await tx.people.find_with_conversation(sender.transport, sender.user_id)
            first: tuple[PendingMessage, ...] = ()
            if person is None and not sender.owner and self._asks_language(sender.transport):
                met = await meet_newcomer(tx, sender, event, now, risky=risk is not None)
                first = await _queue(tx, sender, met.replies, now) if met.replies else ()
                if met.event is None:
                    return Handled(replies=first)
                sender, event = met.sender, met.event
            with reading(person.language if person else sender.language, formal=_is_therapist(person)):
                arrival = (sender, event, update_id, now)
                handled = await self._in_transaction(tx, arrival, person, conversation, risk)
            return replace(handled, replies=first + handled.replies) if first else handled

    async def _in_transaction(
        self,
        tx: Transaction,
        arrival: tuple[Sender, Event, int | None, datetime],
        person: PersonRow | None,
        conversation: OpenConversation | None,
        risk: RiskFinding | None,
    ) -> Handled:
        """The turn, read in the person's language (someone new: their messenger's)."""
        sender, event, update_id, now = arrival
        if person and update_id is not None and self._seen(sender, update_id, person, conversation):
            log.info("update %s already handled for person %s; skipped", update_id, person.id)
            return Handled(duplicate=True)
        if person is None and not sender.owner:
            admission = await self._doorkeeper.admit(tx, sender, event, now, self._crisis_for_stranger)
            if not admission.enter:  # nothing about them is stored, only the replies
                queued = await _queue(tx, sender, admission.replies, now)
                return Handled(notice=admission.notice, replies=queued)
        person = await self._person(tx, sender, person, now, update_id)
        turn = Turn(tx, sender, person, now, update_id)
        if person.role != Role.THERAPIST:  # therapists write clinically
            turn.risk = risk
        menu_before = (person.role, person.language)
        notice = await self._admitted(turn, conversation, event)
        replies = await turn.queue_replies()
        if update_id is not None and not turn.update_recorded:
            await tx.people.record_update(person.id, update_id)
        menu = None
        if _is_therapist(person) and (person.role, person.language) != menu_before:
            menu = tuple(self.therapist_menu(person.language))
        return Handled(notice=notice, replies=replies, others=bool(turn.told), menu=menu)

    def _seen(
        self, sender: Sender, update_id: int, person: PersonRow, conversation: OpenConversation | None
    ) -> bool:
        """Update ids grow; one at or just below the newest handled for this person is a repeat."""
        marks = [person.last_update_id, conversation.last_update_id if conversation else None]
        newest = max((m for m in marks if m is not None), default=None)
        window = self._repeat_window(sender.transport)
        return newest is not None and newest - window < update_id <= newest

    async def _over_cap(
        self, sender: Sender, event: Event, verdict: str, now: datetime, update_id: int | None
    ) -> Handled:
        """The one kind word over the cap, in the person's own language (their stored choice;
        someone new: their messenger's); nothing read or written when there is nothing to say."""
        log.warning("sender over the message cap; update %s dropped", update_id)
        if verdict == "drop" and not isinstance(event, ButtonPressed):
            return Handled()
        async with self._db.transaction() as tx:
            person = await tx.people.find(sender.transport, sender.user_id)
            with reading(person.language if person else sender.language, formal=_is_therapist(person)):
                if verdict == "drop":
                    return Handled(notice=_(texts.SLOW_DOWN))
                return Handled(replies=await _queue(tx, sender, [note(_(texts.SLOW_DOWN))], now))

    async def _person(
        self, tx: Transaction, sender: Sender, person: PersonRow | None, now: datetime, update_id: int | None
    ) -> PersonRow:
        """The sender's row: made now (they were just admitted), moved to a new chat, or reachable
        again (they wrote to us)."""
        if person is None:
            zone, language = self._default_timezone, supported(sender.language)
            if self._asks_language(sender.transport):
                await newcomer_admitted(tx, sender)
            return await tx.people.create(
                sender.transport, sender.user_id, sender.chat_id, zone, now, update_id, language
            )
        if person.chat_id != sender.chat_id:
            await tx.people.move_chat(person, sender.chat_id, now)
        if person.status == PersonStatus.UNREACHABLE:
            await tx.people.mark_reachable(person, now)
        return person

    async def _admitted(self, turn: Turn, conversation: OpenConversation | None, event: Event) -> str | None:
        """The consent gate, then the event's route."""
        if (
            not turn.sender.owner
            and self._doorkeeper.needs_consent(turn.person)
            and turn.risk is None
            and not self._passes_consent_gate(event)
        ):
            go_on, notice = await self._doorkeeper.consent_gate(turn, event)
            if not go_on:
                return notice
        return await self._route(turn, conversation, event)

    def _passes_consent_gate(self, event: Event) -> bool:
        match event:
            case ButtonPressed(data):
                return self.router.passes_consent_gate(button=data)
            case CommandReceived(name):
                return self.router.passes_consent_gate(command=name.lower())
        return False

    async def link_chat(
        self, chat: Recipient, title: str, user_id: str | None, code: str, public: bool = False
    ) -> Handled:
        """``/link <code>`` posted in a group or channel: it becomes a therapist's digest chat."""
        now = self._clock()
        async with self._db.transaction() as tx:
            if self._ledger is not None:
                await self._ledger.write(tx)
            messages, _linked = await self._doorkeeper.link_chat(tx, now, code, chat, title, user_id, public)
            for recipient, message in messages:
                await tx.outbox.put_many(
                    recipient.transport,
                    recipient.chat_id,
                    [message.to_json()],
                    now,
                    person_id=recipient.person_id,
                )
        return Handled(others=bool(messages))

    # --- routing ------------------------------------------------------------------------------

    async def _route(self, turn: Turn, current: OpenConversation | None, event: Event) -> str | None:
        match event:
            case CommandReceived(name, args):
                await self._on_command(turn, current, name.lower(), args)
            case TextReceived(text):
                await self._on_text(turn, current, text)
            case EditedText(text):
                if turn.risk is not None:
                    await self._on_risk(turn, current, "edit", text)
            case ButtonPressed(data, message_id):
                return await self._on_button(turn, current, data, message_id)
            case UnsupportedReceived(kind, caption):
                log.info("person %s sent unsupported %s", turn.person.id, kind)
                if turn.risk is not None:
                    await self._on_risk(turn, current, "caption", caption or "")
                else:
                    turn.say(note(_(texts.MEDIA_NOT_READ)))
        return None

    async def _on_command(self, turn: Turn, current: OpenConversation | None, name: str, args: str) -> None:
        known = self.router.knows(name) or self.runner.flow_for_command(name) is not None
        log.info("person %s command /%s", turn.person.id, name if known else "(unknown)")
        if turn.risk is not None:
            await self._on_risk(turn, current, "note" if name == "note" else "command", args)
            if name != "note":  # a note is still kept for the session; anything else waits
                return
        command = self.router.find_command(name, therapist=turn.person.role == Role.THERAPIST)
        if command is None:
            turn.say(note(_(texts.UNKNOWN_COMMAND)))
            return
        await command.handle(Context(turn, current, self.runner, args=args))

    async def _on_text(self, turn: Turn, current: OpenConversation | None, text: str) -> None:
        if current is not None and current.paused_at is None:
            where = f"{current.flow_id}.{current.step_id}"
            await self.runner.answer(turn, current, Text(text))  # what they wrote is kept…
            if turn.risk is not None:  # …and the flow waits behind the crisis message
                await self._on_risk(turn, None, where, text, answered=True)
        elif turn.risk is not None:
            await self._on_risk(turn, current, "message", text)
        elif current is not None:
            await self._guard.remind_paused(turn)
        else:
            turn.say(note(_(texts.IDLE_TEXT)))

    async def _on_button(
        self, turn: Turn, current: OpenConversation | None, data: str, message_id: str | None
    ) -> str | None:
        route = self.router.find_button(data)
        if route is not None:
            return await route.handle(Context(turn, current, self.runner, data=data, message_id=message_id))
        token, _sep, value = data.partition(BUTTON_DATA_SEPARATOR)  # an answer to the open question
        answer = decode_answer(value)
        if current is None or answer is None or token != current.prompt_token:
            log.info("person %s pressed an expired or unknown button", turn.person.id)
            return _(texts.BUTTON_EXPIRED)
        if current.paused_at is not None:  # waiting behind a crisis message
            await self._guard.remind_paused(turn)
            return None
        await self.runner.answer(turn, current, answer)
        return None

    def _crisis_for_stranger(self, text: str) -> Outgoing | None:
        return self._guard.stranger_message(text) if self._guard.recognise(text) is not None else None

    async def _on_risk(
        self, turn: Turn, current: OpenConversation | None, where: str, text: str, *, answered: bool = False
    ) -> None:
        """Risk language: an open flow pauses (with what they wrote kept), then the crisis
        message, the alert and the event."""
        risk: RiskFinding | None = turn.risk
        assert risk is not None
        if answered or (current is not None and current.paused_at is None):
            await self.runner.pause(turn, current, where)
        await self._guard.respond(turn, risk, where, text)

    # --- live timers ----------------------------------------------------------------------------

    async def tick_timers(self, limit: int = 500) -> list[PendingMessage]:
        """Move every live message whose time has come one frame on (or end its timer).

        Each conversation is one short transaction, like an answer: read, advance, write, queue.
        The replies are due at once; the caller wakes the courier (or delivers them).
        """
        now = self._clock()
        async with self._db.transaction() as tx:
            if self._ledger is not None:
                await self._ledger.write(tx)  # shown message ids: the frames edit those
            due = await tx.conversations.due_to_wake(now, limit)
        queued: list[PendingMessage] = []
        for person_id in due:
            try:
                queued += await self._tick_one(person_id, now)
            except Exception as error:  # one broken conversation must not stop every timer
                log.error("timer of person %s failed: %s; retrying later", person_id, describe_error(error))
                async with self._db.transaction() as tx:
                    await tx.conversations.snooze_wake(person_id, now + TIMER_RETRY)
        return queued

    async def _tick_one(self, person_id: int, now: datetime) -> list[PendingMessage]:
        async with self._db.transaction() as tx:
            person, conversation = await tx.people.get_with_conversation(person_id, skip_locked=True)
            if person is None or conversation is None:
                return []  # gone, or another turn (process) has the person now: its frame
            if conversation.wake_at is None or conversation.wake_at > now:
                return []  # an answer moved it meanwhile
            sender = Sender(person.transport, person.external_user_id, person.chat_id)
            turn = Turn(tx, sender, person, now, None)
            with reading(person.language):
                await self.runner.answer(turn, conversation, Tick())
            if person.status == PersonStatus.UNREACHABLE:  # the clock runs on; nothing is sent
                turn.replies.clear()
            return list(await turn.queue_replies(lease=timedelta(0)))


async def _queue(
    tx: Transaction, sender: Sender, replies: list[Outgoing], now: datetime
) -> tuple[PendingMessage, ...]:
    """Replies to someone with no row (a stranger, a flood): queued, leased to this handler."""
    queued = await tx.outbox.put_many(
        sender.transport, sender.chat_id, [reply.to_json() for reply in replies], now, lease=REPLY_LEASE
    )
    return tuple(queued)


def _is_therapist(person: PersonRow | None) -> bool:
    """Whether the sender is a therapist: read formally (German "Sie")."""
    return person is not None and person.role == Role.THERAPIST
