"""Risk language read in several languages: English always, and each other language installed.

A language is installed when its phrase list sits beside the English one as
``risk_phrases_<code>.toml`` (German: ``risk_phrases_de.toml``); adding one needs no code. Its
categories carry the English names, so the crisis response (the abuse line for harm by others)
works whatever language fired; its rules are named ``<code>:<category>.<n>``::

    reader = default_reader()
    reader.check("ich will nicht mehr leben")  # RiskMatch("suicidal_thoughts", "de:suicidal_thoughts.9")

People mix languages, so a message is read with English and with every other language asked for
(``languages``; all installed until each person has a language of their own). A list's
``[lookalikes]`` are everyday phrases of its language that English reads as risk ("ich will die
Wäsche machen" holds "will die"): when that language is read, English does not see them.

A learned model (``risk_model``, one for every language) is asked last, about what no list and no
cues found; its rules are named ``<category>.model(<words>)``. It reads every language it learned at
once, so it is asked only when every installed language is read (it cannot narrow to fewer).
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Final

from bot.core.errors import PhraseListError
from bot.safety.regex_cache import RegexCache
from bot.safety.risk_cues import language_cues
from bot.safety.risk_language import PHRASES_RESOURCE, CueReader, RiskDetector, RiskMatch, default_detector
from bot.safety.risk_model import default_model

ENGLISH: Final = "en"
_PREFIX: Final = "risk_phrases_"
_SUFFIX: Final = ".toml"


def installed_languages() -> tuple[str, ...]:
    """English, then every language with a phrase list beside it, by code."""
    names = (entry.name for entry in resources.files("bot.safety").iterdir())
    codes = sorted(
        name[len(_PREFIX) : -len(_SUFFIX)]
        for name in names
        if name.startswith(_PREFIX) and name.endswith(_SUFFIX) and name != PHRASES_RESOURCE
    )
    return (ENGLISH, *codes)


class RiskReader:
    """Checks a message against English and other languages' phrase lists. Safe to share across tasks."""

    def __init__(
        self,
        lists: Mapping[str, RiskDetector],
        lookalikes: Mapping[str, RiskDetector] | None = None,
        model: CueReader | None = None,
    ) -> None:
        """`lists`: language code → its detector, English among them; `lookalikes`: code → a
        detector of that language's everyday phrases that English would read as risk; `model`: a
        learned scorer asked about what every list and its cues let pass (bot/safety/risk_model.py)."""
        if ENGLISH not in lists:
            raise PhraseListError("risk language is always read in English: no English phrase list")
        self._lists = {ENGLISH: lists[ENGLISH]} | dict(lists)
        self._lookalikes = dict(lookalikes or {})
        self._model = model
        order = list(lists[ENGLISH].categories)
        for detector in lists.values():
            order += [category for category in detector.categories if category not in order]
        self._rank = {category: rank for rank, category in enumerate(order)}

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this reader can read, English first."""
        return tuple(self._lists)

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category, most urgent first (the English list's order)."""
        return tuple(self._rank)

    def check(self, text: str, languages: Collection[str] | None = None) -> RiskMatch | None:
        """The most urgent category found in any language read (None: every language installed);
        when none is, the model's. Reading stops at the most urgent category of all: no other
        language could find one more urgent (a long message's flag comes a list sooner)."""
        found = []
        for code in self._reading(languages):
            match = self._check(code, text, languages)
            if match is not None:
                found.append(match)
                if self._urgency(match) == 0:
                    break
        if not found and self._model is not None and self._reads_all(languages):
            found = list(self._model.matches(text)[:1])
        return min(found, key=self._urgency, default=None)

    def matches(self, text: str, languages: Collection[str] | None = None) -> tuple[RiskMatch, ...]:
        """Every category found, most urgent first, each with the first rule (English first); when
        none is, the model's."""
        found: dict[str, RiskMatch] = {}
        for code in self._reading(languages):
            for match in self._matches(code, text, languages):
                found.setdefault(match.category, match)
        if not found and self._model is not None and self._reads_all(languages):
            found = {match.category: match for match in self._model.matches(text)}
        return tuple(sorted(found.values(), key=self._urgency))

    def pattern(self, rule: str) -> str:
        """The phrase-list pattern behind a rule id ("self_harm.4", "de:self_harm.4"); for the
        model's ("self_harm.model(...)"), what it weighed."""
        if self._model is not None and ".model(" in rule:
            return self._model.explain(rule)
        code, _, own = rule.rpartition(":")
        return self._lists[code or ENGLISH].pattern(own)

    def _reads_all(self, languages: Collection[str] | None) -> bool:
        return languages is None or set(self._lists) <= {ENGLISH, *languages}

    def _urgency(self, match: RiskMatch) -> int:
        return self._rank.get(match.category, len(self._rank))

    def _reading(self, languages: Collection[str] | None) -> tuple[str, ...]:
        if languages is None:
            return tuple(self._lists)
        return tuple(code for code in self._lists if code == ENGLISH or code in languages)

    def _check(self, code: str, text: str, languages: Collection[str] | None) -> RiskMatch | None:
        detector = self._lists[code]
        match = detector.check(text)
        if match is not None and code == ENGLISH:
            masked = self._without_lookalikes(text, languages)
            match = match if masked is None else detector.check(masked)
        return _named(code, match) if match is not None else None

    def _matches(self, code: str, text: str, languages: Collection[str] | None) -> tuple[RiskMatch, ...]:
        detector = self._lists[code]
        found = detector.matches(text)
        if found and code == ENGLISH:
            masked = self._without_lookalikes(text, languages)
            found = found if masked is None else detector.matches(masked)
        return tuple(_named(code, match) for match in found)

    def _without_lookalikes(self, text: str, languages: Collection[str] | None) -> str | None:
        """The text with every lookalike of the other languages read set aside (normalised), or
        None when it holds none (most messages: English need not read it again)."""
        found = False
        for code in self._reading(languages):
            lookalikes = self._lookalikes.get(code)
            if lookalikes is not None and lookalikes.check(text) is not None:
                text = lookalikes.masked(text)
                found = True
        return text if found else None


