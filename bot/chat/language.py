"""/language: the person picks the language Between writes to them in, from buttons.

Each button names its language in that language (from its own catalogue), so a person who
cannot read the current one still finds theirs. The choice is stored on the person; a client
whose consent was given in another language is asked again, in the new one.
"""

from __future__ import annotations

import logging

from bot.chat import texts
from bot.chat.router import ButtonRoute, Command, Context, Router
from bot.chat.turn import note
from bot.core.i18n import _, formal_now, installed, reading, supported
from bot.core.messages import Button, choice_question

log = logging.getLogger(__name__)

DATA_PREFIX = "lang:"


def own_name(language: str) -> str:
    """'Deutsch' for "de": the language's name in itself."""
    with reading(language):
        return _(texts.LANGUAGE_OWN_NAME)


async def on_language(ctx: Context) -> None:
    rows = tuple((Button(own_name(code), f"{DATA_PREFIX}{code}"),) for code in installed())
    ctx.turn.say(choice_question(_(texts.LANGUAGE_PICK), rows))


async def on_choice(ctx: Context) -> str | None:
    """A language picked: stored, and said in that language from this reply on."""
    turn, asked = ctx.turn, ctx.data.removeprefix(DATA_PREFIX)
    language = supported(asked)
    if language is None or language != asked:
        return _(texts.BUTTON_EXPIRED)  # forged, or a language no longer installed
    if language != turn.person.language:
        await turn.tx.people.set_language(turn.person, language, turn.now)
        log.info("person %s chose a language", turn.person.id)
    with reading(language, formal=formal_now()):
        turn.say(note(_(texts.LANGUAGE_SET)))
    return None


def register(router: Router) -> None:
    help_line = texts.HELP_LINES["language"]
    description = texts.COMMAND_NAMES["language"]
    router.command(Command("language", description, on_language, help=help_line, before_consent=True))
    router.button(ButtonRoute(DATA_PREFIX, on_choice, before_consent=True))
