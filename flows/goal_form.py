"""The guided ``/goal``: what a therapist is asked when the one-line form lacks a part.

Three short forms, each started with what is already known (as the guided ``/assign`` is):
``GOAL_CLIENT`` asks whose goals and what to do, ``GOAL_PICK`` which goal (and, to edit it,
its new words), ``GOAL_WORDS`` the words of a new or edited goal. The practice reads the
finished answers with :func:`goal_request` and makes the change. Not homework: no journal
entry, no drafts. Every string the therapist reads in them is here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from bot.core.i18n import N_, _
from flows.model import AnswerKind, Answers, Flow, Option, Step

GOAL_MAX_LENGTH: Final = 300
"""A goal is a sentence or two in the client's words."""

CLIENT_PROMPT: Final = N_("Whose goals?")
ACTION_PROMPT: Final = N_("What would you like to do?")
PICK_PROMPT: Final = N_("Which goal?")
WORDS_PROMPT: Final = N_(
    "Write the goal in your client's own words (a sentence or two). A reworded goal keeps its old words too."
)
NEW_WORDS_PROMPT: Final = N_(
    "Write the goal's new words, in your client's own words. The old words are kept."
)
SAVING: Final = N_("Saving…")

ACTIONS: Final = (
    Option("list", N_("Show the goals")),
    Option("add", N_("Add a goal")),
    Option("edit", N_("Reword a goal")),
    Option("retire", N_("Retire a goal")),
)

CLIENT_KEY: Final = "client"
ACTION_KEY: Final = "action"
NUMBER_KEY: Final = "number"
CLIENTS_KEY: Final = "clients"
GOALS_KEY: Final = "goal_choices"


@dataclass(frozen=True, slots=True)
class GoalRequest:
    """What a finished form asks for: whose goals, what to do, which goal, which words."""

    client_id: int
    action: str
    number: int | None
    words: str | None


def client_context(clients: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """``GOAL_CLIENT`` starts with the therapist's clients as (person id, alias)."""
    return {CLIENTS_KEY: [[str(person_id), alias] for person_id, alias in clients]}


def pick_context(client_id: int, action: str, goals: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """``GOAL_PICK`` starts with the client, the action and their active goals (number, words)."""
    choices = [[str(number), f"#{number} {words[:40]}"] for number, words in goals]
    return {CLIENT_KEY: str(client_id), ACTION_KEY: action, GOALS_KEY: choices}


def words_context(client_id: int, action: str, number: int | None = None) -> dict[str, Any]:
    """``GOAL_WORDS`` starts with the client, the action and (to edit) the goal's number."""
    return {CLIENT_KEY: str(client_id), ACTION_KEY: action, NUMBER_KEY: number}


def goal_request(answers: Answers) -> GoalRequest:
    """Read a finished form's answers. Raises ValueError if they are not those."""
    try:
        number = answers.get("goal", answers.get(NUMBER_KEY))
        words = answers.get("words")
        return GoalRequest(
            client_id=int(answers[CLIENT_KEY]),
            action=str(answers[ACTION_KEY]),
            number=int(number) if number is not None else None,
            words=str(words).strip() if words else None,
        )
    except (KeyError, TypeError) as missing:
        raise ValueError(f"not the answers of a finished goal form: {missing!r}") from missing


def _saving(answers: Answers) -> str:
    return _(SAVING)


def _edit(answers: Answers) -> bool:
    return answers.get(ACTION_KEY) == "edit"


GOAL_CLIENT: Final = Flow(
    id="goal_client",
    title=N_("goal form"),
    command="",
    description="a therapist picks a client and what to do with their goals",
    steps=(
        Step(CLIENT_KEY, CLIENT_PROMPT, AnswerKind.CHOICE, options_from=CLIENTS_KEY, columns=2),
        Step(ACTION_KEY, ACTION_PROMPT, AnswerKind.CHOICE, options=ACTIONS, columns=2),
    ),
    summarize=_saving,
    records_entry=False,
)

GOAL_PICK: Final = Flow(
    id="goal_pick",
    title=N_("goal form"),
    command="",
    description="a therapist picks one of a client's goals (and rewords it)",
    steps=(
        Step("goal", PICK_PROMPT, AnswerKind.CHOICE, options_from=GOALS_KEY, columns=1),
        Step("words", NEW_WORDS_PROMPT, AnswerKind.TEXT, max_length=GOAL_MAX_LENGTH, when=_edit),
    ),
    summarize=_saving,
    records_entry=False,
)

GOAL_WORDS: Final = Flow(
    id="goal_words",
    title=N_("goal form"),
    command="",
    description="a therapist writes down a client's goal",
    steps=(Step("words", WORDS_PROMPT, AnswerKind.TEXT, max_length=GOAL_MAX_LENGTH),),
    summarize=_saving,
    records_entry=False,
)
