"""Drafts: a long exercise set aside with /cancel is offered again next time (carry on / start anew)."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.chat import texts
from bot.chat.flow_runner import FlowRunner
from bot.chat.router import ButtonRoute, Context, Router, button_data, button_fields
from bot.chat.turn import Turn, note, prompt_message
from bot.core import formatting
from bot.core.i18n import _
from bot.core.messages import Button, choice_question, parse_button_number
from bot.core.timezones import zone_or_utc
from flows import Flow, render_step
from storage import EntryRow

log = logging.getLogger(__name__)

DATA_PREFIX = "d:"
DRAFTS_KEPT = timedelta(days=14)
"""A draft older than this is not offered again (it stays in the journal)."""


async def resumable(turn: Turn, flow: Flow) -> EntryRow | None:
    if not flow.keeps_drafts:
        return None
    return await turn.tx.entries.latest_draft(turn.person.id, flow.id, turn.now - DRAFTS_KEPT)


def offer(turn: Turn, flow: Flow, draft: EntryRow) -> None:
    when = draft.updated_at.astimezone(zone_or_utc(turn.person.timezone))
    text = _(texts.DRAFT_OFFER).format(a_title=flow.a_title, when=formatting.day_and_time(when))
    buttons = (
        (Button(_(texts.BUTTON_RESUME), button_data(DATA_PREFIX, draft.id, "y")),),
        (Button(_(texts.BUTTON_START_FRESH), button_data(DATA_PREFIX, draft.id, "n")),),
    )
    turn.say(choice_question(text, buttons))


async def restart_changed(turn: Turn, runner: FlowRunner, flow: Flow, draft: EntryRow) -> None:
    """A draft begun under another version of the homework's definition is not carried on under
    this one: the client is told kindly and starts afresh (the draft stays in their journal)."""
    await turn.tx.entries.discard_draft(draft.id, turn.now)
    turn.say(note(_(texts.HOMEWORK_CHANGED).format(title=_(flow.title))))
    await runner.start(turn, flow)
    log.info(
        "person %s: draft %s of %s was of version %s", turn.person.id, draft.id, flow.id, draft.flow_version
    )


async def on_choice(ctx: Context) -> str | None:
    """Carry on with the draft, or start afresh (the draft is then discarded)."""
    turn, runner = ctx.turn, ctx.runner
    number, *rest = button_fields(ctx.data, DATA_PREFIX)
    entry_id = parse_button_number(number)
    entry = await turn.tx.entries.get(entry_id) if entry_id is not None else None
    flow = runner.flow(entry.flow_id) if entry else None
    if entry is None or flow is None or entry.person_id != turn.person.id or entry.draft is None:
        return _(texts.BUTTON_EXPIRED)
    if ctx.current is not None:
        return runner.finish_first(ctx.current, _(flow.title))
    if rest == ["y"] and entry.flow_version != flow.version:
        await restart_changed(turn, runner, flow, entry)
        return None
    step = flow.step(str(entry.draft.get("step_id")))
    if rest != ["y"] or step is None:  # a fresh start (or a draft whose step was retired)
        await turn.tx.entries.discard_draft(entry.id, turn.now)
        await runner.start(turn, flow)
        return None
    await turn.tx.entries.resume(entry.id, turn.now)
    token = runner.new_token()
    conversation = await turn.begin(entry.id, flow.id, step.id, token)
    conversation.answers = dict(entry.answers)
    conversation.selection = list(entry.draft.get("selection") or [])
    conversation.history = list(entry.draft.get("history") or [])
    await turn.save(conversation)
    prompt = render_step(flow, step, tuple(conversation.selection), conversation.answers)
    turn.say(prompt_message(prompt, token, _(texts.DRAFT_RESUMED)))
    log.info("person %s resumed a draft %s (entry %s)", turn.person.id, flow.id, entry.id)
    return None


def register(router: Router) -> None:
    router.button(ButtonRoute(DATA_PREFIX, on_choice))
