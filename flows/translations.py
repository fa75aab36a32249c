"""A homework file's words in other languages: its ``[translations.<language>]`` tables.

A practice writes a definition in one language (``language = "en"`` unless it says otherwise)
and may add a table per language keyed by the same ids as the file::

    [translations.de]
    title = "Aktivitätenprotokoll"
    intro = "…"

    [translations.de.steps.when]
    text = "Wann war das?"
    options = { now = "Gerade eben", today = "Heute" }

Reading checks every table against the file (an unknown step, option, band or key, or a
translation whose ``{placeholders}`` differ from its own language's, is a problem with its
path, like any other); :func:`translated` then turns each text of the flow into a
:class:`~bot.core.i18n.Translated`, which ``_`` reads in the language being read. A language or
a field a file lacks reads the file's own words (the log says so once per file and language).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from bot.core.i18n import Translated, compose, in_catalogue
from flows.model import AnswerKind, Flow, Step
from flows.scoring import Band, Scoring

LANGUAGE: Final = re.compile(r"[a-z]{2,3}")
"""A language as the catalogues name it: ``de``, ``es``, ``fr``."""
TEXT_KEYS: Final = ("title", "description", "intro", "summary", "journal", "attribution")
TOP_KEYS: Final = (*TEXT_KEYS, "steps", "scoring", "digest")
STEP_KEYS: Final = ("text", "label", "low_label", "high_label", "own_words", "options")
SCORING_KEYS: Final = ("label", "bands")
DIGEST_KEYS: Final = ("path_label",)
SCALE_HINT_WITH_TEXT: Final = "{text}\n{hint}"


@dataclass(frozen=True, slots=True)
class Languages:
    """A file's own language, its translations' tables (checked) and its name for the log."""

    language: str
    tables: Mapping[str, Mapping[str, Any]]
    origin: str

    def text(self, own: str, *path: str) -> Translated:
        """``own`` (the file's words at ``path``) with each language's words at the same path."""
        found = {language: said for language, table in self.tables.items() if (said := _at(table, path))}
        return Translated(own, found, language=self.language, origin=self.origin)

    def catalogue_text(self, message: str) -> Translated:
        """One of Between's own texts in the file's language and each of its translations'."""
        return Translated(
            in_catalogue(self.language, message),
            {language: in_catalogue(language, message) for language in self.tables},
            language=self.language,
            origin=self.origin,
        )


def _at(table: Mapping[str, Any], path: tuple[str, ...]) -> str | None:
    found: Any = table
    for key in path:
        if not isinstance(found, Mapping) or key not in found:
            return None
        found = found[key]
    return found.strip() if isinstance(found, str) else None


def read_languages(data: Mapping[str, Any], origin: str, problems: list[str]) -> Languages:
    """The file's ``language`` and ``translations``, each problem added with its path."""
    language = data.get("language", "en")
    if not isinstance(language, str) or not LANGUAGE.fullmatch(language):
        problems.append(f'language: a language such as "en" or "de" (lower case), not {language!r}')
        language = "en"
    tables = data.get("translations", {})
    if not isinstance(tables, Mapping):
        problems.append("translations: a table per language, such as [translations.de]")
        return Languages(language, {}, origin)
    checked: dict[str, Mapping[str, Any]] = {}
    for name, table in tables.items():
        path = f"translations.{name}"
        if not LANGUAGE.fullmatch(name) or name == language:
            problems.append(f"{path}: a language other than the file's own ({language}), such as de")
        elif not isinstance(table, Mapping):
            problems.append(f"{path}: a table of the file's texts in that language")
        else:
            problems += _Checked(data, path).table(table)
            checked[name] = table
    return Languages(language, checked, origin)


class _Checked:
    """One language's table compared with the file it translates."""

    def __init__(self, data: Mapping[str, Any], path: str) -> None:
        self.data = data
        self.path = path
        self.problems: list[str] = []
        listed = data.get("steps")
        self.steps = {
            s["id"]: s
            for s in (listed if isinstance(listed, list) else [])
            if isinstance(s, Mapping) and "id" in s
        }

    def table(self, table: Mapping[str, Any]) -> list[str]:
        self.keys(table, TOP_KEYS, self.path)
        for key in TEXT_KEYS:
            if key in table:
                self.same(self.data.get(key), table[key], f"{self.path}.{key}")
        self.nested(table, "steps", self.step)
        self.nested(table, "scoring", self.scoring)
        self.nested(table, "digest", self.digest)
        return self.problems

    def nested(self, table: Mapping[str, Any], key: str, check: Any) -> None:
        if key not in table:
            return
        if isinstance(table[key], Mapping):
            check(table[key], f"{self.path}.{key}")
        else:
            self.problems.append(f"{self.path}.{key}: a table, such as [{self.path}.{key}]")

    def keys(self, table: Mapping[str, Any], known: tuple[str, ...], path: str) -> None:
        for key in table:
            if key not in known:
                self.problems.append(f"{path}.{key}: unknown key (known: {', '.join(known)})")

    def same(self, own: object, said: object, path: str) -> None:
        """A translated text stands where the file has one, with the same placeholders."""
        if not isinstance(said, str) or not said.strip():
            self.problems.append(f"{path}: words in quotes")
        elif not isinstance(own, str):
            self.problems.append(f"{path}: the file has no such text to translate")
        elif _placeholders(said) != _placeholders(own):
            mine, theirs = _placeholders(said), _placeholders(own)
            shown = ", ".join(f"{{{n}}}" for n in sorted(theirs or set())) or "none"
            if mine is None:
                self.problems.append(f"{path}: a brace that does not close (write {{{{ or }}}} for a brace)")
            else:
                self.problems.append(f"{path}: its placeholders differ from the file's own ({shown})")

    def step(self, steps: Mapping[str, Any], path: str) -> None:
        for step_id, table in steps.items():
            where = f"{path}.{step_id}"
            own = self.steps.get(step_id)
            if own is None:
                self.problems.append(f'{where}: "{step_id}" is not a step of this homework')
                continue
            if not isinstance(table, Mapping):
                self.problems.append(f'{where}: a table such as {{ text = "…" }}')
                continue
            self.keys(table, STEP_KEYS, where)
            for key in STEP_KEYS[:5]:
                if key in table:
                    mine = own.get(key) or (step_id.replace("_", " ") if key == "label" else None)
                    self.same(mine, table[key], f"{where}.{key}")
            if "options" in table:
                self.options(own, table["options"], f"{where}.options")

    def options(self, own: Mapping[str, Any], options: object, path: str) -> None:
        listed = own.get("options")
        labels = {o.get("id"): o.get("label") for o in (listed or []) if isinstance(o, Mapping)}
        if not isinstance(options, Mapping):
            self.problems.append(f'{path}: a table of option ids and labels, such as {{ yes = "Ja" }}')
            return
        for option_id, label in options.items():
            if option_id not in labels:
                known = ", ".join(str(i) for i in labels) or "none"
                self.problems.append(
                    f'{path}.{option_id}: "{option_id}" is not an option of this step (known: {known})'
                )
            else:
                self.same(labels[option_id], label, f"{path}.{option_id}")

    def scoring(self, table: Mapping[str, Any], path: str) -> None:
        own = self.data.get("scoring")
        own = own if isinstance(own, Mapping) else {}
        self.keys(table, SCORING_KEYS, path)
        if "label" in table:
            self.same(own.get("label"), table["label"], f"{path}.label")
        bands = table.get("bands", {})
        if not isinstance(bands, Mapping):
            self.problems.append(f'{path}.bands: a table of band names, such as {{ mild = "leicht" }}')
            return
        names = {b.get("name") for b in own.get("bands", []) if isinstance(b, Mapping)}
        for name, said in bands.items():
            if name not in names:
                known = ", ".join(sorted(str(n) for n in names)) or "none"
                self.problems.append(
                    f'{path}.bands.{name}: "{name}" is not a band of this homework (known: {known})'
                )
            else:
                self.same(name, said, f"{path}.bands.{name}")

    def digest(self, table: Mapping[str, Any], path: str) -> None:
        own = self.data.get("digest")
        self.keys(table, DIGEST_KEYS, path)
        if "path_label" in table:
            self.same(
                own.get("path_label") if isinstance(own, Mapping) else None,
                table["path_label"],
                path + ".path_label",
            )


def _placeholders(text: str) -> frozenset[str] | None:
    """The names in braces (None: a brace that cannot be read)."""
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    except ValueError:
        return None


def translated(flow: Flow, data: Mapping[str, Any], languages: Languages) -> Flow:
    """The flow with every text it says as a :class:`Translated` (the file's own words and each
    translation's): title, description, intro, attribution, each step's text and its options'
    and own-words buttons' labels, the score's label and band names."""
    raw = {s["id"]: s for s in data["steps"] if isinstance(s, Mapping) and "id" in s}
    return replace(
        flow,
        title=languages.text(flow.title, "title"),
        description=languages.text(flow.description, "description"),
        intro=languages.text(flow.intro, "intro") if flow.intro else None,
        attribution=languages.text(flow.attribution, "attribution") if flow.attribution else None,
        steps=tuple(_step(step, raw[step.id], languages) for step in flow.steps),
        scoring=_scoring(flow.scoring, languages) if flow.scoring is not None else None,
    )


def _step(step: Step, raw: Mapping[str, Any], languages: Languages) -> Step:
    path = ("steps", step.id)
    text: str = languages.text(str(raw.get("text", "")).strip(), *path, "text")
    if step.kind is AnswerKind.SCALE and "low_label" in raw and "high_label" in raw:
        from flows.texts import SCALE_HINT

        def with_hint(text: str, hint: str, low_label: str, high_label: str) -> str:
            filled = hint.format(low=step.low, low_label=low_label, high=step.high, high_label=high_label)
            return SCALE_HINT_WITH_TEXT.format(text=text, hint=filled)

        ends = (languages.text(str(raw[k]).strip(), *path, k) for k in ("low_label", "high_label"))
        text = compose(with_hint, text, languages.catalogue_text(SCALE_HINT), *ends)
    options = tuple(replace(o, label=languages.text(o.label, *path, "options", o.id)) for o in step.options)
    own_words = languages.text(step.own_words, *path, "own_words") if step.own_words else None
    return replace(step, prompt=text, options=options, own_words=own_words)


def _scoring(scoring: Scoring, languages: Languages) -> Scoring:
    bands = tuple(
        Band(b.low, b.high, languages.text(b.name, "scoring", "bands", b.name)) for b in scoring.bands
    )
    return replace(scoring, label=languages.text(scoring.label, "scoring", "label"), bands=bands)


def step_labels(labels: Mapping[str, str], languages: Languages) -> dict[str, str]:
    """Each step's short name (digest, journal) in every language the file has."""
    return {step_id: languages.text(label, "steps", step_id, "label") for step_id, label in labels.items()}
