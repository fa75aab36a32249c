"""Homework defined as data: a TOML file read into the same :class:`Flow` the engine advances.

The format is documented in the README ("Homework as data"). Reading reports **every** problem,
each as one line with its field path (``steps[3].when.step: "feel" is this or a later step``),
so ``between homework check`` can show them all at once; a file with any problem is refused
whole. Conditions are read by :mod:`flows.conditions`, scoring checked by
:func:`flows.scoring.scoring_problems`, and the words a data-defined homework says (summary,
journal, digest) are built by :mod:`flows.defined`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from flows.conditions import ConditionReader
from flows.defined import Highlight, Templates, template_problems, worded
from flows.model import AnswerKind, Flow, ItemAlert, Option, Step
from flows.scoring import Band, Method, ScoredItem, Scoring, scoring_problems
from flows.translations import Languages, read_languages, step_labels, translated

MAX_BYTES: Final = 64 * 1024
"""A definition is a few kilobytes; a larger file is refused unread."""
MAX_STEPS: Final = 100
ID: Final = re.compile(r"[a-z][a-z0-9_]{0,31}")
"""Homework and step ids and commands: stored and typed, so short, lower case, never renamed."""
OPTION_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,24}")
"""Option ids travel in button data (at most 64 bytes with everything else)."""
VERSION: Final = re.compile(r"[A-Za-z0-9._-]{1,16}")
KINDS: Final = {
    "scale": AnswerKind.SCALE,
    "choice": AnswerKind.CHOICE,
    "multi_choice": AnswerKind.MULTI_CHOICE,
    "text": AnswerKind.TEXT,
}
HEADER_KEYS: Final = [
    "id",
    "version",
    "command",
    "title",
    "description",
    "intro",
    "summary",
    "journal",
    "attribution",
    "min_interval_days",
    "keeps_drafts",
    "steps",
    "scoring",
    "digest",
    "language",
    "translations",
]
STEP_KEYS: Final = ("id", "text", "kind", "label", "optional", "when", "per_item")
KIND_KEYS: Final[Mapping[str, tuple[str, ...]]] = {
    "scale": ("low", "high", "low_label", "high_label", "scale_step", "alert"),
    "choice": ("options", "options_from", "own_words", "columns", "alert"),
    "multi_choice": ("options", "columns", "allow_custom"),
    "text": ("max_length",),
}
SCORING_KEYS: Final = (
    "label",
    "method",
    "items",
    "bands",
    "derived",
    "loinc",
    "response_drop",
    "remission_below",
)


class DefinitionError(ValueError):
    """A definition that cannot stand; ``problems`` has one line for each thing wrong."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Definition:
    """A homework read from a file: the flow, the text it was read from (kept per version in the
    database, so old entries always read as they were answered) and the parsed data."""

    flow: Flow
    source: str
    data: Mapping[str, Any]
    labels: Mapping[str, str]
    """The short name of each step (its ``label``, else its id in words), for the digest and export."""
    highlight: Highlight | None = None
    """Which entries the digest names as rated highest and lowest (the ``[digest]`` table)."""


def parse_definition(raw: bytes, origin: str = "") -> Definition:
    """Read one definition file's bytes; raises :class:`DefinitionError` listing every problem.
    ``origin`` names the file where the log says a language is missing."""
    if len(raw) > MAX_BYTES:
        raise DefinitionError([f"file: {len(raw)} bytes, over the limit of {MAX_BYTES}"])
    try:
        source = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DefinitionError([f"file: not UTF-8 text (byte {error.start} cannot be read)"]) from None
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError([f"file: not valid TOML: {error}"]) from None
    return read_definition(data, source, origin)


def definition_problems(raw: bytes) -> list[str]:
    """Every problem of a definition file (empty: it can be installed)."""
    try:
        parse_definition(raw)
    except DefinitionError as error:
        return list(error.problems)
    return []


