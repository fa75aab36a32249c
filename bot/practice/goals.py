"""A client's goals, kept by their therapist: ``/goal`` (list, add, edit, retire), its guided
forms, and the goal rating's two hooks (what it starts with, where its ratings go).

The goals are the client's words as the therapist writes them down; each change is dated in
``storage.goals`` and audited (ids and action names only, never the words). A therapist reaches
only their own clients, as everywhere.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from bot.chat import texts
from bot.chat.turn import Turn, note
from bot.core import formatting
from bot.core.errors import UsageError
from bot.core.i18n import _
from bot.core.timezones import zone_or_utc
from bot.practice import texts as ptexts
from bot.practice.therapist import Desk, find_client
from flows import Flow
from flows.assign import ASSIGN
from flows.goal_form import (
    GOAL_CLIENT,
    GOAL_MAX_LENGTH,
    GOAL_PICK,
    GOAL_WORDS,
    GoalRequest,
    client_context,
    goal_request,
    pick_context,
    words_context,
)
from flows.goal_rating import NO_GOALS, goals_context
from flows.sections import inline
from storage import OpenConversation, PersonRow, TherapistRow
from storage.goals import MAX_ACTIVE, GoalRow

log = logging.getLogger(__name__)

ACTIONS: Final = ("add", "edit", "retire")
QUOTES: Final = {'"': '"', "“": "”", "„": "“", "«": "»", "'": "'"}
"""Opening quote → its closing one (phones curl quotes as they are typed)."""
_NUMBER = re.compile(r"#?(\d{1,4})")


@dataclass(frozen=True, slots=True)
class GoalCommand:
    """``/goal`` as typed: whose goals, what to do, which goal, which words (None: not given)."""

    alias: str
    action: str | None = None
    number: int | None = None
    words: str | None = None


def parse_goal_command(args: str) -> GoalCommand:
    """``<alias> [add "…" | edit <number> ["…"] | retire <number>]``; raises UsageError."""
    alias, _gap, rest = args.strip().partition(" ")
    action, _gap, rest = rest.strip().partition(" ")
    if not action:
        return GoalCommand(alias)
    if action.lower() not in ACTIONS:
        raise UsageError(_(ptexts.GOAL_UNKNOWN_ACTION).format(word=action[:20]))
    action, rest = action.lower(), rest.strip()
    number = None
    if action != "add" and rest:
        first, _gap, after = rest.partition(" ")
        if (match := _NUMBER.fullmatch(first)) is None:
            raise UsageError(_(ptexts.GOAL_NOT_A_NUMBER).format(word=first[:20], alias=alias))
        number, rest = int(match.group(1)), after.strip()
    if action == "retire" and rest:
        raise UsageError(_(ptexts.GOAL_EXTRA_WORDS).format(alias=alias))
    return GoalCommand(alias, action, number, _quoted(rest, alias, action) if rest else None)


def _quoted(text: str, alias: str, action: str) -> str:
    closing = QUOTES.get(text[0])
    if closing is None or len(text) < 2 or text[-1] not in (closing, '"'):
        raise UsageError(_(ptexts.GOAL_QUOTES_MISSING).format(alias=alias, action=action))
    words = " ".join(text[1:-1].split())
    if not words:
        raise UsageError(_(ptexts.GOAL_EMPTY))
    if len(words) > GOAL_MAX_LENGTH:
        raise UsageError(_(ptexts.GOAL_TOO_LONG).format(limit=GOAL_MAX_LENGTH))
    return words


async def goal(turn: Turn, therapist: TherapistRow, args: str, desk: Desk) -> None:
    """``/goal``: one line does it at once; a missing part is asked for (a guided form)."""
    if not args:
        clients = await turn.tx.clients.of(therapist.person_id)
        if not clients:
            turn.say(note(_(ptexts.GOAL_NEED_CLIENTS)))
            return
        await _start_form(turn, desk, GOAL_CLIENT, client_context([(c.id, c.alias or "") for c in clients]))
        return
    try:
        command = parse_goal_command(args)
    except UsageError as error:
        turn.say(note(ptexts.could_not_read(error, _(ptexts.GOAL_USAGE))))
        return
    client = await find_client(turn, therapist, command.alias)
    if client is None:
        return
    await _carry_out(turn, therapist, client, command, desk)


async def _carry_out(
    turn: Turn, therapist: TherapistRow, client: PersonRow, command: GoalCommand, desk: Desk
) -> None:
    """Do what the command says, or ask for the part it lacks."""
    action, number, words = command.action, command.number, command.words
    if action is None or action == "list":
        await list_goals(turn, client)
    elif action == "add" and words is None:
        if await _room_for_one(turn, client):
            await _start_form(turn, desk, GOAL_WORDS, words_context(client.id, "add"))
    elif action == "add" and words is not None:
        await add_goal(turn, therapist, client, words)
    elif number is None:
        active = await turn.tx.goals.active(client.id)
        if not active:
            turn.say(note(_(ptexts.GOAL_NONE_ACTIVE).format(alias=_alias(client))))
            return
        goals = [(g.number, g.text) for g in active]
        await _start_form(turn, desk, GOAL_PICK, pick_context(client.id, action, goals))
    elif (found := await _active_goal(turn, client, number)) is None:
        return
    elif action == "retire":
        await retire_goal(turn, therapist, client, found)
    elif words is None:
        await _start_form(turn, desk, GOAL_WORDS, words_context(client.id, "edit", number))
    else:
        await edit_goal(turn, therapist, client, found, words)


async def _start_form(turn: Turn, desk: Desk, form: Flow, context: Mapping[str, Any]) -> None:
    """Ask for the missing part — unless a question is open here already: that one first."""
    _person, open_now = await turn.tx.people.get_with_conversation(turn.person.id)
    if open_now is None:
        await desk.start_flow(turn, form, context=context)
        return
    known = (*desk.flows, ASSIGN, GOAL_CLIENT, GOAL_PICK, GOAL_WORDS)
    flow = next((f for f in known if f.id == open_now.flow_id), None)
    turn.say(note(_(texts.FINISH_OPEN_FIRST).format(a_title=flow.a_title if flow else form.a_title)))


def _alias(client: PersonRow) -> str:
    return client.alias or f"#{client.id}"


async def _room_for_one(turn: Turn, client: PersonRow) -> bool:
    if len(await turn.tx.goals.active(client.id)) < MAX_ACTIVE:
        return True
    turn.say(note(_(ptexts.GOAL_TOO_MANY).format(alias=_alias(client))))
    return False


async def _active_goal(turn: Turn, client: PersonRow, number: int) -> GoalRow | None:
    found = await turn.tx.goals.by_number(client.id, number)
    if found is None:
        turn.say(note(_(ptexts.GOAL_NO_SUCH).format(alias=_alias(client), number=number)))
    elif not found.active:
        turn.say(note(_(ptexts.GOAL_IS_RETIRED).format(alias=_alias(client), number=number)))
        return None
    return found


async def add_goal(turn: Turn, therapist: TherapistRow, client: PersonRow, words: str) -> None:
    added = await turn.tx.goals.add(client.id, words, therapist.person_id, turn.now)
    if added is None:
        turn.say(note(_(ptexts.GOAL_TOO_MANY).format(alias=_alias(client))))
        return
    await _audit(turn, therapist, client, "goal_added", added.number)
    turn.say(note(_(ptexts.GOAL_ADDED).format(number=added.number, alias=_alias(client))))


async def edit_goal(
    turn: Turn, therapist: TherapistRow, client: PersonRow, found: GoalRow, words: str
) -> None:
    await turn.tx.goals.edit(found, words, therapist.person_id, turn.now)
    await _audit(turn, therapist, client, "goal_edited", found.number)
    turn.say(note(_(ptexts.GOAL_EDITED).format(number=found.number, alias=_alias(client))))


async def retire_goal(turn: Turn, therapist: TherapistRow, client: PersonRow, found: GoalRow) -> None:
    await turn.tx.goals.retire(found, therapist.person_id, turn.now)
    await _audit(turn, therapist, client, "goal_retired", found.number)
    turn.say(note(_(ptexts.GOAL_RETIRED).format(number=found.number, alias=_alias(client))))


async def _audit(turn: Turn, therapist: TherapistRow, client: PersonRow, action: str, number: int) -> None:
    await turn.tx.audit.record(turn.now, therapist.person_id, action, client.id, f"goal {number}")
    log.info("therapist %s: %s (client %s, goal %s)", therapist.person_id, action, client.id, number)


async def list_goals(turn: Turn, client: PersonRow) -> None:
    """The client's goals, numbered, with their latest rating; retired ones after them."""
    alias = _alias(client)
    goals = await turn.tx.goals.of(client.id)
    if not goals:
        turn.say(note(_(ptexts.GOALS_NONE).format(alias=alias)))
        return
    zone = zone_or_utc(turn.person.timezone)
    latest = {r.goal_id: r for r in await turn.tx.goals.ratings(client.id)}  # oldest first: the last wins
    lines = [_(ptexts.GOALS_HEADER).format(alias=alias)]
    for g in (g for g in goals if g.active):
        rating = latest.get(g.id)
        shown = (
            _(ptexts.GOAL_LATEST).format(
                value=rating.value, when=formatting.day(rating.rated_at.astimezone(zone))
            )
            if rating
            else _(ptexts.GOAL_UNRATED)
        )
        set_on = formatting.day(g.created_at.astimezone(zone))
        lines.append(
            _(ptexts.GOAL_LINE).format(number=g.number, words=inline(g.text), set=set_on, rating=shown)
        )
    retired = [g for g in goals if not g.active]
    if retired:
        lines.append(_(ptexts.GOALS_RETIRED_HEADER))
        lines += [
            _(ptexts.GOAL_RETIRED_LINE).format(
                number=g.number,
                words=inline(g.text),
                when=formatting.day((g.retired_at or g.updated_at).astimezone(zone)),
            )
            for g in retired
        ]
    lines += ["", _(ptexts.GOALS_FOOTER).format(alias=alias)]
    turn.say(note("\n".join(lines)))


