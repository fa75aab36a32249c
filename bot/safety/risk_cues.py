"""Risk cues: a scored, explainable second detector beside the phrase list.

The phrase list (``risk_language``) knows whole phrases; people in danger often say it in words no
list has seen ("got the tablets lined up for later"). This reads a message as words of a few kinds
(cue classes: means, readiness, time, farewell, someone hurting me, …) and flags a category when
enough of its kinds come together within a few words, less what sets them aside (a denial right
before, someone else's story, a past told as over, a film, a joke, the everyday sense). Lexicons,
weights and thresholds are data, in ``risk_cues.toml`` beside this module, marked for a
clinician's review. Pure and stdlib only::

    cues = default_cues()
    hit = cues.check(text)  # CueHit("intent_or_plan", ("means", "readiness", "time"), 1.1) or None

The phrase list stays the floor: ``RiskDetector`` asks the cues only about what the list let pass.
Nothing here logs or keeps the text; a ``CueHit`` names only classes from the lexicon.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Final

from bot.core.errors import PhraseListError
from bot.safety.risk_language import RiskMatch, normalise, respelling

CUES_RESOURCE: Final = "risk_cues.toml"
FIRST_PERSON: Final = "first_person"  # a cue class that may share its words with others ("where i live")
_PREFIX_LETTERS: Final = 3  # a one-word prefix ("overdos*") is at least this long
_SHARES: Final = (1.0, 0.5)  # of a class's weight: its first cue in a window, a second one
_SENTENCE_END: Final = r"[.!?;\n]+"
_BREAK: Final = "qxsentencebreakqx"  # a word put where a sentence ends, so one pass normalises all
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CueHit:
    """A category the cues found, the classes that made it and the score they reached."""

    category: str
    cues: tuple[str, ...]  # cue class names, in the order the category weighs them
    score: float

    @property
    def rule(self) -> str:
        """A rule id beside the phrase list's: "intent_or_plan.cues(means+readiness+time)"."""
        return f"{self.category}.cues({'+'.join(self.cues)})"


@dataclass(frozen=True, slots=True)
class _Found:
    """One cue in a message: its class, its first and last word, its sentence."""

    name: str
    start: int
    end: int
    sentence: int


@dataclass(frozen=True, slots=True)
class _Counted:
    """A cue as a window counts it: its class, where, and the share of the class's weight it adds."""

    name: str
    start: int
    sentence: int
    share: float


@dataclass(frozen=True, slots=True)
class _Category:
    name: str
    about: str
    needs: tuple[frozenset[str], ...]  # one of these sets of classes, all of it, in a window
    weights: Mapping[str, float]
    dampeners: Mapping[str, float]
    anchors: frozenset[str]  # the classes a window is built around: those of the needs