def _named(code: str, match: RiskMatch) -> RiskMatch:
    return match if code == ENGLISH else replace(match, rule=f"{code}:{match.rule}")


@cache
def language_lists(code: str) -> tuple[RiskDetector, RiskDetector | None]:
    """A language's detector and that of its lookalikes (None: it has none), built once."""
    name = f"{_PREFIX}{code}{_SUFFIX}"
    try:
        data = tomllib.loads(resources.files("bot.safety").joinpath(name).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PhraseListError(f"{name} is not valid TOML: {error}") from None
    cache = RegexCache.named(f"risk_phrases_{code}")  # compiled once on this machine, then loaded
    try:
        detector = RiskDetector.from_mapping(data, cache.compile)
        cues = language_cues(code)
        if cues is not None:  # its own cues, asked about what its own list lets pass
            detector = detector.with_cues(cues)
        lookalikes = data.get("lookalikes")
        found = None
        if lookalikes is not None:
            mapping = {"sets": data.get("sets", {}), "categories": {"lookalike": lookalikes}}
            found = RiskDetector.from_mapping(mapping, cache.compile)
    except PhraseListError as error:
        raise PhraseListError(f"{name}: {error}") from None
    cache.save()
    return detector, found


@cache
def default_reader() -> RiskReader:
    """A reader of every installed language's shipped list and the shipped model, built once per process."""
    return RiskReader(*_shipped_lists(), default_model())


@cache
def rules_reader() -> RiskReader:
    """The shipped lists and their cues without the learned model: what the hand-written rules
    alone flag (benchmarks and the rules' own tests read it beside ``default_reader``)."""
    return RiskReader(*_shipped_lists())


def _shipped_lists() -> tuple[dict[str, RiskDetector], dict[str, RiskDetector]]:
    others = [code for code in installed_languages() if code != ENGLISH]
    built = {code: language_lists(code) for code in others}
    lists = {ENGLISH: default_detector()} | {code: detector for code, (detector, _) in built.items()}
    lookalikes = {code: found for code, (_, found) in built.items() if found is not None}
    return lists, lookalikes
