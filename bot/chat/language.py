"""/language, and a newcomer's language on a messenger that sends none: one question for both.

The question offers each installed language by its own name (from its own catalogue), so a
person who cannot read the current one still finds theirs. ``/language`` stores the choice on
the person; a client whose consent was given in another language is asked again, in the new one.

A messenger that tells us nothing of a person's language (Signal) has a newcomer asked first:
``start CODE`` gets the question, in every installed language, before the consent text, with
the code riding on its buttons (nothing about them is stored before they agree, but this one
answer). Their choice is remembered for their user id (``storage``'s told-once facts) until a
row of theirs is made: it becomes their ``people.language``, and what they read until then
(the consent text and its version, too) is in it. Anything else typed meanwhile gets a kind
re-ask in every language, and the question stays open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.chat import texts
from bot.chat.router import ButtonRoute, Command, Context, Router, button_data, button_fields
from bot.chat.turn import (
    ButtonPressed,
    CommandReceived,
    Event,
    Sender,
    TextReceived,
    UnsupportedReceived,
    note,
)
from bot.core.codes import looks_like_code
from bot.core.i18n import _, formal_now, installed, reading, supported
from bot.core.messages import Button, Outgoing, Purpose, choice_question
from storage import Transaction

log = logging.getLogger(__name__)

DATA_PREFIX = "lang:"
ASKED = "language_asked"
"""A newcomer was asked their language (told-once fact; subject: their user id)."""
CHOSEN = "language:"
"""A newcomer chose a language (the fact is this and the language)."""
FORGET_AFTER = timedelta(days=7)
"""A newcomer who never agreed: what they answered is forgotten after this long."""


def own_name(language: str) -> str:
    """'Deutsch' for "de": the language's name in itself."""
    with reading(language):
        return _(texts.LANGUAGE_OWN_NAME)


def language_question(text: str, code: str | None = None) -> Outgoing:
    """Each installed language by its own name; a newcomer's buttons carry their ``code``."""
    extra = (code,) if code is not None else ()
    rows = tuple((Button(own_name(lang), button_data(DATA_PREFIX, lang, *extra)),) for lang in installed())
    return choice_question(text, rows)


def picked(data: str) -> tuple[str, str | None] | None:
    """The language a button picks, and the code it carries (a newcomer's); None: forged, or a
    language no longer installed."""
    if not data.startswith(DATA_PREFIX):
        return None
    language, *rest = button_fields(data, DATA_PREFIX)
    if supported(language) != language or len(rest) > 1 or not all(looks_like_code(c) for c in rest):
        return None
    return language, rest[0] if rest else None


async def on_language(ctx: Context) -> None:
    ctx.turn.say(language_question(_(texts.LANGUAGE_PICK)))


async def on_choice(ctx: Context) -> str | None:
    """A language picked: stored, and said in that language from this reply on."""
    turn, choice = ctx.turn, picked(ctx.data)
    if choice is None or choice[1] is not None:
        return _(texts.BUTTON_EXPIRED)  # forged, or a newcomer's question answered after joining
    language = choice[0]
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


# --- a newcomer on a messenger that sends no language --------------------------------------------


def in_every_language(message: str) -> str:
    """``message`` once in each installed language, a line each."""
    said = []
    for language in installed():
        with reading(language):
            said.append(_(message))
    return "\n".join(said)


@dataclass(frozen=True, slots=True)
class Met:
    """What becomes of a newcomer's event: handled on (``event``, as ``sender``: in their
    language, once chosen), or only answered (``event`` None)."""

    sender: Sender
    event: Event | None
    replies: list[Outgoing] = field(default_factory=list)


async def meet_newcomer(tx: Transaction, sender: Sender, event: Event, now: datetime, *, risky: bool) -> Met:
    """A person we have no row for, on a messenger that sends no language (see the module
    docstring). Risk language always goes on, to the crisis resources."""
    if sender.language is not None or len(installed()) < 2:
        return Met(sender, event)
    told = await tx.told_once.about(sender.transport, sender.user_id)
    chosen = next((f.removeprefix(CHOSEN) for f in sorted(told) if f.startswith(CHOSEN)), None)
    if supported(chosen) is not None:
        return Met(replace(sender, language=chosen), event)
    match event:
        case CommandReceived(name, args) if name.lower() == "start" and looks_like_code(args):
            await _remember(tx, sender, ASKED, now)
            log.info("a newcomer was asked their language")
            question = in_every_language(texts.LANGUAGE_NEWCOMER)
            return Met(sender, None, [language_question(question, args.strip())])
        case ButtonPressed(data, message_id) if (choice := picked(data)) and (code := choice[1]):
            language = choice[0]
            await tx.told_once.forget(sender.transport, ASKED, sender.user_id)
            await _remember(tx, sender, CHOSEN + language, now)
            log.info("a newcomer chose a language")
            closed = _closed(message_id, language)
            return Met(replace(sender, language=language), CommandReceived("start", code), closed)
        case TextReceived() | CommandReceived() | UnsupportedReceived() if ASKED in told and not risky:
            names = ", ".join(own_name(language) for language in installed())
            again = in_every_language(texts.LANGUAGE_NEWCOMER_AGAIN).format(names=names)
            return Met(sender, None, [note(again)])
    return Met(sender, event)


async def newcomer_admitted(tx: Transaction, sender: Sender) -> None:
    """A row of theirs was made (with their language): what they answered before goes."""
    for fact in await tx.told_once.about(sender.transport, sender.user_id):
        if fact == ASKED or fact.startswith(CHOSEN):
            await tx.told_once.forget(sender.transport, fact, sender.user_id)


async def _remember(tx: Transaction, sender: Sender, fact: str, now: datetime) -> None:
    facts = [ASKED, *(CHOSEN + language for language in installed())]
    await tx.told_once.forget_told_before(sender.transport, facts, now - FORGET_AFTER)
    await tx.told_once.tell(sender.transport, fact, sender.user_id, now)


def _closed(message_id: str | None, language: str) -> list[Outgoing]:
    """The question loses its numbers and says what was chosen."""
    if message_id is None:
        return []
    text = f"{in_every_language(texts.LANGUAGE_NEWCOMER)}\n\n✓ {own_name(language)}"
    return [Outgoing(text=text, purpose=Purpose.CLOSE_PROMPT, edit_of=message_id)]