def read_definition(data: Mapping[str, Any], source: str = "", origin: str = "") -> Definition:
    """Build the flow from parsed TOML; raises :class:`DefinitionError` listing every problem."""
    problems: list[str] = []
    languages = read_languages(data, origin or f"homework {data.get('id')!r}", problems)
    fields = _Fields(data, "", problems)
    fields.unknown(HEADER_KEYS)
    flow_id = fields.text("id", pattern=ID)
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        problems.append("steps: at least one step, each a [[steps]] table")
        steps_data = []
    elif len(steps_data) > MAX_STEPS:
        problems.append(f"steps: at most {MAX_STEPS} steps")
    steps, labels = _steps(steps_data, problems)
    highlight = _highlight(data.get("digest"), steps, problems)
    templates = Templates(
        fields.text("summary", required=False, max_length=1000),
        fields.text("journal", required=False, max_length=200),
    )
    flow = _flow(fields, flow_id or "unnamed", steps)
    if flow is not None:
        flow = _scored(flow, data.get("scoring"), problems)
        problems += template_problems(templates, flow)
    if problems or flow is None:
        raise DefinitionError(problems or ["steps: no step could be read"])
    return _in_languages(flow, templates, labels, highlight, (data, source, languages))


def _in_languages(
    flow: Flow,
    templates: Templates,
    labels: Mapping[str, str],
    highlight: Highlight | None,
    read: tuple[Mapping[str, Any], str, Languages],
) -> Definition:
    """The definition with every text it says in each of its languages."""
    data, source, languages = read
    labels = step_labels(labels, languages)
    templates = Templates(
        *(
            languages.text(t, key) if t else None
            for t, key in ((templates.summary, "summary"), (templates.journal, "journal"))
        )
    )
    if highlight is not None and highlight.path_label:
        highlight = replace(
            highlight, path_label=languages.text(highlight.path_label, "digest", "path_label")
        )
    flow = translated(flow, data, languages)
    return Definition(worded(flow, templates, labels, highlight), source, data, labels, highlight)


def _highlight(table: object, steps: list[Step], problems: list[str]) -> Highlight | None:
    """The ``[digest]`` table: ``name`` (a step whose answer names an entry), ``rated_by`` (scale
    steps whose sum ranks the entries) and ``path`` (scale steps read as one course, such as
    distress before → at the peak → at the end, with its ``path_label``)."""
    if table is None:
        return None
    fields = _Fields(table if isinstance(table, Mapping) else {}, "digest", problems)
    fields.unknown(("name", "rated_by", "path", "path_label"))
    by_id = {s.id: s for s in steps}
    name = fields.text("name")
    if name is not None and name not in by_id:
        fields.problem("name", f'"{name}" is not a step of this homework')
    scales = [s.id for s in steps if s.kind is AnswerKind.SCALE and s.per_item is None]
    rated_by = _scale_list(fields, "rated_by", scales)
    path = _scale_list(fields, "path", scales)
    path_label = fields.text("path_label", required="path" in fields.data, max_length=60)
    if not rated_by and not path and "rated_by" not in fields.data and "path" not in fields.data:
        fields.problem("rated_by", "give rated_by (scales that rank the entries) or path (or both)")
    if name not in by_id or rated_by is None or path is None:
        return None
    return Highlight(name, rated_by, path, path_label or "")


def _scale_list(fields: _Fields, key: str, scales: list[str]) -> tuple[str, ...] | None:
    """An optional list of scale steps (empty when not given; None when it cannot stand)."""
    listed = fields.data.get(key)
    if listed is None:
        return ()
    if not isinstance(listed, list) or not listed or not all(r in scales for r in listed):
        fields.problem(key, f"a list of scale steps of this homework ({', '.join(scales) or 'none'})")
        return None
    return tuple(listed)


def _flow(fields: _Fields, flow_id: str, steps: list[Step]) -> Flow | None:
    min_interval = fields.integer("min_interval_days", 0, 366, default=0)
    try:
        return Flow(
            id=flow_id,
            title=fields.text("title", max_length=60) or flow_id,
            command=fields.text("command", pattern=ID) or flow_id,
            description=fields.text("description", max_length=200) or "",
            steps=tuple(steps),
            summarize=lambda answers: "",
            intro=fields.text("intro", required=False, max_length=2000),
            keeps_drafts=fields.flag("keeps_drafts"),
            version=_version(fields),
            min_interval_days=min_interval,
            attribution=fields.text("attribution", required=False, max_length=1000),
        )
    except ValueError:  # no steps, or duplicate ids: already reported step by step
        return None


