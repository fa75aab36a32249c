"""The client's words for their therapist: /note for the next session, and how confident they feel
about newly agreed homework (0–10, asked once per assignment)."""

from __future__ import annotations

import logging

from bot.chat import texts
from bot.chat.router import ButtonRoute, Command, Context, Router, button_data, button_fields
from bot.chat.turn import note
from bot.core.i18n import _
from bot.core.messages import Button, Expects, Outgoing, Purpose, parse_button_number
from bot.core.statuses import ScheduleStatus

log = logging.getLogger(__name__)

CONFIDENCE_DATA_PREFIX = "cf:"
LOW_CONFIDENCE = 5
"""A confidence rating at or below this is worth discussing (the digest marks it)."""
NOTE_LIMIT = 4000


async def on_note(ctx: Context) -> None:
    turn, written = ctx.turn, ctx.args.strip()
    if not written:
        turn.say(note(_(texts.NOTE_USAGE)))
        return
    await turn.tx.notes.add(turn.person.id, written[:NOTE_LIMIT], turn.now)
    turn.say(note(_(texts.NOTE_KEPT) if turn.person.therapist_id else _(texts.NOTE_NO_THERAPIST)))
    log.info("person %s left a note for the session", turn.person.id)


def confidence_question(schedule_id: int) -> Outgoing:
    """0–10 buttons under the question, for one newly agreed assignment."""
    scale = [Button(str(n), button_data(CONFIDENCE_DATA_PREFIX, schedule_id, n)) for n in range(11)]
    rows = (tuple(scale[:6]), tuple(scale[6:]))
    expects = Expects.scale(0, 10, rows)
    return Outgoing(text=_(texts.CONFIDENCE_QUESTION), purpose=Purpose.PROMPT, buttons=rows, expects=expects)


async def on_confidence(ctx: Context) -> str | None:
    turn = ctx.turn
    fields = button_fields(ctx.data, CONFIDENCE_DATA_PREFIX)
    number, value = fields if len(fields) == 2 else ("", "")
    schedule_id = parse_button_number(number)
    rating = parse_button_number(value, low=0, high=10) if value != "0" else 0
    schedule = await turn.tx.schedules.get(schedule_id) if schedule_id is not None else None
    if (
        schedule is None
        or rating is None
        or schedule.person_id != turn.person.id
        or schedule.status != ScheduleStatus.ACTIVE
        or schedule.confidence is not None
    ):
        return _(texts.BUTTON_EXPIRED)
    await turn.tx.schedules.set_confidence(schedule.id, rating, turn.now)
    if ctx.message_id is not None:
        turn.say(
            Outgoing(
                text=f"{_(texts.CONFIDENCE_QUESTION)}\n\n✓ {rating}",
                purpose=Purpose.CLOSE_PROMPT,
                edit_of=ctx.message_id,
            )
        )
    turn.say(note(_(texts.CONFIDENCE_LOW) if rating <= LOW_CONFIDENCE else _(texts.CONFIDENCE_HIGH)))
    log.info("person %s rated confidence for schedule %s", turn.person.id, schedule.id)
    return None


def register(router: Router) -> None:
    router.command(Command("note", texts.COMMAND_NAMES["note"], on_note, help=texts.HELP_LINES["note"]))
    router.button(ButtonRoute(CONFIDENCE_DATA_PREFIX, on_confidence))
