"""The transport-neutral conversation service: one event in, state and replies out.

Every transport turns what the client did into one :data:`Event` and calls
:meth:`ConversationService.handle`. Inside one transaction it records the update id (so a repeated
delivery is a no-op), advances the client's flow through the pure engine, stores the answers and
puts the replies in the outbox. Transports then deliver the outbox; they never decide anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.chat import journal, privacy, texts
from bot.chat.turn import (
    BUTTON_DATA_SEPARATOR,
    REPLY_LEASE,
    ButtonPressed,
    CommandReceived,
    EditedText,
    Event,
    Handled,
    Recipient,
    Sender,
    TextReceived,
    Turn,
    UnsupportedReceived,
    live_key,
    new_prompt_token,
    note,
    prompt_message,
    words_of,
)
from bot.core.clock import Clock
from bot.core.codes import AttemptLimiter
from bot.core.local_time import describe_weekdays, next_occurrence
from bot.core.logs import describe_error
from bot.core.messages import Button, Outgoing, Purpose, parse_button_number
from bot.core.timezones import describe_zone, find_zones, zone_from_name, zone_or_utc
from bot.delivery.courier import DeliveryLedger
from bot.practice.service import CONFIDENCE_DATA_PREFIX, JOIN_DATA_PREFIX, THERAPIST_COMMANDS, Practice
from bot.runtime.settings import Settings
from bot.safety.limits import MessageCap
from bot.safety.response import SAFETY_PREFIXES, Safety, SafetySettings
from bot.scheduling.scheduler import (
    PROMPT_DATA_PREFIX,
    Action,
    parse_prompt_data,
    plan_of,
    snooze_until,
)
from flows import (
    FLOWS,
    SIDE_FLOWS,
    Answer,
    AnswerKind,
    Ask,
    Back,
    Finished,
    Flow,
    FlowState,
    Prompt,
    Skip,
    Text,
    Tick,
    advance,
    decode_answer,
    render_step,
    start,
    timer_ending,
    timer_wake_at,
)
from flows.assign import ASSIGN
from flows.skip_reason import SKIP_REASON
from flows.texts import SELECTED_MARK
from storage import (
    Database,
    DuePromptRow,
    EntryRow,
    EntryStatus,
    OpenConversation,
    PendingMessage,
    PersonRow,
    PromptStatus,
    Role,
)

log = logging.getLogger(__name__)

ZONE_DATA_PREFIX = "tz:"
DRAFT_DATA_PREFIX = "d:"
KNOWN_COMMANDS = frozenset(
    {
        "start",
        "help",
        "cancel",
        "skip",
        "back",
        "schedule",
        "timezone",
        "history",
        "note",
        "link",
        "export",
        "delete",
    }
)


DRAFTS_KEPT = timedelta(days=14)
"""A draft older than this is not offered again (it stays in the journal)."""


class ConversationService:
    """Advances each client's open flow, one event at a time, durably."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        default_timezone: str,
        flows: Sequence[Flow] = FLOWS,
        new_token: Callable[[], str] = new_prompt_token,
        ledger: DeliveryLedger | None = None,
        bot_username: Callable[[], str | None] = lambda: None,
        safety: SafetySettings | None = None,
        messages_per_minute: int = 30,
    ) -> None:
        self._cap = MessageCap(clock, messages_per_minute)
        self.safety = Safety(database, safety or SafetySettings.from_settings(Settings()))
        self.practice = Practice(
            database, flows=flows, limiter=AttemptLimiter(clock), bot_username=lambda: self.bot_username()
        )
        self.bot_username = bot_username
        """The transport's name for the bot, for invitation links (known once it has started)."""
        self._db = database
        self._ledger = ledger
        self._clock = clock
        self._default_timezone = default_timezone
        self._flows = tuple(flows)
        self._new_token = new_token

    def flow(self, flow_id: str) -> Flow | None:
        return next((f for f in (*self._flows, *SIDE_FLOWS, ASSIGN) if f.id == flow_id), None)

    def flow_for_command(self, command: str) -> Flow | None:
        return next((f for f in self._flows if f.command == command), None)

    def help_text(self) -> str:
        lines = [texts.HELP_HEADER]
        lines += [
            texts.HELP_FLOW_LINE.format(command=f.command, description=f.description) for f in self._flows
        ]
        return "\n".join(lines) + "\n" + texts.HELP_FOOTER

    def commands(self) -> list[tuple[str, str]]:
        """Command names and descriptions for the transport's command menu."""
        flows = [(f.command, f.description.capitalize()) for f in self._flows]
        fixed = texts.COMMAND_NAMES
        return [("start", fixed["start"]), *flows] + [
            (name, fixed[name])
            for name in (
                "history",
                "schedule",
                "note",
                "timezone",
                "cancel",
                "skip",
                "back",
                "export",
                "delete",
                "help",
            )
        ]

    async def handle(self, sender: Sender, event: Event, update_id: int | None = None) -> Handled:
        now = self._clock()
        words = words_of(event)
        risk = self.safety.recognise(words) if words is not None else None
        risky = risk is not None
        verdict = self._cap.check(f"{sender.transport}:{sender.user_id}")
        if verdict != "ok" and not risky:  # a flood: dropped, after one word (never a cry for help)
            log.warning("sender over the message cap; update %s dropped", update_id)
            if verdict == "drop":
                return Handled(notice=texts.SLOW_DOWN if isinstance(event, ButtonPressed) else None)
            async with self._db.transaction() as tx:
                queued = await tx.outbox.put_many(
                    sender.transport,
                    sender.chat_id,
                    [note(texts.SLOW_DOWN).to_json()],
                    now,
                    lease=REPLY_LEASE,
                )
            return Handled(replies=tuple(queued))
        async with self._db.transaction() as tx:
            if self._ledger is not None:
                await self._ledger.write(tx)  # deliveries confirmed since the last transaction
            person, conversation = await tx.people.find_with_conversation(sender.transport, sender.user_id)
            if update_id is not None and person is not None and _seen(update_id, person, conversation):
                log.info("update %s already handled for person %s; skipped", update_id, person.id)
                return Handled(duplicate=True)
            if person is None and sender.transport != "terminal":
                admission = await self.practice.admit(tx, sender, event, now, self._crisis_for_stranger)
                if not admission.enter:  # nothing about them is stored, only the replies
                    queued = await tx.outbox.put_many(
                        sender.transport,
                        sender.chat_id,
                        [reply.to_json() for reply in admission.replies],
                        now,
                        lease=REPLY_LEASE,
                    )
                    return Handled(notice=admission.notice, replies=tuple(queued))
            if person is None:
                person = await tx.people.create(
                    sender.transport, sender.user_id, sender.chat_id, self._default_timezone, now, update_id
                )
            elif person.chat_id != sender.chat_id:
                await tx.people.move_chat(person, sender.chat_id, now)
            if person.status == "unreachable":  # they wrote to us: we can reach them again
                await tx.people.mark_reachable(person, now)
            turn = Turn(tx, sender, person, now, update_id)
            if person.role != Role.THERAPIST:  # therapists write clinically
                turn.risk = risk
            go_on, notice = True, None
            if self.practice.needs_consent(person) and turn.risk is None and not _passes_consent_gate(event):
                go_on, notice = await self.practice.consent_gate(turn, event)
            if go_on:
                notice = await self._dispatch(turn, conversation, event)
            replies = await turn.queue_replies()
            if update_id is not None and not turn.update_recorded:
                await tx.people.record_update(person.id, update_id)
        return Handled(notice=notice, replies=replies, others=bool(turn.told))

    async def link_chat(
        self, chat: Recipient, title: str, user_id: str | None, code: str, public: bool = False
    ) -> Handled:
        """``/link <code>`` posted in a group or channel: it becomes a therapist's digest chat."""
        now = self._clock()
        async with self._db.transaction() as tx:
            if self._ledger is not None:
                await self._ledger.write(tx)
            messages, _ = await self.practice.link_chat(tx, now, code, chat, title, user_id, public)
            for recipient, message in messages:
                await tx.outbox.put_many(
                    recipient.transport,
                    recipient.chat_id,
                    [message.to_json()],
                    now,
                    person_id=recipient.person_id,
                )
        return Handled(others=bool(messages))

    async def _dispatch(self, turn: Turn, current: OpenConversation | None, event: Event) -> str | None:
        match event:
            case CommandReceived(name, args):
                await self._on_command(turn, current, name.lower(), args)
            case TextReceived(text):
                if current is None or current.paused_at is not None:
                    if turn.risk is not None:
                        await self._on_risk(turn, current, "message", text)
                    elif current is not None:
                        await self.safety.remind_paused(turn)
                    else:
                        turn.say(note(texts.IDLE_TEXT))
                else:
                    where = f"{current.flow_id}.{current.step_id}"
                    await self._on_answer(turn, current, Text(text))  # what they wrote is kept…
                    if turn.risk is not None:  # …and the flow waits behind the crisis message
                        await self._on_risk(turn, None, where, text, answered=True)
            case EditedText(text):
                if turn.risk is not None:
                    await self._on_risk(turn, current, "edit", text)
            case ButtonPressed(data, message_id) if data.startswith(SAFETY_PREFIXES):
                outcome = await self.safety.on_button(turn, data, message_id)
                if outcome.carry_on and current is not None and current.paused_at is not None:
                    await self._unpause(turn, current)
                return outcome.notice
            case ButtonPressed(data) if data.startswith(PROMPT_DATA_PREFIX):
                return await self._on_prompt_action(turn, current, data)
            case ButtonPressed(data) if data.startswith(DRAFT_DATA_PREFIX):
                return await self._on_draft_choice(turn, current, data)
            case ButtonPressed(data) if data.startswith(journal.DATA_PREFIX):
                return await self._on_journal_button(turn, data)
            case ButtonPressed(data) if data.startswith(ZONE_DATA_PREFIX):
                return await self._on_zone_choice(turn, data.removeprefix(ZONE_DATA_PREFIX))
            case ButtonPressed(data, message_id) if data.startswith(privacy.DELETE_DATA_PREFIX):
                return await privacy.on_delete_button(turn, data, message_id)
            case ButtonPressed(data, message_id) if data.startswith(JOIN_DATA_PREFIX):
                return await self.practice.on_join_button(turn, data, message_id)
            case ButtonPressed(data, message_id) if data.startswith(CONFIDENCE_DATA_PREFIX):
                return await self.practice.on_confidence(turn, data, message_id)
            case ButtonPressed(data):
                token, _, value = data.partition(BUTTON_DATA_SEPARATOR)
                answer = decode_answer(value)
                if current is None or answer is None or token != current.prompt_token:
                    log.info("person %s pressed an expired or unknown button", turn.person.id)
                    return texts.BUTTON_EXPIRED
                if current.paused_at is not None:  # waiting behind a crisis message
                    await self.safety.remind_paused(turn)
                    return None
                await self._on_answer(turn, current, answer)
            case UnsupportedReceived(kind, caption):
                log.info("person %s sent unsupported %s", turn.person.id, kind)
                if turn.risk is not None:
                    await self._on_risk(turn, current, "caption", caption or "")
                else:
                    turn.say(note(texts.MEDIA_NOT_READ))
        return None

    def _crisis_for_stranger(self, text: str) -> Outgoing | None:
        return self.safety.stranger_message() if self.safety.recognise(text) is not None else None

    async def _on_risk(
        self, turn: Turn, current: OpenConversation | None, where: str, text: str, *, answered: bool = False
    ) -> None:
        """Risk language: an open flow pauses (with what they wrote kept), then the crisis
        message, the alert and the event."""
        assert turn.risk is not None
        if answered or (current is not None and current.paused_at is None):
            await self._pause(turn, current, where)
        await self.safety.respond(turn, turn.risk, where, text)

    async def _pause(self, turn: Turn, current: OpenConversation | None, where: str) -> None:
        """The flow waits. After an answer, only the echo of it stays among the replies (the next
        question comes when they carry on); otherwise the open question loses its buttons."""
        if current is None:
            turn.replies[:] = [r for r in turn.replies if r.purpose is Purpose.CLOSE_PROMPT]
        elif (flow := self.flow(current.flow_id)) is not None:
            await self._close_prompt(turn, current, flow, accepted=None)
        _, conversation = await turn.tx.people.get_with_conversation(turn.person.id)
        if conversation is not None:
            conversation.paused_at = turn.now
            conversation.wake_at = None  # a timer's live message waits too
            conversation.prompt_message_id = None
            await turn.save(conversation)
        log.info("person %s: flow paused at %s", turn.person.id, where)

    async def _unpause(self, turn: Turn, current: OpenConversation) -> None:
        _, conversation = await turn.tx.people.get_with_conversation(turn.person.id)
        flow = self.flow(conversation.flow_id) if conversation else None
        if conversation is None or flow is None:
            return
        conversation.paused_at = None
        state = FlowState(
            flow_id=conversation.flow_id,
            step_id=conversation.step_id,
            answers=conversation.answers,
            selection=tuple(conversation.selection),
            history=tuple(conversation.history),
        )
        conversation.wake_at = _wake_at(flow, state, turn.now)
        await self._reshow(turn, conversation, flow, texts.CARRY_ON)

    async def _on_command(self, turn: Turn, current: OpenConversation | None, name: str, args: str) -> None:
        known = (
            name in KNOWN_COMMANDS or name in THERAPIST_COMMANDS or self.flow_for_command(name) is not None
        )
        log.info("person %s command /%s", turn.person.id, name if known else "(unknown)")
        if turn.risk is not None:
            await self._on_risk(turn, current, "note" if name == "note" else "command", args)
            if name != "note":  # a note is still kept for the session; anything else waits
                return
        open_flow = self.flow(current.flow_id) if current else None
        therapist = turn.person.role == Role.THERAPIST
        if name == "start" and self.practice.is_code(args):
            await self.practice.on_start_code(turn, args.strip())
        elif name in THERAPIST_COMMANDS and therapist:
            if name == "assign" and not args.strip() and current and open_flow:
                await self._reshow(turn, current, open_flow, texts.ALREADY_OPEN.format(title=open_flow.title))
            else:
                await self.practice.on_command(turn, name, args, self._start_flow_with)
        elif name == "help" and therapist:
            turn.say(note(await self.practice.help_text(turn)))
            if current and open_flow:
                await self._reshow(turn, current, open_flow, texts.STILL_OPEN.format(title=open_flow.title))
        elif name == "note":
            await self.practice.on_note(turn, args)
        elif name == "export":
            await privacy.on_export(turn)
        elif name == "delete":
            privacy.on_delete(turn)
        elif name == "start":
            if current and open_flow:
                await self._reshow(turn, current, open_flow, texts.STILL_OPEN.format(title=open_flow.title))
            else:
                turn.say(note(texts.WELCOME))
                turn.say(note(self.help_text()))
        elif name == "help":
            turn.say(note(self.help_text()))
            if current and open_flow:
                await self._reshow(turn, current, open_flow, texts.STILL_OPEN.format(title=open_flow.title))
        elif name == "cancel":
            if current and open_flow:
                await self._cancel(turn, current, open_flow)
            else:
                turn.say(note(texts.NOTHING_OPEN))
        elif name in ("skip", "back") and current and current.paused_at is not None:
            await self.safety.remind_paused(turn)
        elif name in ("skip", "back"):
            if current:
                await self._on_answer(turn, current, Skip() if name == "skip" else Back())
            else:
                turn.say(note(texts.NOTHING_OPEN))
        elif name == "schedule":
            await self._show_schedule(turn)
        elif name == "history":
            await self._show_journal(turn, page=0)
        elif name == "timezone":
            await self._on_timezone(turn, args)
        elif (flow := self.flow_for_command(name)) is not None:
            if current and open_flow and not open_flow.records_entry:
                current = await self._yield_side_flow(turn, current)
                open_flow = None
            if current and open_flow:
                lead = (texts.STILL_OPEN if open_flow.id == flow.id else texts.ALREADY_OPEN).format(
                    title=open_flow.title
                )
                await self._reshow(turn, current, open_flow, lead)
            elif (draft := await self._resumable_draft(turn, flow)) is not None:
                self._offer_draft(turn, flow, draft)
            else:
                await self._start_flow(turn, flow)
        else:
            turn.say(note(texts.UNKNOWN_COMMAND))

    async def _start_flow_with(self, turn: Turn, flow: Flow, context: Mapping[str, Any]) -> None:
        await self._start_flow(turn, flow, context=context)

    async def _start_flow(
        self,
        turn: Turn,
        flow: Flow,
        due_prompt_id: int | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        ask = start(flow, context)
        token = self._new_token()
        entry_id = (
            await turn.tx.entries.start(turn.person.id, flow.id, turn.now) if flow.records_entry else None
        )
        conversation = await turn.begin(entry_id, flow.id, ask.state.step_id, token, due_prompt_id)
        if context:  # what the flow was started with (a therapist's clients) is part of its state
            conversation.answers = dict(ask.state.answers)
            await turn.save(conversation)
        if entry_id is not None and due_prompt_id is not None:
            await turn.tx.due_prompts.update(due_prompt_id, entry_id=entry_id)
        if flow.intro:
            turn.say(note(flow.intro))
        turn.say(prompt_message(ask.prompt, token))
        log.info("person %s started %s (entry %s)", turn.person.id, flow.id, entry_id)

    async def _close_prompt(
        self, turn: Turn, conversation: OpenConversation, flow: Flow, accepted: str | None
    ) -> None:
        """Take the buttons off the answered question, echoing the choice they made."""
        step = flow.step(conversation.step_id)
        if conversation.prompt_message_id is None or step is None:
            return
        shown = render_step(flow, step, tuple(conversation.selection), conversation.answers, turn.now)
        if not shown.rows:
            return
        coalesce_key = None
        if step.kind is AnswerKind.TIMER:  # a live message ends with how it ended, or as it was
            text = accepted
            coalesce_key = live_key(conversation.prompt_message_id)  # no frame may come after
        else:
            text = f"{shown.text}\n\n{SELECTED_MARK}{accepted}" if accepted else None
            after = conversation.history[-1] if text and conversation.history else None
            ending = timer_ending(flow, after, conversation.answers) if after else None
            if ending:  # the question after a timer keeps the line that ended it
                text = f"{ending}\n\n{text}"
        turn.say(
            Outgoing(
                text=text,
                purpose=Purpose.CLOSE_PROMPT,
                edit_of=conversation.prompt_message_id,
                coalesce_key=coalesce_key,
            )
        )

    async def _show_new_prompt(
        self, turn: Turn, conversation: OpenConversation, prompt: Prompt, lead: str | None = None
    ) -> None:
        token = self._new_token()
        conversation.prompt_token = token
        conversation.prompt_message_id = None
        await turn.save(conversation)
        turn.say(prompt_message(prompt, token, lead))

    async def _reshow(self, turn: Turn, current: OpenConversation, flow: Flow, lead: str) -> None:
        if current.paused_at is not None:  # waiting behind a crisis message: say so instead
            await self.safety.remind_paused(turn)
            return
        conversation = current
        step = flow.step(conversation.step_id)
        if step is None:
            return
        await self._close_prompt(turn, conversation, flow, accepted=None)
        prompt = render_step(flow, step, tuple(conversation.selection), conversation.answers, turn.now)
        await self._show_new_prompt(turn, conversation, prompt, lead)

    async def _cancel(self, turn: Turn, current: OpenConversation, flow: Flow) -> None:
        conversation = current
        await self._close_prompt(turn, conversation, flow, accepted=None)
        draft = {
            "step_id": conversation.step_id,
            "selection": conversation.selection,
            "history": conversation.history,
        }
        await self._end(turn, conversation, dict(conversation.answers), EntryStatus.CANCELLED, draft)
        turn.say(note(texts.CANCELLED.format(title=flow.title, command=flow.command)))
        log.info("person %s cancelled %s (entry %s)", turn.person.id, flow.id, conversation.entry_id)

    async def _end(
        self,
        turn: Turn,
        conversation: OpenConversation,
        answers: dict[str, Any],
        status: str,
        draft: dict[str, Any] | None = None,
    ) -> None:
        """Move the answers to where they belong and close the conversation."""
        if conversation.entry_id is not None:
            await turn.tx.entries.finish(conversation.entry_id, answers, status, turn.now, draft)
        if conversation.flow_id == SKIP_REASON.id and conversation.due_prompt_id is not None:
            await turn.tx.due_prompts.update(
                conversation.due_prompt_id, skip_reason=answers.get("reason"), skip_note=answers.get("other")
            )
        await turn.tx.conversations.end(conversation.person_id)

    async def _on_answer(self, turn: Turn, current: OpenConversation, answer: Answer) -> None:
        conversation = current
        flow = self.flow(conversation.flow_id)
        if flow is None:  # a homework type was retired while this was open
            await self._end(turn, conversation, dict(conversation.answers), EntryStatus.CANCELLED)
            turn.say(note(texts.NOTHING_OPEN))
            return
        state = FlowState(
            flow_id=conversation.flow_id,
            step_id=conversation.step_id,
            answers=conversation.answers,
            selection=tuple(conversation.selection),
            history=tuple(conversation.history),
        )
        outcome = advance(flow, state, answer, turn.now)
        log.log(
            logging.DEBUG if isinstance(answer, Tick) else logging.INFO,
            "person %s %s %s/%s: %s",
            turn.person.id,
            "timer" if isinstance(answer, Tick) else "answered",
            flow.id,
            state.step_id,
            _outcome_name(outcome),
        )
        step = flow.step(state.step_id)
        timed = step is not None and step.kind is AnswerKind.TIMER
        if isinstance(outcome, Finished):
            await self._close_prompt(turn, conversation, flow, outcome.accepted)
            await self._end(turn, conversation, dict(outcome.answers), EntryStatus.COMPLETED)
            if flow.id == ASSIGN.id:
                await self.practice.finish_assign(turn, outcome.answers)
            else:
                turn.say(note(outcome.summary))
            return
        conversation.wake_at = _wake_at(flow, outcome.state, turn.now)
        if outcome.in_place:
            conversation.selection = list(outcome.state.selection)
            conversation.answers = dict(outcome.state.answers)
            if conversation.prompt_message_id is None:  # not shown yet: show it, or wait for it
                if isinstance(answer, Tick):
                    await turn.save(conversation)
                else:
                    await self._show_new_prompt(turn, conversation, outcome.prompt)
                return
            turn.say(
                replace(
                    prompt_message(outcome.prompt, conversation.prompt_token),
                    purpose=Purpose.TIMER if isinstance(answer, Tick) else Purpose.UPDATE_PROMPT,
                    edit_of=conversation.prompt_message_id,
                    prompt_token=None,  # the same message, already known
                    coalesce_key=live_key(conversation.prompt_message_id) if timed else None,
                )
            )
            await turn.save(conversation)
            return
        if outcome.reason is not None:
            await self._close_prompt(turn, conversation, flow, accepted=None)
            await self._show_new_prompt(turn, conversation, outcome.prompt, outcome.reason)
            return
        live_message = conversation.prompt_message_id if timed else None
        if live_message is None:
            await self._close_prompt(turn, conversation, flow, outcome.accepted)
        conversation.answers = dict(outcome.state.answers)
        conversation.step_id = outcome.state.step_id
        conversation.selection = list(outcome.state.selection)
        conversation.history = list(outcome.state.history)
        if live_message is not None:
            # the timer is over: its live message becomes the next question (one edit, not two
            # messages at once in the chat)
            token = self._new_token()
            conversation.prompt_token = token
            await turn.save(conversation)
            turn.say(
                replace(
                    prompt_message(outcome.prompt, token, outcome.accepted),
                    purpose=Purpose.UPDATE_PROMPT,
                    edit_of=live_message,
                    coalesce_key=live_key(live_message),
                )
            )
            return
        await self._show_new_prompt(turn, conversation, outcome.prompt, outcome.accepted if timed else None)

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
            person, conversation = await tx.people.get_with_conversation(person_id)
            if person is None or conversation is None:
                return []
            if conversation.wake_at is None or conversation.wake_at > now:
                return []  # an answer moved it meanwhile
            sender = Sender(person.transport, person.external_user_id, person.chat_id)
            turn = Turn(tx, sender, person, now, None)
            await self._on_answer(turn, conversation, Tick())
            if person.status == "unreachable":  # the clock runs on; nothing is sent
                turn.replies.clear()
            return list(await turn.queue_replies(lease=timedelta(0)))

    # --- scheduled prompts -------------------------------------------------------------------

    async def _on_prompt_action(self, turn: Turn, current: OpenConversation | None, data: str) -> str | None:
        """Start / Snooze / Skip on a scheduled prompt: only the owner's, only while it is open."""
        parsed = parse_prompt_data(data)
        prompt = await turn.tx.due_prompts.get(parsed[0]) if parsed else None
        if (
            parsed is None
            or prompt is None
            or prompt.person_id != turn.person.id
            or prompt.token != parsed[1]
            or prompt.status != PromptStatus.SENT
            or prompt.expires_at <= turn.now
        ):
            log.info("person %s pressed an expired or unknown prompt button", turn.person.id)
            return texts.BUTTON_EXPIRED
        _, _, action = parsed
        title = self._scheduler_title(prompt.flow_id)
        zone = zone_or_utc(turn.person.timezone)
        if action == Action.START:
            flow = self.flow(prompt.flow_id)
            if flow is None:
                return texts.BUTTON_EXPIRED
            current = await self._yield_side_flow(turn, current)
            if current is not None:
                return self._finish_first(current, title)
            await turn.tx.due_prompts.update(prompt.id, status=PromptStatus.STARTED, acted_at=turn.now)
            self._close_due_prompt(turn, prompt, title, texts.PROMPT_STARTED)
            await self._start_flow(turn, flow, due_prompt_id=prompt.id)
            log.info("person %s started scheduled prompt %s", turn.person.id, prompt.id)
            return None
        if action == Action.SKIP:
            await turn.tx.due_prompts.update(prompt.id, status=PromptStatus.SKIPPED, acted_at=turn.now)
            self._close_due_prompt(turn, prompt, title, texts.PROMPT_SKIPPED)
            if current is None:  # ask why, once, optionally; never interrupt an open exercise
                await self._start_flow(turn, SKIP_REASON, due_prompt_id=prompt.id)
            log.info("person %s skipped scheduled prompt %s", turn.person.id, prompt.id)
            return None
        until = snooze_until(action, turn.now, zone)
        if until is None or until >= prompt.expires_at:
            return texts.BUTTON_EXPIRED
        await turn.tx.due_prompts.update(
            prompt.id,
            status=PromptStatus.PENDING,
            due_at=until,
            token=self._new_token(),
            snoozes=prompt.snoozes + 1,
        )
        shown = until.astimezone(zone).strftime("%H:%M")
        self._close_due_prompt(turn, prompt, title, texts.PROMPT_SNOOZED.format(time=shown))
        log.info("person %s snoozed scheduled prompt %s", turn.person.id, prompt.id)
        return None

    def _scheduler_title(self, flow_id: str) -> str:
        flow = self.flow(flow_id)
        return flow.title if flow else "homework"

    def _close_due_prompt(self, turn: Turn, prompt: DuePromptRow, title: str, status_line: str) -> None:
        if prompt.message_id is not None:
            text = f"{texts.PROMPT.format(title=title)}\n\n{status_line}"
            turn.say(Outgoing(text=text, purpose=Purpose.CLOSE_PROMPT, edit_of=prompt.message_id))

    def _finish_first(self, current: OpenConversation, fallback_title: str) -> str:
        """The notice for a button that would start something while a flow is open."""
        open_flow = self.flow(current.flow_id)
        return texts.FINISH_OPEN_FIRST.format(title=open_flow.title if open_flow else fallback_title)

    async def _yield_side_flow(self, turn: Turn, current: OpenConversation | None) -> OpenConversation | None:
        """A side question (why skip?) gives way to homework: kept as answered so far, closed."""
        side = self.flow(current.flow_id) if current else None
        if current is None or side is None or side.records_entry:
            return current
        await self._close_prompt(turn, current, side, accepted=None)
        await self._end(turn, current, dict(current.answers), EntryStatus.CANCELLED)
        return None

    # --- drafts ---------------------------------------------------------------------------------

    async def _resumable_draft(self, turn: Turn, flow: Flow) -> EntryRow | None:
        if not flow.keeps_drafts:
            return None
        return await turn.tx.entries.latest_draft(turn.person.id, flow.id, turn.now - DRAFTS_KEPT)

    def _offer_draft(self, turn: Turn, flow: Flow, draft: EntryRow) -> None:
        when = draft.updated_at.astimezone(zone_or_utc(turn.person.timezone))
        text = texts.DRAFT_OFFER.format(
            title=flow.title, when=f"{when:%a} {when.day} {when:%b}, {when:%H:%M}"
        )
        buttons = (
            (Button(texts.BUTTON_RESUME, f"{DRAFT_DATA_PREFIX}{draft.id}:y"),),
            (Button(texts.BUTTON_START_FRESH, f"{DRAFT_DATA_PREFIX}{draft.id}:n"),),
        )
        turn.say(Outgoing(text=text, purpose=Purpose.PROMPT, buttons=buttons, expects="choice"))

    async def _on_draft_choice(self, turn: Turn, current: OpenConversation | None, data: str) -> str | None:
        number, _, choice = data.removeprefix(DRAFT_DATA_PREFIX).partition(":")
        entry_id = parse_button_number(number)
        entry = await turn.tx.entries.get(entry_id) if entry_id is not None else None
        flow = self.flow(entry.flow_id) if entry else None
        if entry is None or flow is None or entry.person_id != turn.person.id or entry.draft is None:
            return texts.BUTTON_EXPIRED
        if current is not None:
            return self._finish_first(current, flow.title)
        step = flow.step(str(entry.draft.get("step_id")))
        if choice != "y" or step is None:  # a fresh start (or a draft whose step was retired)
            await turn.tx.entries.discard_draft(entry.id, turn.now)
            await self._start_flow(turn, flow)
            return None
        await turn.tx.entries.resume(entry.id, turn.now)
        token = self._new_token()
        conversation = await turn.begin(entry.id, flow.id, step.id, token)
        conversation.answers = dict(entry.answers)
        conversation.selection = list(entry.draft.get("selection") or [])
        conversation.history = list(entry.draft.get("history") or [])
        await turn.save(conversation)
        prompt = render_step(flow, step, tuple(conversation.selection), conversation.answers)
        turn.say(prompt_message(prompt, token, texts.DRAFT_RESUMED))
        log.info("person %s resumed a draft %s (entry %s)", turn.person.id, flow.id, entry.id)
        return None

    # --- the journal ------------------------------------------------------------------------------

    async def _show_journal(self, turn: Turn, page: int) -> None:
        rows = await turn.tx.entries.for_person(
            turn.person.id, limit=journal.PAGE_SIZE + 1, offset=page * journal.PAGE_SIZE, finished_only=True
        )
        flows = {f.id: f for f in self._flows}
        zone = zone_or_utc(turn.person.timezone)
        turn.say(
            journal.journal_page(
                rows[: journal.PAGE_SIZE],
                flows,
                zone,
                turn.person.timezone,
                page,
                len(rows) > journal.PAGE_SIZE,
            )
        )

    async def _on_journal_button(self, turn: Turn, data: str) -> str | None:
        parsed = journal.parse_data(data)
        if parsed is None:
            return texts.BUTTON_EXPIRED
        kind, number = parsed
        if kind == "p":
            await self._show_journal(turn, page=number)
            return None
        entry = await turn.tx.entries.get(number)
        flow = self.flow(entry.flow_id) if entry else None
        if entry is None or entry.person_id != turn.person.id or flow is None:  # only their own
            return texts.BUTTON_EXPIRED
        turn.say(journal.journal_entry(entry, flow, zone_or_utc(turn.person.timezone)))
        return None

    # --- the client's plan and time zone --------------------------------------------------------

    async def _show_schedule(self, turn: Turn) -> None:
        schedules = await turn.tx.schedules.for_person(turn.person.id)
        if not schedules:
            turn.say(note(texts.NO_SCHEDULE))
            return
        zone = zone_or_utc(turn.person.timezone)
        lines = [texts.SCHEDULE_HEADER.format(zone=turn.person.timezone)]
        upcoming: list[tuple[datetime, str]] = []
        for schedule in schedules:
            title = self._scheduler_title(schedule.flow_id)
            plan = plan_of(schedule)
            times = ", ".join(t.strftime("%H:%M") for t in plan.times)
            lines.append(
                texts.SCHEDULE_LINE.format(
                    title=title.capitalize(), times=times, days=describe_weekdays(plan.weekdays)
                )
            )
            following = next_occurrence(plan, turn.now, zone)
            if following is not None:
                upcoming.append((following.due_at, title))
        if upcoming:
            due_at, title = min(upcoming)
            local = due_at.astimezone(zone)
            lines.append("")
            lines.append(
                texts.SCHEDULE_NEXT.format(
                    title=title, time=local.strftime("%H:%M"), day=local.strftime("%A %d %B")
                )
            )
        turn.say(note("\n".join(lines)))

    async def _on_timezone(self, turn: Turn, typed: str) -> None:
        if not typed.strip():
            turn.say(note(texts.TIMEZONE_CURRENT.format(zone=describe_zone(turn.person.timezone, turn.now))))
            return
        choices = find_zones(typed, limit=5)
        if not choices:
            turn.say(note(texts.TIMEZONE_UNKNOWN))
            return
        rows = tuple((Button(c.label, f"{ZONE_DATA_PREFIX}{c.name}"),) for c in choices)
        rows += ((Button(texts.BUTTON_NONE_OF_THESE, f"{ZONE_DATA_PREFIX}-"),),)
        turn.say(Outgoing(text=texts.TIMEZONE_PICK, purpose=Purpose.PROMPT, buttons=rows, expects="choice"))

    async def _on_zone_choice(self, turn: Turn, name: str) -> str | None:
        if name == "-":
            turn.say(note(texts.TIMEZONE_UNCHANGED))
            return None
        try:
            zone_from_name(name)
        except ValueError:
            return texts.BUTTON_EXPIRED
        if name != turn.person.timezone:
            await turn.tx.people.set_timezone(turn.person.id, name, turn.now)
            turn.person.timezone = name
            await turn.tx.due_prompts.drop_future_pending(turn.person.id, turn.now)
            await turn.tx.schedules.rematerialise_for_person(turn.person.id, turn.now)
        turn.say(note(texts.TIMEZONE_SET.format(zone=describe_zone(name, turn.now))))
        log.info("person %s changed time zone", turn.person.id)
        return None


REPEAT_WINDOW = 10_000
"""A repeated delivery is one of the last few updates; Telegram restarts its update ids at a
random number after a week without updates, so an id far below the newest is new, not a repeat."""


def _passes_consent_gate(event: Event) -> bool:
    """What a client may do before agreeing to the current consent text: answer the crisis
    message, take their data, or erase it."""
    match event:
        case ButtonPressed(data) if data.startswith((*SAFETY_PREFIXES, privacy.DELETE_DATA_PREFIX)):
            return True
        case CommandReceived(name) if name.lower() in ("export", "delete"):
            return True
    return False


def _seen(update_id: int, person: PersonRow, conversation: OpenConversation | None) -> bool:
    """Update ids grow; one at or just below the newest handled for this person is a repeat."""
    marks = [person.last_update_id, conversation.last_update_id if conversation else None]
    newest = max((m for m in marks if m is not None), default=None)
    return newest is not None and newest - REPEAT_WINDOW < update_id <= newest


TIMER_RETRY = timedelta(seconds=30)
"""A timer whose tick failed is tried again this much later (the others go on meanwhile)."""
TIMER_MIN_GAP = timedelta(seconds=1)
"""A live message changes at most once a second (Telegram's pace for one chat)."""


def _wake_at(flow: Flow, state: FlowState, now: datetime) -> datetime | None:
    """When the clock next needs this conversation: a timed step's next frame, never sooner
    than a second after what was just shown."""
    wake = timer_wake_at(flow, state, now)
    return None if wake is None else max(wake, now + TIMER_MIN_GAP)


def _outcome_name(outcome: Ask | Finished) -> str:
    if isinstance(outcome, Finished):
        return "finished"
    if outcome.in_place:
        return "toggled"
    return "re-asked" if outcome.reason else f"moved to {outcome.prompt.step_id}"