def _version(fields: _Fields) -> str:
    value = fields.data.get("version")
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    return fields.text("version", pattern=VERSION) or "1"


def _steps(steps_data: list[Any], problems: list[str]) -> tuple[list[Step], dict[str, str]]:
    conditions = ConditionReader(steps_data, problems)
    steps: dict[str, Step] = {}
    labels: dict[str, str] = {}
    seen: set[str] = set()
    for index, table in enumerate(steps_data):
        path = f"steps[{index}]"
        if not isinstance(table, Mapping):
            problems.append(f"{path}: a step is a [[steps]] table")
            continue
        fields = _Fields(table, path, problems)
        step_id = fields.text("id", pattern=ID)
        duplicate = step_id is not None and step_id in seen
        seen.add(step_id or "")
        if duplicate:
            problems.append(f'{path}.id: "{step_id}" is already the id of an earlier step')
        conditions.position = index
        step = _step(fields, step_id or f"step{index}", steps, conditions)  # read all the same
        if step is not None and step_id is not None and not duplicate:
            steps[step_id] = step
            labels[step_id] = fields.text("label", required=False, max_length=60) or step_id.replace("_", " ")
    return list(steps.values()), labels


def _step(
    fields: _Fields, step_id: str, earlier: Mapping[str, Step], conditions: ConditionReader
) -> Step | None:
    kind_name = fields.text("kind")
    if kind_name is None:
        return None
    if kind_name not in KINDS:
        fields.problem("kind", f'unknown kind "{kind_name}" (known: {", ".join(KINDS)})')
        return None
    fields.unknown((*STEP_KEYS, *KIND_KEYS[kind_name]), kind=kind_name)
    kind = KINDS[kind_name]
    text = fields.text("text", max_length=2000) or ""
    when = None
    if "when" in fields.data:
        when = conditions.read(fields.data["when"], f"{fields.path}.when", earlier)
    per_item = fields.text("per_item", required=False)
    if per_item is not None and (
        per_item not in earlier or earlier[per_item].kind is not AnswerKind.MULTI_CHOICE
    ):
        fields.problem("per_item", f'"{per_item}" is not an earlier multi-choice step')
    extra = _kind_fields(fields, kind)
    if kind is AnswerKind.SCALE:
        text = _with_end_labels(fields, text, extra)
    if per_item is not None and not _only_item(text):
        fields.problem(
            "text", "only {item} may stand in braces in a per-item step (write {{ or }} for a brace)"
        )
    try:
        return Step(
            step_id, text, kind, optional=fields.flag("optional"), when=when, per_item=per_item, **extra
        )
    except ValueError as error:
        fields.problem("kind", str(error).removeprefix(f"step {step_id!r}: "))
        return None


def _kind_fields(fields: _Fields, kind: AnswerKind) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if kind is AnswerKind.SCALE:
        extra["low"] = fields.integer("low", -1000, 1000, default=0)
        extra["high"] = fields.integer("high", -1000, 1000, default=10)
        extra["scale_step"] = fields.integer("scale_step", 1, 1000, default=1)
        if extra["low"] >= extra["high"]:
            fields.problem(
                "high", f"a scale runs from low up to a higher high ({extra['low']}–{extra['high']})"
            )
            extra["high"] = extra["low"] + 1
    if kind is AnswerKind.CHOICE:
        extra.update(_given_options(fields))
    if kind in (AnswerKind.CHOICE, AnswerKind.MULTI_CHOICE):
        if "options_from" not in extra:
            extra["options"] = _options(fields)
        extra["columns"] = fields.integer("columns", 1, 8, default=1 if kind is AnswerKind.CHOICE else 2)
    if kind is AnswerKind.MULTI_CHOICE:
        extra["allow_custom"] = fields.flag("allow_custom")
    if kind is AnswerKind.TEXT:
        extra["max_length"] = fields.integer("max_length", 1, 4000, default=2000)
    if "alert" in fields.data:
        alert = fields.data["alert"]
        if isinstance(alert, Mapping) and set(alert) == {"at_least"} and _whole(alert["at_least"]):
            extra["alert"] = ItemAlert(int(alert["at_least"]))
        else:
            fields.problem("alert", "an item alert is { at_least = <a whole number> }")
    return extra


