"""Runs a client's open flow inside a turn: start it, feed it answers, show its questions, end it.

The engine (``flows.advance``) decides; the runner stores what it decided and words it as
messages: the open question, its echo once answered, a live message moved on by the clock. Other
features hook in by flow id: what to do when a flow finishes (the guided /assign writes the
assignment) or ends (a skip reason lands on its prompt). An answer a step's item alert fires on
(PHQ-9 item 9 above "Not at all") pauses the flow before its next question and is handed to the
safety feature (the ``ItemAlerts`` port), which answers it with the fixed crisis response.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.chat import texts
from bot.chat.ports import ItemAlerts
from bot.chat.turn import Turn, live_key, note, prompt_message
from bot.core.i18n import _
from bot.core.messages import Outgoing, Purpose
from flows import (
    Answer,
    AnswerKind,
    Ask,
    Finished,
    Flow,
    FlowState,
    Pick,
    Prompt,
    Step,
    Text,
    Tick,
    advance,
    render_step,
    start,
    timer_ending,
    timer_wake_at,
)
from flows.texts import SELECTED_MARK
from storage import EntryStatus, OpenConversation

log = logging.getLogger(__name__)

FinishHook = Callable[[Turn, Mapping[str, Any]], Awaitable[None]]
"""Said instead of the flow's summary when it finishes (e.g. the guided /assign)."""
EndHook = Callable[[Turn, OpenConversation, Mapping[str, Any]], Awaitable[None]]
"""Runs whenever a conversation of this flow ends, however it ended (e.g. a skip reason)."""
RemindPaused = Callable[[Turn], Awaitable[None]]
StartContext = Callable[[Turn], Awaitable[Mapping[str, Any] | str]]
"""What a flow starts with, read for the turn's person (a client's goals), or — when there is
nothing to start it with — a kind line to say instead."""

TIMER_MIN_GAP = timedelta(seconds=1)
"""A live message changes at most once a second (Telegram's pace for one chat)."""


