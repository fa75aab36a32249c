"""A scheduled prompt's buttons: Start now / In 15 min / In 1 hour / This evening / Skip today.

The message and its buttons, what pressing one does (only the owner's, only while it is open),
the "what got in the way?" question after a skip, and the client's /schedule — one module, so
snoozing is read where its buttons are made.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, tzinfo

from bot.chat import texts
from bot.chat.router import ButtonRoute, Command, Context, Router
from bot.chat.turn import Turn, note
from bot.core import formatting
from bot.core.i18n import _
from bot.core.local_time import next_occurrence, plan_of, this_evening
from bot.core.messages import Button, Expects, Outgoing, Purpose, parse_button_number
from bot.core.plan_text import describe_plan_days
from bot.core.statuses import Cadence
from bot.core.timezones import zone_or_utc
from flows.skip_reason import SKIP_REASON
from storage import DuePromptRow, OpenConversation, PromptStatus

log = logging.getLogger(__name__)

PROMPT_DATA_PREFIX = "!"


class Action:
    """What a button on a scheduled prompt asks for (stored in callback data)."""

    START = "s"
    SNOOZE_15 = "z15"
    SNOOZE_60 = "z60"
    SNOOZE_EVENING = "ze"
    SKIP = "k"


SNOOZE_DELAYS = {Action.SNOOZE_15: timedelta(minutes=15), Action.SNOOZE_60: timedelta(hours=1)}


def prompt_data(prompt_id: int, token: str, action: str) -> str:
    return f"{PROMPT_DATA_PREFIX}{prompt_id}:{token}:{action}"


def parse_prompt_data(data: str) -> tuple[int, str, str] | None:
    """``(prompt id, token, action)`` from button data, or None if it is not well-formed."""
    if not data.startswith(PROMPT_DATA_PREFIX):
        return None
    parts = data[1:].split(":")
    number = parse_button_number(parts[0]) if len(parts) == 3 else None
    return None if number is None else (number, parts[1], parts[2])


def prompt_message(
    prompt_id: int,
    token: str,
    title: str,
    now: datetime,
    zone: tzinfo,
    expires_at: datetime,
    *,
    reminder: bool,
) -> Outgoing:
    """The prompt (or its one reminder) with Start / Snooze / Skip buttons that are still useful."""
    snoozes = [
        Button(label, prompt_data(prompt_id, token, action))
        for label, action in (
            (_(texts.BUTTON_SNOOZE_15), Action.SNOOZE_15),
            (_(texts.BUTTON_SNOOZE_60), Action.SNOOZE_60),
        )
        if now + SNOOZE_DELAYS[action] < expires_at
    ]
    evening = this_evening(now, zone)
    if evening is not None and evening < expires_at:
        snoozes.append(
            Button(_(texts.BUTTON_SNOOZE_EVENING), prompt_data(prompt_id, token, Action.SNOOZE_EVENING))
        )
    rows: list[tuple[Button, ...]] = [
        (Button(_(texts.BUTTON_START), prompt_data(prompt_id, token, Action.START)),)
    ]
    if snoozes:
        rows.append(tuple(snoozes))
    rows.append((Button(_(texts.BUTTON_SKIP_TODAY), prompt_data(prompt_id, token, Action.SKIP)),))
    return Outgoing(
        text=(_(texts.REMINDER) if reminder else _(texts.PROMPT)).format(title=title),
        purpose=Purpose.PROMPT,
        buttons=tuple(rows),
        expects=Expects.choice(tuple(rows)),
        prompt_token=token,
        due_prompt_id=prompt_id,
    )


def snooze_until(action: str, now: datetime, zone: tzinfo) -> datetime | None:
    if action in SNOOZE_DELAYS:
        return now + SNOOZE_DELAYS[action]
    if action == Action.SNOOZE_EVENING:
        return this_evening(now, zone)
    return None


async def on_prompt_button(ctx: Context) -> str | None:
    """Start / Snooze / Skip on a scheduled prompt: only the owner's, only while it is open."""
    turn = ctx.turn
    parsed = parse_prompt_data(ctx.data)
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
        return _(texts.BUTTON_EXPIRED)
    action = parsed[2]
    if action == Action.START:
        return await _start(ctx, prompt)
    if action == Action.SKIP:
        await _skip(ctx, prompt)
        return None
    return await _snooze(ctx, prompt, action)