class _Lexicon:
    """Phrases of every class, looked up by their first word or their first two words."""

    def __init__(self, classes: Mapping[str, Sequence[str]], read: Callable[[str], str]) -> None:
        """`read`: how a message's text is read (normalised, respelled): phrases are read alike."""
        self._read = read
        self._single: dict[str, list[str]] = {}  # one-word phrase → its classes
        self._pairs: dict[tuple[str, str], list[tuple[_Phrase, str]]] = {}  # first two words → phrases
        self._starred: dict[str, list[tuple[_Phrase, str]]] = {}  # "the 1*": its last word a prefix
        self._prefixes: dict[str, list[tuple[str, str]]] = {}  # "overdos*", by its first letters
        for name, phrases in classes.items():
            for phrase in dict.fromkeys(phrases):
                self._add(name, phrase)
        self._firsts = frozenset(first for first, _ in self._pairs)

    def _add(self, name: str, phrase: str) -> None:
        star = phrase.endswith("*")
        words = tuple(self._read(phrase.rstrip("*")).split())
        if not words or (star and len(words) == 1 and len(words[0]) < _PREFIX_LETTERS):
            raise PhraseListError(f"cue class {name!r}: {phrase!r} is empty or too short")
        if star and len(words) == 1:
            self._prefixes.setdefault(words[0][:_PREFIX_LETTERS], []).append((words[0], name))
        elif star:
            self._starred.setdefault(words[0], []).append((words, name))
        elif len(words) == 1:
            self._single.setdefault(words[0], []).append(name)
        else:
            self._pairs.setdefault((words[0], words[1]), []).append((words, name))

    def starts(self, word: str) -> bool:
        """Whether some phrase starts with this whole word."""
        return word in self._single or word in self._firsts

    def find(self, words: Sequence[str], sentences: Sequence[int]) -> list[_Found]:
        """Every cue in the words, in order of where they start."""
        found: list[_Found] = []
        count = len(words)
        for start, word in enumerate(words):
            sentence = sentences[start]
            found += (_Found(name, start, start, sentence) for name in self._single.get(word, ()))
            if start + 1 < count:
                for phrase, name in self._pairs.get((word, words[start + 1]), ()):
                    end = start + len(phrase)
                    if end <= count and all(words[start + n] == phrase[n] for n in range(2, len(phrase))):
                        found.append(_Found(name, start, end - 1, sentence))
            for phrase, name in self._starred.get(word, ()):
                end = start + len(phrase)
                if (
                    end <= count
                    and words[end - 1].startswith(phrase[-1])
                    and tuple(words[start : end - 1]) == phrase[:-1]
                ):
                    found.append(_Found(name, start, end - 1, sentence))
            for prefix, name in self._prefixes.get(word[:_PREFIX_LETTERS], ()):
                if word.startswith(prefix):
                    found.append(_Found(name, start, start, sentence))
        return found


