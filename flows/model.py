"""What a flow is made of: steps, options, the flow itself and a conversation's stored state.

Pure data. A :class:`Step` refuses the combinations of fields that mean nothing (a timer on a
text step, options on a scale…) when it is written, so a flow module cannot declare them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

from bot.core.i18n import _

if TYPE_CHECKING:
    from flows.scoring import Scoring
    from flows.sections import DigestSection
    from flows.timer import TimerPlan

Answers: TypeAlias = Mapping[str, Any]
"""Answers by step id; JSON-serialisable values. A skipped optional step maps to ``None``."""


class AnswerKind(StrEnum):
    """What kind of answer a step takes; transports choose widgets by it."""

    SCALE = "scale"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    TEXT = "text"
    TIMER = "timer"


@dataclass(frozen=True, slots=True)
class Option:
    """One choice. ``id`` is stored and travels in button data: short, ASCII, never renamed."""

    id: str
    label: str
    value: int | None = None
    """What the option counts for where a flow is scored (PHQ-9's "Several days" is 1)."""


STOP: str = "stop"
"""The answer that ends a timed step early (a button, or /skip)."""

CUSTOM_PREFIX = "~"
"""Marks an item the client typed themselves at a multi-choice step."""
CUSTOM_MAX_LENGTH = 24
CUSTOM_MAX_ITEMS = 5
OWN_WORDS_MAX_LENGTH = 200
"""The client's own answer at a choice step (a step of their ladder, in a few words)."""
DEFAULT_MAX_LENGTH = 4096


@dataclass(frozen=True, slots=True)
class Step:
    """One question of a flow. ``id`` is stored with conversations, so it never changes."""

    id: str
    prompt: str
    kind: AnswerKind
    options: tuple[Option, ...] = ()
    low: int = 0
    high: int = 10
    optional: bool = False
    max_length: int = DEFAULT_MAX_LENGTH
    columns: int = 2
    when: Callable[[Answers], bool] | None = None
    """Ask this step only if this holds for the answers so far (e.g. 'other' was picked)."""
    scale_step: int = 1
    """Buttons every ``scale_step`` (0, 10 … 100); any whole number in range may be typed."""
    per_item: str | None = None
    """Ask once for each item picked at that earlier multi-choice step; ``{item}`` in the
    prompt is the item. The answer is a mapping item → value."""
    items_from: str | None = None
    """Like ``per_item``, over items listed in the answers under this key as ``[id, label]``
    pairs, put there when the flow starts (a client's goals): ``{item}`` is the label as
    written. The answer is a mapping item id → value."""
    allow_custom: bool = False
    """A multi-choice step where the client may also type their own items (comma-separated)."""
    timer: Callable[[Answers], TimerPlan] | None = None
    """A timed step: the plan of its live message, built from the answers so far. Its
    ``options`` are the check-in answers; Stop is always offered."""
    options_from: str | None = None
    """A choice step whose options are not fixed: they are listed in the answers under this key
    as ``[id, label]`` pairs, put there when the flow starts (see :func:`flows.start`)."""
    parse: Callable[[str], Any] | None = None
    """A text step whose words mean a value: called with the stripped text, it returns the
    JSON-serialisable value to store, or raises ``ValueError(reason)`` to re-ask with that
    reason (kind words, written by the flow)."""
    alert: ItemAlert | None = None
    """An answer that must bring the safety response at once, before the next question
    (PHQ-9 item 9 above "Not at all")."""
    own_words: str | None = None
    """A choice step where the client may name their own answer: the label of the button that
    asks for it ("Another step"). Typed words that name no option are kept as theirs
    (``~words``); with no options to pick from (no ladder given), they are asked to type it."""

    def __post_init__(self) -> None:
        problem = step_problem(self)
        if problem is not None:
            raise ValueError(f"step {self.id!r}: {problem}")

    def option(self, option_id: str) -> Option | None:
        """One of the fixed ``options`` (see :func:`step_options` for a choice step's options)."""
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True, slots=True)
class ItemAlert:
    """The answers to one step that bring the safety response: a value of at least ``at_least``
    (a scale's number, or a choice option's ``value``). Data, so a practice's file can declare it."""

    at_least: int

    def fires(self, step: Step, answer: Any) -> bool:
        value = answer_value(step, answer)
        return value is not None and value >= self.at_least


def answer_value(step: Step, answer: Any) -> int | None:
    """The number an answer counts for: a scale's value, a choice option's ``value``; else None."""
    if step.kind is AnswerKind.SCALE and isinstance(answer, int) and not isinstance(answer, bool):
        return answer
    if step.kind is AnswerKind.CHOICE and isinstance(answer, str):
        option = step.option(answer)
        return option.value if option is not None else None
    return None