def _given_options(fields: _Fields) -> dict[str, Any]:
    """A choice whose options are a list the therapist gives with the assignment
    (``options_from = "ladder"``), and the button for the client's own answer (``own_words``)."""
    extra: dict[str, Any] = {}
    own_words = fields.text("own_words", required=False, max_length=40)
    if own_words is not None:
        extra["own_words"] = own_words
    if "options_from" not in fields.data:
        return extra
    listed = fields.text("options_from", pattern=ID)
    if "options" in fields.data:
        fields.problem("options_from", "options come with the assignment or are listed here, not both")
    elif own_words is None:
        fields.problem("own_words", "a choice whose options come with the assignment needs own_words")
    if listed is not None:
        extra["options_from"] = listed
    return extra


def _with_end_labels(fields: _Fields, text: str, extra: Mapping[str, Any]) -> str:
    from flows.texts import SCALE_HINT

    low_label = fields.text("low_label", required=False, max_length=60)
    high_label = fields.text("high_label", required=False, max_length=60)
    if (low_label is None) != (high_label is None):
        fields.problem("low_label", "give both end labels (low_label and high_label), or neither")
    if low_label is None or high_label is None:
        return text
    hint = SCALE_HINT.format(low=extra["low"], low_label=low_label, high=extra["high"], high_label=high_label)
    return f"{text}\n{hint}"


def _options(fields: _Fields) -> tuple[Option, ...]:
    example = 'a list of options such as { id = "yes", label = "Yes" }'
    options: list[Option] = []
    for option in fields.tables("options", ("id", "label", "value"), example):
        option_id = option.text("id", pattern=OPTION_ID)
        label = option.text("label", max_length=100)
        value = option.integer("value", -1000, 1000, default=None) if "value" in option.data else None
        if option_id is not None and any(o.id == option_id for o in options):
            option.problem("id", f'"{option_id}" is already the id of an earlier option')
        elif option_id is not None and label is not None:
            options.append(Option(option_id, label, value))
    return tuple(options)


def _scored(flow: Flow, table: object, problems: list[str]) -> Flow:
    if table is None:
        return flow
    scoring = _scoring(table, "scoring", problems)
    if scoring is None:
        return flow
    found = scoring_problems(scoring, flow)
    problems += [f"scoring: {problem}" for problem in found]
    return flow if found else replace(flow, scoring=scoring)


def _scoring(table: object, path: str, problems: list[str]) -> Scoring | None:
    if not isinstance(table, Mapping):
        problems.append(f"{path}: a [scoring] table")
        return None
    fields = _Fields(table, path, problems)
    fields.unknown(SCORING_KEYS)
    method = fields.text("method", required=False) or "sum"
    if method not in ("sum", "mean"):
        fields.problem("method", f'"{method}" is not a method (sum or mean)')
    derived = table.get("derived", [])
    if not isinstance(derived, list):
        fields.problem("derived", "a list of [[scoring.derived]] tables")
        derived = []
    scoring = Scoring(
        label=fields.text("label", max_length=60) or "score",
        items=_items(fields),
        method=Method.MEAN if method == "mean" else Method.SUM,
        bands=_bands(fields),
        derived=tuple(
            s for i, d in enumerate(derived) if (s := _scoring(d, f"{path}.derived[{i}]", problems))
        ),
        loinc=fields.text("loinc", required=False, pattern=re.compile(r"\d{1,7}-\d")),
        response_drop=fields.number("response_drop", 0.0, 1.0, exclusive_low=True),
        remission_below=fields.number("remission_below", float("-inf"), float("inf")),
    )
    return scoring