class CueScorer:
    """Scores a message's cues per category. Built once from risk_cues.toml; safe to share."""

    def __init__(self, data: Mapping[str, object]) -> None:
        """From the TOML already read (see risk_cues.toml for its tables)."""
        scoring = _table(data, "scoring")
        self.window = int(_number(scoring, "window"))
        self.threshold = _number(scoring, "threshold")
        contrast = scoring.get("contrast", [])  # words that start a sentence of their own: "but"
        if not isinstance(contrast, list) or not all(isinstance(w, str) and w.isalpha() for w in contrast):
            raise PhraseListError("[scoring] contrast must be a list of words")
        words = "".join(f"|\\b{word}\\b" for word in contrast)
        self._sentence_end = re.compile(_SENTENCE_END + words, re.IGNORECASE)
        self._respelled = respelling(data.get("spelling", {}))
        self._respell = {
            self._read(word): tuple(self._read(plain).split()) for word, plain in _strings(data, "respell")
        }
        self._emoji = dict(_strings(data, "emoji"))
        self._emoji_pattern = re.compile("|".join(map(re.escape, self._emoji)) or "(?!)")
        cues = {name: _phrases(value, name) for name, value in _table(data, "cues").items()}
        dampeners = {name: _phrases(value, name) for name, value in _table(data, "dampeners").items()}
        if "negation" not in dampeners:
            raise PhraseListError("[dampeners] needs a negation list")
        self._lexicon = _Lexicon(cues | {f"~{name}": p for name, p in dampeners.items()}, self._read)
        negation = _table(data, "negation")
        self._reach = int(_number(negation, "reach"))
        self._negates = frozenset(_phrases(negation.get("negates"), "negates"))
        self.categories = tuple(
            _category(name, table, set(cues), set(dampeners))
            for name, table in _table(data, "categories").items()
        )

    def words(self, text: str) -> tuple[list[str], list[int]]:
        """The message as words (respelled, stretched letters read plain) and each word's sentence."""
        if not text.isascii():
            text = self._emoji_pattern.sub(lambda match: f" {self._emoji[match.group()]} ", text)
        words: list[str] = []
        sentences: list[int] = []
        number = 0
        for word in self._read(self._sentence_end.sub(f" {_BREAK} ", text)).split():
            if word == _BREAK:
                number += 1
                continue
            if _STRETCHED.search(word):
                word = self._unstretched(word)
            for plain in self._respell.get(word, (word,)):
                words.append(plain)
                sentences.append(number)
        return words, sentences

    def _read(self, text: str) -> str:
        """Text as the lexicon is written: normalised, then letters read as others ("ue" as "u")."""
        return self._respelled(normalise(text))

    def _unstretched(self, word: str) -> str:
        """ "byeee" → "bye", "sooo" → "so": the first reading the lexicon knows, else one letter."""
        double = _STRETCHED.sub(r"\1\1", word)
        single = _STRETCHED.sub(r"\1", word)
        return double if self._lexicon.starts(double) and not self._lexicon.starts(single) else single

    def check(self, text: str) -> CueHit | None:
        """The first category (most urgent first) whose cues reach the threshold, or None."""
        hits = self.hits(text)
        return hits[0] if hits else None

    def hits(self, text: str) -> tuple[CueHit, ...]:
        """Every category whose cues reach the threshold, most urgent first."""
        words, sentences = self.words(text)
        found = self._lexicon.find(words, sentences)
        if not found:
            return ()
        negations = self._negations(found)
        cues = [
            cue
            for cue in found
            if not cue.name.startswith("~")
            and not (cue.name in self._negates and negations & set(range(cue.start - self._reach, cue.start)))
        ]
        dampening: dict[int, set[str]] = {}  # sentence → the dampeners in it
        for cue in found:
            if cue.name.startswith("~"):
                dampening.setdefault(cue.sentence, set()).add(cue.name[1:])
        hits = (self._best(category, cues, dampening) for category in self.categories)
        return tuple(hit for hit in hits if hit is not None)

    def matches(self, text: str) -> tuple[RiskMatch, ...]:
        """The hits as the phrase list's matches are given (RiskDetector.with_cues)."""
        return tuple(RiskMatch(category=hit.category, rule=hit.rule) for hit in self.hits(text))

    def explain(self, rule: str) -> str:
        """What a rule of the cues found ("intent_or_plan.cues(means+time)"): its classes and aim."""
        category, _, classes = rule.partition(".cues(")
        about = next((c.about for c in self.categories if c.name == category), None)
        if about is None or not classes.endswith(")"):
            raise KeyError(rule)
        found = ", ".join(classes[:-1].split("+"))
        return f"cues within {self.window} words ({CUES_RESOURCE}): {found}; {category}: {about}"

    def _negations(self, found: Sequence[_Found]) -> set[int]:
        """Where negating words are, but for those inside a longer cue ("can't stop", "won't let me")."""
        inside: set[int] = set()
        for cue in found:
            if not cue.name.startswith("~") and cue.end > cue.start:
                inside.update(range(cue.start, cue.end))
        return {cue.start for cue in found if cue.name == "~negation" and cue.start not in inside}

    def _best(
        self, category: _Category, cues: Sequence[_Found], dampening: Mapping[int, set[str]]
    ) -> CueHit | None:
        """The best-scoring window around each cue the category needs, if it reaches the threshold."""
        best: CueHit | None = None
        weighed = [cue for cue in cues if cue.name in category.weights]
        starts = [cue.start for cue in weighed]  # in order: the lexicon finds cues word by word
        for anchor in weighed:
            if anchor.name not in category.anchors:
                continue
            near = weighed[
                bisect_left(starts, anchor.start - self.window) : bisect_right(
                    starts, anchor.start + self.window
                )
            ]
            present = {cue.name for cue in near}
            if not any(need <= present for need in category.needs):
                continue
            counted = _counted(near, category.weights)
            sentences = {cue.sentence for cue in counted if cue.name != FIRST_PERSON}
            damped = set().union(*(dampening.get(sentence, set()) for sentence in sentences))
            score = sum(category.weights[cue.name] * cue.share for cue in counted)
            score -= sum(weight for name, weight in category.dampeners.items() if name in damped)
            if score >= self.threshold and (best is None or score > best.score):
                classes = tuple(dict.fromkeys(cue.name for cue in sorted(counted, key=lambda cue: cue.start)))
                best = CueHit(category.name, classes, round(score, 2))
        return best