# --- the guided forms' ends -------------------------------------------------------------------


async def finish_form(turn: Turn, answers: Mapping[str, Any], desk: Desk) -> None:
    """A finished guided form: do what it asks (or ask the next part of it)."""
    therapist = await turn.tx.therapists.get(turn.person.id)
    try:
        request = goal_request(answers)
    except ValueError:
        request = None
    client = await turn.tx.people.get(request.client_id) if request else None
    if request is None or therapist is None or client is None or client.therapist_id != therapist.person_id:
        turn.say(note(_(ptexts.GOAL_CLIENT_GONE)))
        return
    await _carry_out(turn, therapist, client, _as_command(client, request), desk)


def _as_command(client: PersonRow, request: GoalRequest) -> GoalCommand:
    return GoalCommand(_alias(client), request.action, request.number, request.words)


# --- the client's goal rating ----------------------------------------------------------------


async def rating_context(turn: Turn) -> Mapping[str, Any] | str:
    """What the goal rating starts with: the client's active goals, or a kind line if none."""
    active = await turn.tx.goals.active(turn.person.id)
    if not active:
        return NO_GOALS
    return goals_context((g.number, g.text) for g in active)


async def record_ratings(turn: Turn, conversation: OpenConversation, answers: Mapping[str, Any]) -> None:
    """However the rating ended, the goals rated so far are kept with their time."""
    given = answers.get("rating")
    if not isinstance(given, Mapping):
        return
    ratings = [(int(k), v) for k, v in given.items() if str(k).isdigit() and isinstance(v, int)]
    kept = await turn.tx.goals.rate(turn.person.id, ratings, conversation.entry_id, turn.now)
    log.info("person %s rated %s goals (entry %s)", turn.person.id, kept, conversation.entry_id)