def step_problem(step: Step) -> str | None:
    """Why this combination of fields means nothing, or None when it is sound."""
    kind = step.kind
    with_options = (AnswerKind.CHOICE, AnswerKind.MULTI_CHOICE, AnswerKind.TIMER)
    rules = (
        (
            step.options_from is not None and (kind is not AnswerKind.CHOICE or bool(step.options)),
            "options_from is for choice steps without fixed options",
        ),
        (step.parse is not None and kind is not AnswerKind.TEXT, "parse is for text steps"),
        ((step.timer is None) == (kind is AnswerKind.TIMER), "a timer step needs a timer, and only it"),
        (bool(step.options) and kind not in with_options, "options are for choice and timer steps"),
        (kind is AnswerKind.MULTI_CHOICE and not step.options, "a multi-choice step needs options"),
        (
            kind is AnswerKind.CHOICE and not step.options and step.options_from is None,
            "a choice step needs options or options_from",
        ),
        (step.allow_custom and kind is not AnswerKind.MULTI_CHOICE, "allow_custom is for multi-choice"),
        (step.own_words is not None and kind is not AnswerKind.CHOICE, "own_words is for choice steps"),
        (
            kind is AnswerKind.SCALE and (step.low >= step.high or step.scale_step < 1),
            "a scale needs low < high and scale_step >= 1",
        ),
        (kind is not AnswerKind.SCALE and step.scale_step != 1, "scale_step is for scale steps"),
        (
            kind is not AnswerKind.TEXT and step.max_length != DEFAULT_MAX_LENGTH,
            "max_length is for text steps",
        ),
        (step.max_length < 1 or step.columns < 1, "max_length and columns are at least 1"),
        (
            step.per_item is not None and kind in (AnswerKind.MULTI_CHOICE, AnswerKind.TIMER),
            "per_item is for scale, choice and text steps",
        ),
        (
            step.items_from is not None and (step.per_item is not None or kind is AnswerKind.TIMER),
            "items_from is for scale, choice and text steps without per_item",
        ),
        (step.optional and kind is AnswerKind.TIMER, "a timer is stopped, not skipped: never optional"),
        (
            step.alert is not None and kind not in (AnswerKind.SCALE, AnswerKind.CHOICE),
            "an item alert is for scale and choice steps",
        ),
        (
            step.alert is not None
            and kind is AnswerKind.CHOICE
            and not any(o.value is not None for o in step.options),
            "an item alert on a choice step needs options with values",
        ),
    )
    return next((reason for broken, reason in rules if broken), None)


def step_options(step: Step, answers: Answers) -> tuple[Option, ...]:
    """The options of a step: its fixed ``options``, or those listed in the answers under its
    ``options_from`` key (entries that are not an ``[id, label]`` pair of strings are ignored)."""
    if step.options_from is None:
        return step.options
    listed = answers.get(step.options_from)
    if not isinstance(listed, list | tuple):
        return ()
    return tuple(Option(entry[0], entry[1]) for entry in listed if _is_pair(entry))


def _is_pair(entry: object) -> bool:
    return (
        isinstance(entry, list | tuple)
        and len(entry) == 2
        and all(isinstance(part, str) and part for part in entry)
    )