def _counted(near: Sequence[_Found], weights: Mapping[str, float]) -> list[_Counted]:
    """Heaviest first, each word in one cue only ("overdose" is a means or an act), first person
    aside (it overlaps anything); a class counts once in full and a second, other cue at half."""
    counted: list[_Counted] = []
    taken: set[int] = set()
    seen: dict[str, int] = {}
    for cue in sorted(near, key=lambda cue: (-weights[cue.name], cue.start)):
        words = set(range(cue.start, cue.end + 1))
        times = seen.get(cue.name, 0)
        if times >= len(_SHARES) or (words & taken and cue.name != FIRST_PERSON):
            continue
        counted.append(_Counted(cue.name, cue.start, cue.sentence, _SHARES[times]))
        seen[cue.name] = times + 1
        if cue.name != FIRST_PERSON:
            taken |= words
    return counted


@cache
def default_cues() -> CueScorer:
    """The cue scorer for the lexicons shipped with Between (bot/safety/risk_cues.toml), built once."""
    text = resources.files("bot.safety").joinpath(CUES_RESOURCE).read_text(encoding="utf-8")
    return cues_from_toml(text)


def cues_from_toml(text: str) -> CueScorer:
    """A cue scorer for lexicons given as TOML text (see risk_cues.toml for the format)."""
    try:
        return CueScorer(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise PhraseListError(f"the risk cues are not valid TOML: {error}") from None


def _category(name: str, table: object, cues: set[str], dampeners: set[str]) -> _Category:
    if not isinstance(table, dict):
        raise PhraseListError(f"[categories.{name}] must be a table")
    weights = _weights(table.get("weights"), f"[categories.{name}] weights", cues)
    listed = _phrases(table.get("needs"), f"[categories.{name}] needs")
    needs = tuple(frozenset(need.split("+")) for need in listed)
    if not set().union(*needs) <= set(weights):
        raise PhraseListError(f"[categories.{name}]: every class it needs must have a weight")
    damped = _weights(table.get("dampeners", {}), f"[categories.{name}] dampeners", dampeners)
    anchors = frozenset().union(*needs)
    return _Category(name, str(table.get("about", name)), needs, weights, damped, anchors)


def _weights(raw: object, where: str, known: set[str]) -> dict[str, float]:
    if not isinstance(raw, dict) or not all(isinstance(v, int | float) for v in raw.values()):
        raise PhraseListError(f"{where} must map class names to numbers")
    unknown = sorted(set(raw) - known)
    if unknown:
        raise PhraseListError(f"{where}: no class named {unknown[0]!r}")
    return {str(key): float(value) for key, value in raw.items()}


def _table(data: Mapping[str, object], name: str) -> dict[str, object]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise PhraseListError(f"the risk cues need a [{name}] table")
    return table


def _number(table: Mapping[str, object], key: str) -> float:
    value = table.get(key)
    if not isinstance(value, int | float) or value <= 0:
        raise PhraseListError(f"the risk cues need a positive number {key!r}")
    return float(value)


def _strings(data: Mapping[str, object], name: str) -> list[tuple[str, str]]:
    table = data.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise PhraseListError(f"[{name}] must map words to words")
    return [(str(key), value) for key, value in table.items()]


def language_cues(code: str) -> CueScorer | None:
    """The cue scorer of another language (risk_cues_<code>.toml beside this module), or None."""
    resource = resources.files("bot.safety").joinpath(f"risk_cues_{code}.toml")
    if not resource.is_file():
        return None
    try:
        return cues_from_toml(resource.read_text(encoding="utf-8"))
    except PhraseListError as error:
        raise PhraseListError(f"risk_cues_{code}.toml: {error}") from None


def _phrases(raw: object, name: str) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
        raise PhraseListError(f"{name!r} must be a non-empty list of phrases")
    return raw