def _items(fields: _Fields) -> tuple[ScoredItem, ...]:
    listed = fields.data.get("items")
    if not isinstance(listed, list) or not listed:
        fields.problem(
            "items", 'a list of step ids, or tables such as { step = "q3", weight = 2, reverse = true }'
        )
        return ()
    items: list[ScoredItem] = []
    for index, entry in enumerate(listed):
        if isinstance(entry, str):
            items.append(ScoredItem(entry))
            continue
        item = _Fields(
            entry if isinstance(entry, Mapping) else {}, f"{fields.path}.items[{index}]", fields.problems
        )
        item.unknown(("step", "weight", "reverse"))
        step_id = item.text("step")
        weight = item.data.get("weight", 1)
        if not isinstance(weight, int | float) or isinstance(weight, bool) or weight == 0:
            item.problem("weight", "a number other than 0")
            weight = 1
        if step_id is not None:
            items.append(ScoredItem(step_id, weight, item.flag("reverse")))
    return tuple(items)


def _bands(fields: _Fields) -> tuple[Band, ...]:
    example = 'a list of bands such as { low = 0, high = 4, name = "minimal" }'
    bands: list[Band] = []
    for band in fields.tables("bands", ("low", "high", "name"), example, required=False):
        low, high, name = band.data.get("low"), band.data.get("high"), band.text("name", max_length=60)
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)):
            band.problem("low", "a band has numbers low and high (both included)")
        elif name is not None:
            bands.append(Band(low, high, name))  # type: ignore[arg-type]
    return tuple(bands)


def _only_item(text: str) -> bool:
    """Whether a per-item step's text formats with ``{item}`` alone (the engine fills it in)."""
    try:
        text.format(item="")
    except (KeyError, IndexError, ValueError, AttributeError):
        return False
    return True


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Fields:
    """One table of the file, read field by field; each problem is added with its path."""

    def __init__(self, data: Mapping[str, Any], path: str, problems: list[str]) -> None:
        self.data = data
        self.path = path
        self.problems = problems

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{self.where(key)}: {message}")

    def unknown(self, known: Sequence[str], kind: str | None = None) -> None:
        for key in self.data:
            if key in known:
                continue
            if kind is not None and any(key in keys for keys in KIND_KEYS.values()):
                self.problem(key, f"not a key of a {kind} step")
            else:
                self.problem(key, f"unknown key (known: {', '.join(known)})")

    def tables(self, key: str, known: Sequence[str], example: str, *, required: bool = True) -> list[_Fields]:
        """The tables listed under ``key``, each read with its own path (``options[2]``)."""
        listed = self.data.get(key, None if required else [])
        if not isinstance(listed, list) or (required and not listed):
            self.problem(key, example)
            return []
        found = []
        for index, table in enumerate(listed):
            entry = _Fields(
                table if isinstance(table, Mapping) else {}, f"{self.where(key)}[{index}]", self.problems
            )
            entry.unknown(known)
            found.append(entry)
        return found

    def text(
        self, key: str, *, required: bool = True, pattern: re.Pattern[str] | None = None, max_length: int = 64
    ) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.problem(key, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(key, "words in quotes")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.problem(key, f'"{value}" should match {pattern.pattern}')
            return None
        if len(value) > max_length:
            self.problem(key, f"at most {max_length} characters")
            return None
        return value.strip()

    def integer(self, key: str, low: int, high: int, *, default: Any) -> Any:
        value = self.data.get(key, default)
        if value is default:
            return default
        if not _whole(value) or not low <= value <= high:
            self.problem(key, f"a whole number from {low} to {high}")
            return default
        return value

    def number(self, key: str, low: float, high: float, *, exclusive_low: bool = False) -> float | None:
        """An optional number in range (a response's share of the baseline, a threshold)."""
        value = self.data.get(key)
        if value is None:
            return None
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or not (low < value if exclusive_low else low <= value) or value > high:
            bounds = f"above {low:g}" if exclusive_low else f"from {low:g}"
            self.problem(key, f"a number {bounds} to {high:g}" if high != float("inf") else "a number")
            return None
        return float(value)

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.problem(key, "true or false")
            return False
        return value