@dataclass(frozen=True, slots=True)
class Flow:
    """A homework type: its steps in order and how to sum up a finished one."""

    id: str
    title: str
    command: str
    description: str
    steps: tuple[Step, ...]
    summarize: Callable[[Answers], str]
    intro: str | None = None
    records_entry: bool = True
    """Homework is an entry in the journal; a side question (why skip?) is not."""
    keeps_drafts: bool = False
    """Left with /cancel, it is offered for resuming next time (long exercises, not check-ins)."""
    journal_line: Callable[[Answers], str] | None = None
    """One line about an entry for the client's journal (/history)."""
    journal_detail: Callable[[Answers], str] | None = None
    """The whole entry, when the journal offers to open it."""
    digest: DigestSection[Any] | None = None
    """What the therapist's pre-session digest shows of it (see ``flows.sections``)."""
    one: str | None = None
    """How a sentence names one of it, where "a" and the title would read wrong ("an
    urge-surfing session"); by default "a"/"an" and the title."""
    version: str = "1"
    """The definition's version, stored with every entry answered under it, so a later edit of
    a data-defined homework never changes how old entries read."""
    scoring: Scoring | None = None
    """How a finished entry is scored (measures such as PHQ-9); see ``flows.scoring``."""
    min_interval_days: int = 0
    """The shortest interval it may be assigned at: a measure asking about the last two weeks
    is never daily (``/assign`` refuses, kindly). 0: no limit."""
    attribution: str | None = None
    """Attribution and licence text the content carries (validated measures), shown with it."""

    @property
    def a_title(self) -> str:
        """The title as a sentence names one: "a mood check", "an urge-surfing session", in the
        language being read (a language without articles of this kind names the title alone)."""
        if self.one:
            return _(self.one)
        if self.title[:1].lower() in "aeiou":
            # TRANSLATORS: a homework named in a sentence ("You have an urge-surfing session
            # open"); where the article depends on the word, write "{title}" alone.
            return _("an {title}").format(title=_(self.title))
        # TRANSLATORS: as "an {title}".
        return _("a {title}").format(title=_(self.title))

    @property
    def shown_title(self) -> str:
        """The title in the language being read."""
        return _(self.title)

    def __post_init__(self) -> None:
        ids = [s.id for s in self.steps]
        if not ids or len(ids) != len(set(ids)):
            raise ValueError(f"flow {self.id!r} needs at least one step and unique step ids")
        for position, step in enumerate(self.steps):
            earlier = {s.id: s for s in self.steps[:position]}
            source = earlier.get(step.per_item) if step.per_item is not None else None
            if step.per_item is not None and (source is None or source.kind is not AnswerKind.MULTI_CHOICE):
                raise ValueError(f"step {step.id!r}: per_item names no earlier multi-choice step")

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def given_lists(self) -> tuple[str, ...]:
        """The lists its choice steps take their options from (``options_from``): for homework,
        what the therapist gives with the assignment (an exposure ladder's steps)."""
        return tuple(dict.fromkeys(s.options_from for s in self.steps if s.options_from is not None))

    def step_after(self, step_id: str, answers: Answers) -> Step | None:
        """The next step that applies to these answers, or None at the end."""
        ids = [s.id for s in self.steps]
        for following in self.steps[ids.index(step_id) + 1 :]:
            if repeats(following) and not item_ids(following, answers):
                continue
            if following.when is None or following.when(answers):
                return following
        return None


@dataclass(frozen=True, slots=True)
class FlowState:
    """Where one conversation stands. Plain data: stored as JSON between updates."""

    flow_id: str
    step_id: str
    answers: Mapping[str, Any] = field(default_factory=dict)
    selection: tuple[str, ...] = ()
    history: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "flow_id": self.flow_id,
            "step_id": self.step_id,
            "answers": dict(self.answers),
            "selection": list(self.selection),
            "history": list(self.history),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FlowState:
        return cls(
            flow_id=str(data["flow_id"]),
            step_id=str(data["step_id"]),
            answers=dict(data.get("answers") or {}),
            selection=tuple(data.get("selection") or ()),
            history=tuple(data.get("history") or ()),
        )


def item_label(flow: Flow, source_step_id: str, item: str) -> str:
    """What an item picked at a multi-choice step is called: its option's label, or the client's word."""
    if item.startswith(CUSTOM_PREFIX):
        return item[len(CUSTOM_PREFIX) :]
    source = flow.step(source_step_id)
    option = source.option(item) if source else None
    return _(option.label) if option else item


def repeats(step: Step) -> bool:
    """Asked once per item: picked earlier (``per_item``) or listed at the start (``items_from``)."""
    return step.per_item is not None or step.items_from is not None


def item_ids(step: Step, answers: Answers) -> tuple[str, ...]:
    """The items a repeated step is asked about, in order."""
    if step.items_from is not None:
        listed = answers.get(step.items_from)
        return tuple(e[0] for e in listed if _is_pair(e)) if isinstance(listed, list | tuple) else ()
    return tuple(answers.get(step.per_item) or ()) if step.per_item is not None else ()


def listed_label(step: Step, answers: Answers, item: str) -> str:
    """What an item of an ``items_from`` step is called: its label as listed (else its id)."""
    listed = answers.get(step.items_from) if step.items_from is not None else None
    pairs = [e for e in listed if _is_pair(e)] if isinstance(listed, list | tuple) else []
    return next((str(e[1]) for e in pairs if e[0] == item), item)


def current_item(step: Step, answers: Answers) -> str | None:
    """For a per-item step: the first picked item not answered yet (None when all are)."""
    if not repeats(step):
        return None
    done = answers.get(step.id) or {}
    return next((i for i in item_ids(step, answers) if i not in done), None)