async def _start(ctx: Context, prompt: DuePromptRow) -> str | None:
    turn, runner = ctx.turn, ctx.runner
    flow = runner.flow(prompt.flow_id)
    if flow is None:
        return _(texts.BUTTON_EXPIRED)
    current = await runner.yield_side_flow(turn, ctx.current)
    if current is not None:
        return runner.finish_first(current, runner.title(prompt.flow_id))
    await turn.tx.due_prompts.update(prompt.id, status=PromptStatus.STARTED, acted_at=turn.now)
    _close(turn, prompt, runner.title(prompt.flow_id), _(texts.PROMPT_STARTED))
    await runner.start(turn, flow, due_prompt_id=prompt.id)
    log.info("person %s started scheduled prompt %s", turn.person.id, prompt.id)
    return None


async def _skip(ctx: Context, prompt: DuePromptRow) -> None:
    turn = ctx.turn
    await turn.tx.due_prompts.update(prompt.id, status=PromptStatus.SKIPPED, acted_at=turn.now)
    _close(turn, prompt, ctx.runner.title(prompt.flow_id), _(texts.PROMPT_SKIPPED))
    if ctx.current is None:  # ask why, once, optionally; never interrupt an open exercise
        await ctx.runner.start(turn, SKIP_REASON, due_prompt_id=prompt.id)
    log.info("person %s skipped scheduled prompt %s", turn.person.id, prompt.id)


async def _snooze(ctx: Context, prompt: DuePromptRow, action: str) -> str | None:
    turn = ctx.turn
    zone = zone_or_utc(turn.person.timezone)
    until = snooze_until(action, turn.now, zone)
    if until is None or until >= prompt.expires_at:
        return _(texts.BUTTON_EXPIRED)
    await turn.tx.due_prompts.update(
        prompt.id,
        status=PromptStatus.PENDING,
        due_at=until,
        token=ctx.runner.new_token(),
        snoozes=prompt.snoozes + 1,
    )
    shown = formatting.clock(until.astimezone(zone))
    _close(turn, prompt, ctx.runner.title(prompt.flow_id), _(texts.PROMPT_SNOOZED).format(time=shown))
    log.info("person %s snoozed scheduled prompt %s", turn.person.id, prompt.id)
    return None


def _close(turn: Turn, prompt: DuePromptRow, title: str, status_line: str) -> None:
    if prompt.message_id is not None:
        text = f"{_(texts.PROMPT).format(title=title)}\n\n{status_line}"
        turn.say(Outgoing(text=text, purpose=Purpose.CLOSE_PROMPT, edit_of=prompt.message_id))


async def record_skip_reason(turn: Turn, conversation: OpenConversation, answers: object) -> None:
    """The skip question ended (answered or not): what they said lands on the skipped prompt."""
    if conversation.due_prompt_id is None or not isinstance(answers, dict):
        return
    await turn.tx.due_prompts.update(
        conversation.due_prompt_id, skip_reason=answers.get("reason"), skip_note=answers.get("other")
    )


async def on_schedule(ctx: Context) -> None:
    """/schedule: the client's plan, and when the next prompt comes (in their zone)."""
    turn = ctx.turn
    schedules = await turn.tx.schedules.for_person(turn.person.id)
    if not schedules:
        turn.say(note(_(texts.NO_SCHEDULE)))
        return
    zone = zone_or_utc(turn.person.timezone)
    lines = [_(texts.SCHEDULE_HEADER).format(zone=turn.person.timezone)]
    upcoming: list[tuple[datetime, str]] = []
    for schedule in schedules:
        title = ctx.runner.title(schedule.flow_id)
        plan = plan_of(schedule)
        times = ", ".join(formatting.clock(t) for t in plan.times)
        days = describe_plan_days(schedule.cadence, plan.weekdays, schedule.interval_days)
        lines.append(_(texts.SCHEDULE_LINE).format(title=formatting.sentence(title), times=times, days=days))
        weekly = schedule.cadence == Cadence.WEEKLY  # (the others: once their day is known)
        following = next_occurrence(plan, turn.now, zone) if weekly else None
        if following is not None:
            upcoming.append((following.due_at, title))
    pending = await turn.tx.due_prompts.next_pending(turn.person.id, turn.now)
    if pending is not None:  # a snoozed prompt comes before the plan's next time
        upcoming.append((pending.due_at, ctx.runner.title(pending.flow_id)))
    if upcoming:
        due_at, title = min(upcoming)
        local = due_at.astimezone(zone)
        lines.append("")
        lines.append(
            _(texts.SCHEDULE_NEXT).format(
                title=title, time=formatting.clock(local), day=formatting.long_day(local.date())
            )
        )
    turn.say(note("\n".join(lines)))


def register(router: Router) -> None:
    router.command(
        Command("schedule", texts.COMMAND_NAMES["schedule"], on_schedule, help=texts.HELP_LINES["schedule"])
    )
    router.button(ButtonRoute(PROMPT_DATA_PREFIX, on_prompt_button))