class FlowRunner:
    """Starts, advances and ends flows for one turn at a time; stateless between turns."""

    def __init__(
        self,
        flows: Sequence[Flow],
        *,
        new_token: Callable[[], str],
        remind_paused: RemindPaused,
        item_alerts: ItemAlerts,
        versions: Callable[[str, str | None], Flow | None] | None = None,
        revised: Callable[[str], bool] = lambda flow_id: False,
    ) -> None:
        self.flows = tuple(flows)
        """The homework types (with a command, a journal entry)."""
        self._other_flows: list[Flow] = []
        self.new_token = new_token
        self.remind_paused = remind_paused
        self.item_alerts = item_alerts
        """Safety's answer to an item alert (required: a runner cannot forget it)."""
        self._on_finish: dict[str, FinishHook] = {}
        self._on_end: dict[str, EndHook] = {}
        self._context: dict[str, StartContext] = {}
        self._versions = versions
        self.revised = revised
        """Whether a homework has versions besides today's (its open conversations may be older)."""

    def add_flow(
        self,
        flow: Flow,
        *,
        on_finish: FinishHook | None = None,
        on_end: EndHook | None = None,
        context: StartContext | None = None,
    ) -> None:
        """A flow that is not homework (a side question, a therapist's guided command), or the
        hooks of one that is (what it starts with, what happens when it ends)."""
        if flow not in self.flows:
            self._other_flows.append(flow)
        if on_finish is not None:
            self._on_finish[flow.id] = on_finish
        if on_end is not None:
            self._on_end[flow.id] = on_end
        if context is not None:
            self._context[flow.id] = context

    def flow(self, flow_id: str) -> Flow | None:
        return next((f for f in (*self.flows, *self._other_flows) if f.id == flow_id), None)

    def flow_of(self, flow_id: str, version: str | None) -> Flow | None:
        """The flow an entry was answered under: that version of a data-defined homework, kept
        since; else the flow as it is today."""
        found = self._versions(flow_id, version) if self._versions is not None else None
        return found if found is not None else self.flow(flow_id)

    def flow_for_command(self, command: str) -> Flow | None:
        return next((f for f in self.flows if f.command == command), None)

    def title(self, flow_id: str, fallback: str = texts.HOMEWORK) -> str:
        flow = self.flow(flow_id)
        return _(flow.title if flow else fallback)

    # --- starting and ending ----------------------------------------------------------------

    async def start(
        self,
        turn: Turn,
        flow: Flow,
        due_prompt_id: int | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        if context is None and (read := self._context.get(flow.id)) is not None:
            found = await read(turn)
            if isinstance(found, str):  # nothing to start it with (no goals yet): say so kindly
                turn.say(note(found))
                return
            context = found
        ask = start(flow, context)
        token = self.new_token()
        entry_id = (
            await turn.tx.entries.start(turn.person.id, flow.id, turn.now, flow.version)
            if flow.records_entry
            else None
        )
        conversation = await turn.begin(entry_id, flow.id, ask.state.step_id, token, due_prompt_id)
        if context:  # what the flow was started with (a therapist's clients) is part of its state
            conversation.answers = dict(ask.state.answers)
            await turn.save(conversation)
        if entry_id is not None and due_prompt_id is not None:
            await turn.tx.due_prompts.update(due_prompt_id, entry_id=entry_id)
        if flow.intro:
            turn.say(note(_(flow.intro)))
        turn.say(prompt_message(ask.prompt, token))
        log.info("person %s started %s (entry %s)", turn.person.id, flow.id, entry_id)

    async def cancel(self, turn: Turn, conversation: OpenConversation, flow: Flow) -> None:
        await self.close_prompt(turn, conversation, flow, accepted=None)
        draft = {
            "step_id": conversation.step_id,
            "selection": conversation.selection,
            "history": conversation.history,
        }
        await self.end(turn, conversation, dict(conversation.answers), EntryStatus.CANCELLED, draft)
        turn.say(note(_(texts.CANCELLED).format(title=_(flow.title), command=flow.command)))
        log.info("person %s cancelled %s (entry %s)", turn.person.id, flow.id, conversation.entry_id)

    async def end(
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
        if (hook := self._on_end.get(conversation.flow_id)) is not None:
            await hook(turn, conversation, answers)
        await turn.tx.conversations.end(conversation.person_id)

    async def yield_side_flow(self, turn: Turn, current: OpenConversation | None) -> OpenConversation | None:
        """A side question (why skip?) gives way to homework: kept as answered so far, closed."""
        side = self.flow(current.flow_id) if current else None
        if current is None or side is None or side.records_entry:
            return current
        await self.close_prompt(turn, current, side, accepted=None)
        await self.end(turn, current, dict(current.answers), EntryStatus.CANCELLED)
        return None

    def finish_first(self, current: OpenConversation, fallback_title: str) -> str:
        """The notice for a button that would start something while a flow is open."""
        flow = self.flow(current.flow_id)
        a_title = flow.a_title if flow else _(texts.A_TITLE).format(title=fallback_title)
        return _(texts.FINISH_OPEN_FIRST).format(a_title=a_title)

    # --- showing questions ------------------------------------------------------------------

    async def close_prompt(
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

    async def show_new_prompt(
        self, turn: Turn, conversation: OpenConversation, prompt: Prompt, lead: str | None = None
    ) -> None:
        token = self.new_token()
        conversation.prompt_token = token
        conversation.prompt_message_id = None
        await turn.save(conversation)
        turn.say(prompt_message(prompt, token, lead))

    async def reshow(self, turn: Turn, current: OpenConversation, flow: Flow, lead: str) -> None:
        if current.paused_at is not None:  # waiting behind a crisis message: say so instead
            await self.remind_paused(turn)
            return
        step = flow.step(current.step_id)
        if step is None:
            return
        await self.close_prompt(turn, current, flow, accepted=None)
        prompt = render_step(flow, step, tuple(current.selection), current.answers, turn.now)
        await self.show_new_prompt(turn, current, prompt, lead)

    # --- pausing behind a crisis message --------------------------------------------------------

    async def pause(self, turn: Turn, current: OpenConversation | None, where: str) -> None:
        """The flow waits. After an answer, only the echo of it stays among the replies (the next
        question comes when they carry on); otherwise the open question loses its buttons."""
        if current is None:
            turn.replies[:] = [r for r in turn.replies if r.purpose is Purpose.CLOSE_PROMPT]
        elif (flow := self.flow(current.flow_id)) is not None:
            await self.close_prompt(turn, current, flow, accepted=None)
        _person, conversation = await turn.tx.people.get_with_conversation(turn.person.id)
        if conversation is not None:
            conversation.paused_at = turn.now
            conversation.wake_at = None  # a timer's live message waits too
            conversation.prompt_message_id = None
            await turn.save(conversation)
        log.info("person %s: flow paused at %s", turn.person.id, where)

    async def unpause(self, turn: Turn) -> None:
        _person, conversation = await turn.tx.people.get_with_conversation(turn.person.id)
        flow = self.flow(conversation.flow_id) if conversation else None
        if conversation is None or flow is None:
            return
        conversation.paused_at = None
        conversation.wake_at = wake_at(flow, _state(conversation), turn.now)
        await self.reshow(turn, conversation, flow, _(texts.CARRY_ON))

    # --- answers ----------------------------------------------------------------------------

    async def answer(self, turn: Turn, conversation: OpenConversation, answer: Answer) -> None:
        """One answer (or a clock tick) to the open question: advance, store, show what is next."""
        flow = self.flow(conversation.flow_id)
        if flow is None:  # a homework type was retired while this was open
            await self.end(turn, conversation, dict(conversation.answers), EntryStatus.CANCELLED)
            turn.say(note(_(texts.NOTHING_OPEN)))
            return
        if await _begun_under_another_version(self, turn, conversation, flow):
            return
        state = _state(conversation)
        outcome = advance(flow, state, answer, turn.now)
        ticked = isinstance(answer, Tick)
        log.log(
            logging.DEBUG if ticked else logging.INFO,
            "person %s %s %s/%s: %s",
            turn.person.id,
            "timer" if ticked else "answered",
            flow.id,
            state.step_id,
            _outcome_name(outcome),
        )
        step = flow.step(state.step_id)
        timed = step is not None and step.kind is AnswerKind.TIMER
        if isinstance(outcome, Finished):
            await self._finished(turn, conversation, flow, outcome)
            await _item_alert(self, turn, flow, step, answer, outcome.answers, finished=True)
            return
        conversation.wake_at = wake_at(flow, outcome.state, turn.now)
        if outcome.in_place:
            await self._changed_in_place(turn, conversation, outcome, ticked=ticked, timed=timed)
        elif outcome.reason is not None:
            await self.close_prompt(turn, conversation, flow, accepted=None)
            await self.show_new_prompt(turn, conversation, outcome.prompt, outcome.reason)
        else:
            await self._moved_on(turn, conversation, flow, outcome, timed=timed)
            await _item_alert(self, turn, flow, step, answer, outcome.state.answers, finished=False)

    async def _finished(
        self, turn: Turn, conversation: OpenConversation, flow: Flow, outcome: Finished
    ) -> None:
        await self.close_prompt(turn, conversation, flow, outcome.accepted)
        await self.end(turn, conversation, dict(outcome.answers), EntryStatus.COMPLETED)
        if (hook := self._on_finish.get(flow.id)) is not None:
            await hook(turn, outcome.answers)
        else:
            turn.say(note(outcome.summary))

    async def _changed_in_place(
        self, turn: Turn, conversation: OpenConversation, outcome: Ask, *, ticked: bool, timed: bool
    ) -> None:
        """A toggle, or a live message moved on: the same message changes."""
        conversation.selection = list(outcome.state.selection)
        conversation.answers = dict(outcome.state.answers)
        if conversation.prompt_message_id is None:  # not shown yet: show it, or wait for it
            if ticked:
                await turn.save(conversation)
            else:
                await self.show_new_prompt(turn, conversation, outcome.prompt)
            return
        turn.say(
            replace(
                prompt_message(outcome.prompt, conversation.prompt_token),
                purpose=Purpose.TIMER if ticked else Purpose.UPDATE_PROMPT,
                edit_of=conversation.prompt_message_id,
                prompt_token=None,  # the same message, already known
                coalesce_key=live_key(conversation.prompt_message_id) if timed else None,
            )
        )
        await turn.save(conversation)

    async def _moved_on(
        self, turn: Turn, conversation: OpenConversation, flow: Flow, outcome: Ask, *, timed: bool
    ) -> None:
        """The next question: the answered one is closed with its echo, or — when a timer ends —
        its live message becomes the next question (one edit, not two messages at once)."""
        live_message = conversation.prompt_message_id if timed else None
        if live_message is None:
            await self.close_prompt(turn, conversation, flow, outcome.accepted)
        conversation.answers = dict(outcome.state.answers)
        conversation.step_id = outcome.state.step_id
        conversation.selection = list(outcome.state.selection)
        conversation.history = list(outcome.state.history)
        if live_message is None:
            await self.show_new_prompt(
                turn, conversation, outcome.prompt, outcome.accepted if timed else None
            )
            return
        token = self.new_token()
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


async def _begun_under_another_version(
    runner: FlowRunner, turn: Turn, conversation: OpenConversation, flow: Flow
) -> bool:
    """An answer to a conversation begun under an earlier version of the homework's definition
    (the file changed while it was open): it is not carried on under this one. The client is
    told kindly and starts afresh; what they wrote stays in their journal."""
    if conversation.entry_id is None or not runner.revised(flow.id):
        return False
    entry = await turn.tx.entries.get(conversation.entry_id)
    if entry is None or entry.flow_version == flow.version:
        return False
    await runner.close_prompt(turn, conversation, flow, accepted=None)
    await runner.end(turn, conversation, dict(conversation.answers), EntryStatus.CANCELLED)
    turn.say(note(_(texts.HOMEWORK_CHANGED).format(title=_(flow.title))))
    await runner.start(turn, flow, conversation.due_prompt_id)
    log.info(
        "person %s: %s entry %s was of version %s", turn.person.id, flow.id, entry.id, entry.flow_version
    )
    return True


async def _item_alert(
    runner: FlowRunner,
    turn: Turn,
    flow: Flow,
    step: Step | None,
    answer: Answer,
    answers: Mapping[str, Any],
    *,
    finished: bool,
) -> None:
    """An answer its step's alert fires on: the next question waits (the answer's echo stays)
    and safety answers at once. Each such answer alerts, also one given again after /back."""
    if step is None or step.alert is None or not isinstance(answer, Pick | Text):
        return
    value = answers.get(step.id)
    if step.alert.fires(step, value):
        if not finished:
            await runner.pause(turn, None, f"{flow.id}.{step.id}")
        await runner.item_alerts.respond_to_item(turn, flow, step, value, finished=finished)


def _state(conversation: OpenConversation) -> FlowState:
    return FlowState(
        flow_id=conversation.flow_id,
        step_id=conversation.step_id,
        answers=conversation.answers,
        selection=tuple(conversation.selection),
        history=tuple(conversation.history),
    )


def wake_at(flow: Flow, state: FlowState, now: datetime) -> datetime | None:
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
