"""/timezone: the client sees or changes their zone (a city or an offset), confirming with a button."""

from __future__ import annotations

import logging

from bot.chat import texts
from bot.chat.router import ButtonRoute, Command, Context, Router
from bot.chat.turn import note
from bot.core.i18n import _
from bot.core.messages import Button, choice_question
from bot.core.timezones import describe_zone, find_zones, zone_from_name

log = logging.getLogger(__name__)

DATA_PREFIX = "tz:"
NONE_OF_THESE = "-"


async def on_timezone(ctx: Context) -> None:
    turn, typed = ctx.turn, ctx.args
    if not typed.strip():
        turn.say(note(_(texts.TIMEZONE_CURRENT).format(zone=describe_zone(turn.person.timezone, turn.now))))
        return
    choices = find_zones(typed, limit=5)
    if not choices:
        turn.say(note(_(texts.TIMEZONE_UNKNOWN)))
        return
    rows = tuple((Button(c.label, f"{DATA_PREFIX}{c.name}"),) for c in choices)
    rows += ((Button(_(texts.BUTTON_NONE_OF_THESE), f"{DATA_PREFIX}{NONE_OF_THESE}"),),)
    question = _(texts.TIMEZONE_CONFIRM) if len(choices) == 1 else _(texts.TIMEZONE_PICK)
    turn.say(choice_question(question, rows))


async def on_choice(ctx: Context) -> str | None:
    """A zone picked: stored, and the client's future prompts worked out again in it."""
    turn, name = ctx.turn, ctx.data.removeprefix(DATA_PREFIX)
    if name == NONE_OF_THESE:
        turn.say(note(_(texts.TIMEZONE_UNCHANGED)))
        return None
    try:
        zone_from_name(name)
    except ValueError:
        return _(texts.BUTTON_EXPIRED)
    if name != turn.person.timezone:
        await turn.tx.people.set_timezone(turn.person.id, name, turn.now)
        turn.person.timezone = name
        await turn.tx.due_prompts.drop_future_pending(turn.person.id, turn.now)
        await turn.tx.schedules.rematerialise_for_person(turn.person.id, turn.now)
    turn.say(note(_(texts.TIMEZONE_SET).format(zone=describe_zone(name, turn.now))))
    log.info("person %s changed time zone", turn.person.id)
    return None


def register(router: Router) -> None:
    help_line = texts.HELP_LINES["timezone"]
    router.command(Command("timezone", texts.COMMAND_NAMES["timezone"], on_timezone, help=help_line))
    router.button(ButtonRoute(DATA_PREFIX, on_choice))
