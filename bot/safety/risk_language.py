"""Risk language in what a client writes: suicidal thoughts, self-harm, plans, goodbyes, harm by others.

Pure and stdlib only. The phrases are data, in ``risk_phrases.toml`` beside this module (its header
explains the small pattern syntax); this module normalises a message, matches it against them and
says which category and rule fired — never what the client wrote::

    detector = default_detector()
    match = detector.check(text)  # RiskMatch(category="self_harm", rule="self_harm.4") or None

Choices made for safety, knowing they over-flag:

- **Negation is not analysed; plain denials are listed.** The list's ``[hyperbole]`` table also
  holds denials said right before the risk words ("I'm not suicidal", "I would never hurt
  myself"), a past told as over ("years ago I wanted to die", "used to cut, 2 years clean") and
  other people's stories; hedged denials are risk patterns of their own ("not suicidal yet", "I
  can't promise I won't"), and the rest of a message is always checked ("not suicidal, but I wish
  I could disappear" is flagged). Each such call is marked for clinical review
  (benchmarks/README.md); when in doubt the list flags: a kind reply costs little.
- **Hyperbole is set aside only where the list can tell.** A risk match is ignored when it lies
  wholly inside a ``[hyperbole]`` match ("I wanted to die of embarrassment"); anything else in the
  same message is still checked ("this homework is killing me and I want to die" is flagged).
- **Spelling is forgiven generously:** case, accents, zero-width and look-alike characters,
  leetspeak ("k1ll"), stretched letters ("kiiill"), letters spelled out ("k i l l", "k.i.l.l") and
  missing spaces ("killmyself") all match.

**A second kind of detector leans on the list.** ``default_detector()`` also asks the risk cues
(``risk_cues``: words of a few kinds — means, readiness, time, farewell, someone hurting me … —
scored when they come together, less denials, others' stories, the past, films, jokes and everyday
senses) about whatever the list lets pass. The list stays the floor; a cue hit is named
``<category>.cues(<classes>)`` and ``pattern()`` explains it.

Nothing here logs, prints or keeps the text; a ``RiskMatch`` holds only names from the phrase list
(or the cue classes that fired).

Speed: building a detector compiles the whole list into a few large regular expressions (seconds;
``default_detector()`` builds it once per process and loads the compiled expressions from disk when
an earlier process compiled them, see ``regex_cache``); then a chat-sized message takes
some 60 µs and a 4096-character one 10–20 ms on a shared machine
(``python -m benchmarks.risk_language_report``).
"""

from __future__ import annotations

import itertools
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Final, Protocol

from bot.core.errors import PhraseListError
from bot.safety.regex_cache import RegexCache

PHRASES_RESOURCE: Final = "risk_phrases.toml"
# `...` in a pattern stands for this many words at most (`...6` for six).
GAP_WORDS: Final = 3
# A hyperbole match that holds a risk match starts at most this many words before it.
HYPERBOLE_REACH: Final = 10

_NAME = re.compile(r"[a-z][a-z0-9_]*")  # of a category or a set
_LETTERS = re.compile(r"[a-z]+")  # in [spelling]
MASKED: Final = "masked"  # in place of a match in RiskDetector.masked


@dataclass(frozen=True, slots=True)
class RiskMatch:
    """Which kind of risk a message shows, and which rule of the phrase list said so."""

    category: str  # a category name from the phrase list: "suicidal_thoughts", "harmed_by_others"…
    rule: str  # "<category>.<n>": the n-th pattern (from 1) of that category; see RiskDetector.pattern()


class CueReader(Protocol):
    """A second detector the list may lean on for what it lets pass (bot/safety/risk_cues.py)."""

    def matches(self, text: str) -> tuple[RiskMatch, ...]:
        """Every category its cues find, most urgent first; rules named "<category>.cues(...)"."""
        ...

    def explain(self, rule: str) -> str:
        """What a "<category>.cues(...)" rule found, for people reviewing it."""
        ...


# --- normalisation ---------------------------------------------------------------------------------

# Letters from other scripts that look like Latin ones, and a few Latin letters NFD does not split.
_LOOKALIKES: Final = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ӏ": "l", "α": "a", "β": "b", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ς": "s", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "æ": "ae", "œ": "oe", "ı": "i", "ŀ": "l",
}  # fmt: skip
_APOSTROPHES: Final = "'`´ʹʻʼʽˈ‘’‛′"
_WORD_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789@$")
# ASCII: apostrophes vanish ("I'm" → "im"), anything that is not a word character separates words.
_ASCII_TABLE: Final = {
    code: (None if chr(code) in "'`" else (chr(code) if chr(code) in _WORD_CHARS else " "))
    for code in range(128)
}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")
_LEET: Final = str.maketrans("013457@$", "oieastas")
_LEET_CHAR = re.compile(r"[0-9@$]")
# A word with no letters: a number (maybe with @ or $ in it), which stays a number.
_NUMBER_WORD = re.compile(r" [0-9@$]+(?= )")
_NOT_DIGIT: Final = str.maketrans("", "", "@$")
# Three or more one-character words in a row are a word spelled out: "k i l l", "k.i.l.l" (in text
# with a space at each end).
_SPELLED_OUT = re.compile(r" [^ ](?: [^ ]){2,}(?= )")
_SPELLED_OUT_QUICK = re.compile(r" [^ ] [^ ] [^ ] ")  # the same test, cheaper when there is none


@cache
def _fold_table() -> Mapping[int, str | None]:
    """str.translate table: drop accents, invisible characters and apostrophes; map look-alikes."""
    table: dict[int, str | None] = {}
    for code_point in itertools.chain(range(0x80, 0x30000), range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code_point)) in ("Mn", "Me", "Cf"):
            table[code_point] = None
    for char in _APOSTROPHES:
        table[ord(char)] = None
    for char, latin in _LOOKALIKES.items():
        table[ord(char)] = latin
    return table


def _fold(match: re.Match[str]) -> str:
    return _fold_run(match.group())


@lru_cache(maxsize=4096)
def _fold_run(run: str) -> str:
    """A run of non-ASCII characters as ASCII: compatibility forms, no accents, look-alikes mapped."""
    folded = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", run).casefold()).translate(
        _fold_table()
    )
    return folded if folded.isascii() else _NOT_ASCII.sub(" ", folded)


def normalise(text: str) -> str:
    """Text as patterns see it: lowercase a–z and 0–9 words separated by single spaces.

    Case, accents, invisible characters and apostrophes go ("I’m" → "im"); punctuation separates
    words; three or more one-character words in a row are one word spelled out ("k i l l",
    "k.i.l.l" → "kill"); leetspeak in a word with letters is read as letters ("k1ll" → "kill",
    "$elf" → "self"), while numbers stay numbers ("5 kms"). Repeated letters are kept: patterns
    allow them.
    """
    if not text.isascii():
        text = _NOT_ASCII.sub(_fold, text)
    padded = " " + " ".join(text.lower().translate(_ASCII_TABLE).split()) + " "
    if _SPELLED_OUT_QUICK.search(padded) is not None:
        padded = _SPELLED_OUT.sub(lambda match: " " + match.group().replace(" ", ""), padded)
    if _LEET_CHAR.search(padded) is None:
        return padded[1:-1]
    letters = padded.translate(_LEET)  # the same length: numbers are put back below
    pieces = []
    done = 0
    reshaped = False  # a word became nothing: "@", "$"
    for match in _NUMBER_WORD.finditer(padded):
        number = match.group().translate(_NOT_DIGIT)
        reshaped = reshaped or number == " "
        pieces += [letters[done : match.start()], number]
        done = match.end()
    pieces.append(letters[done:])
    joined = "".join(pieces)
    return " ".join(joined.split()) if reshaped else joined[1:-1]


# --- the pattern language --------------------------------------------------------------------------
#
# A pattern is parsed into a small tree (_Word, _Choice, _Sequence, _Optional, _Gap, _Number) over
# normalised words. A node gives its regular expression as a tuple of atoms (a run of one letter, a
# separator, a group), and `starts`: for each character a match can begin with, the atoms that
# follow it. Rules are grouped by that first character into one expression per character, " c…",
# whose alternatives are merged on shared leading atoms (a trie): the regex engine finds the words
# starting with c by a fast literal search and drops most alternatives at their first letter, so a
# check costs about one pass per starting character, however many rules there are.

_GAP_START = "(?: [a-z0-9]+){0,"  # then the most words a gap holds, "} "
_GAP = f"{_GAP_START}{GAP_WORDS}}} "
_LONG_GAP = re.compile(r"\.\.\.([1-9])")  # "...6": up to six words
_END = "(?![a-z0-9])"
_START = "(?<![a-z0-9])"
_SEPARATOR = " ?"  # words may be run together: "killmyself"
_DIGITS = "0123456789"
_LONG_REST = 10_000  # characters of regex (see _Node.starts)
_SCANNER_REST = 400  # characters of regex after a gap that the scanner leaves out (_up_to_a_long_gap)
_FIRST_LETTERS = "tasowihbcmfpdrlenguyvkjqzx"  # by how often English words start with them

Atoms = tuple[str, ...]
_Compile = Callable[[str], re.Pattern[str]]  # re.compile, or a RegexCache's


class _Node:
    def atoms(self) -> Atoms:
        raise NotImplementedError

    def starts(self, long_rest: int) -> list[tuple[str, Atoms]]:
        """(first character, the atoms after it) for every way a match can begin.

        A choice of words whose starts would copy what follows it more than `long_rest` characters
        of regex in all gives one start per first character rather than one per word, which keeps
        the expression small.
        """
        raise NotImplementedError

    def regex(self) -> str:
        return "".join(self.atoms())


@dataclass(frozen=True, eq=False)
class _Word(_Node):
    """One normalised word; `prefix`: any word starting so."""

    word: str
    prefix: bool

    def atoms(self) -> Atoms:
        """The word's letters, one atom per run of a repeated letter.

        Letters but the first may be stretched ("kill" matches "kiiilll"); a double letter stays at
        least double ("noose" is not "nose"). In words shorter than four letters (counting a double
        letter once) a single letter may be stretched to three or more, not two, which keeps them
        apart from their neighbours ("od" is not "odd", "sh" is not "shh"). Every atom starts with
        its plain letter, which keeps matching fast.
        """
        runs = [(char, len(list(group))) for char, group in itertools.groupby(self.word)]
        lenient = len(runs) >= 4
        atoms = []
        for position, (char, count) in enumerate(runs):
            if position == 0 or not char.isalpha():
                atoms.append(char * count)
            elif count >= 2:
                atoms.append(f"{char}{char}{char}*")
            elif lenient:
                atoms.append(f"{char}{char}*")
            else:
                atoms.append(f"{char}(?:{char}{char}{char}*)?")
        if self.prefix:
            atoms.append("[a-z0-9]*")
        return tuple(atoms)

    def starts(self, long_rest: int) -> list[tuple[str, Atoms]]:
        first, *rest = self.atoms()
        return [(first[0], (first[1:], *rest) if len(first) > 1 else tuple(rest))]


@dataclass(frozen=True, eq=False)
class _Number(_Node):
    big: bool  # ## : 10 or more

    def atoms(self) -> Atoms:
        return ("[0-9]{2,}" if self.big else "[0-9]+",)

    def starts(self, long_rest: int) -> list[tuple[str, Atoms]]:
        tail = "[0-9]+" if self.big else "[0-9]*"
        return [(digit, (tail,)) for digit in _DIGITS]


@dataclass(frozen=True, eq=False)
class _Gap(_Node):
    words: int = GAP_WORDS

    def atoms(self) -> Atoms:
        return (f"{_GAP_START}{self.words}}} ",)

    def starts(self, long_rest: int) -> list[tuple[str, Atoms]]:
        raise AssertionError("a pattern never starts with '...'")


@dataclass(frozen=True, eq=False)
class _Optional(_Node):
    body: _Node

    def atoms(self) -> Atoms:
        return self.body.atoms()

    def starts(self, long_rest: int) -> list[tuple[str, Atoms]]:
        return self.body.starts(long_rest)


@dataclass(eq=False)
class _Choice(_Node):
    options: tuple[_Node, ...]
    _atoms: Atoms | None = None

    def atoms(self) -> Atoms:
        if self._atoms is None:  # sets are shared: build their regex once
            self._atoms = (_trie([(option.atoms(), None) for option in self.options]),)
        return self._atoms

    def starts(self, long_rest: int) -> list[tuple[str, Atoms]]:
        return [start for option in self.options for start in option.starts(long_rest)]

    def merged_starts(self, long_rest: int) -> list[tuple[str, Atoms]]:
        """One start per first character, the options' tails merged: what follows is written once."""
        by_char: dict[str, list[Atoms]] = {}
        for option in self.options:
            for char, tail in option.starts(long_rest):
                by_char.setdefault(char, []).append(tail)
        return [
            (char, tails[0] if len(tails) == 1 else (_trie([(tail, None) for tail in tails]),))
            for char, tails in by_char.items()
        ]


@dataclass(frozen=True, eq=False)
class _Sequence(_Node):
    items: tuple[_Node, ...]

    def _pieces(self) -> list[Atoms]:
        """Atoms item by item: words may be run together (an optional space), '...' needs spaces."""
        pieces: list[Atoms] = []
        leading = True  # still among optional parts before the first required one
        previous: _Node | None = None
        for item in self.items:
            if isinstance(item, _Gap):
                pieces.append(item.atoms())
            elif isinstance(item, _Optional) and leading:
                pieces.append((f"(?:{item.regex()}{_SEPARATOR})?",))
            else:
                separator = "" if leading or isinstance(previous, _Gap) else _SEPARATOR
                if isinstance(item, _Optional):
                    pieces.append((f"(?:{separator}{item.regex()})?",))
                else:
                    pieces.append((separator, *item.atoms()) if separator else item.atoms())
                leading = False
            previous = item
        return pieces

    def atoms(self) -> Atoms:
        return tuple(atom for piece in self._pieces() for atom in piece)

    def starts(self, long_rest: int) -> list[tuple[str, Atoms]]:
        first = self.items[0]
        rest = tuple(atom for piece in self._pieces()[1:] for atom in piece)
        if not isinstance(first, _Optional):
            # Options each with their own copy of what follows merge best with other rules; when
            # that is long (a list of a hundred verbs), one copy per first character keeps size down.
            starts = first.starts(long_rest)
            if isinstance(first, _Choice) and len(starts) * sum(map(len, rest)) > long_rest:
                starts = first.merged_starts(long_rest)
            return [(char, tail + rest) for char, tail in starts]
        present = [(char, (*tail, _SEPARATOR, *rest)) for char, tail in first.starts(long_rest)]
        return present + _Sequence(self.items[1:]).starts(long_rest)  # or the optional part is not there


def _trie(alternatives: Sequence[tuple[Atoms, int | None]], markers: list[int] | None = None) -> str:
    """One regex for all alternatives, merged on shared leading atoms.

    With `markers` (a scanner), each alternative that is a rule ends with the word boundary and an
    empty group, and `markers` gets, in group order, the rule index each group stands for.
    """
    groups: dict[str, list[tuple[Atoms, int | None]]] = {}
    ends: list[int | None] = []
    for atoms, index in alternatives:
        atoms = tuple(atom for atom in atoms if atom)
        if atoms:
            groups.setdefault(atoms[0], []).append((atoms[1:], index))
        else:
            ends.append(index)
    branches = []
    # A branch needs a group when one of its parts holds a top-level |; what _trie returns never does.
    only_needs_group = False
    for first, rests in groups.items():
        if len(rests) == 1 and (markers is None or not rests[0][0]):
            rest, index = rests[0]
            branches.append(first + "".join(rest) + _mark(index, markers))
            only_needs_group = any(map(_needs_group, (first, *rest)))
        else:
            branches.append(first + _trie(rests, markers))
            only_needs_group = _needs_group(first)
    seen_end = False
    for index in ends:
        if markers is None:
            if not seen_end:
                branches.append("")
            seen_end = True
        else:
            branches.append(_mark(index, markers))
    if len(branches) == 1:
        return f"(?:{branches[0]})" if only_needs_group and not ends else branches[0]
    return f"(?:{'|'.join(branches)})"


def _up_to_a_long_gap(tail: Atoms) -> Atoms:
    """A start's atoms, cut before a "..." that a long rest follows.

    The scanner only finds where a rule may match (each is then tried with its own expression), so
    it may stop at the end of a word; copying long lists after a gap into it for every start made it
    slow to compile.
    """
    for position, atom in enumerate(tail):
        if atom.startswith(_GAP_START) and sum(map(len, tail[position:])) > _SCANNER_REST:
            return tail[:position]
    return tail


def _first_letter_rank(char: str) -> int:
    rank = _FIRST_LETTERS.find(char)
    return rank if rank >= 0 else len(_FIRST_LETTERS)


def _next_char(tail: Atoms) -> str | None:
    """The character that must follow a start's first one, if one is sure (" ": the word ends there)."""
    atoms = [atom for atom in tail if atom]
    if not atoms:
        return " "
    first = atoms[0]
    if first[0].isalnum() and (len(first) == 1 or first[1] not in "?*+{"):
        return first[0]
    if first.startswith(_GAP_START):
        return " "
    return None


def _mark(index: int | None, markers: list[int] | None) -> str:
    if markers is None or index is None:
        return ""
    markers.append(index)
    return _END + "()"


@cache
def _needs_group(regex: str) -> bool:
    """Whether an atom must be wrapped before something follows it (it holds a top-level |)."""
    if "|" not in regex:
        return False
    depth = 0
    for special in _GROUPING.finditer(regex):  # the regex engine skips the letters in between
        char = special.group()
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


_GROUPING = re.compile(r"\\.|[()\[\]|]")  # an escaped character (skipped), a bracket or a bar


def _gap_words(token: str) -> int | None:
    """How many words a gap token stands for ("...": GAP_WORDS, "...6": six), or None: not a gap."""
    if token == "...":
        return GAP_WORDS
    long_gap = _LONG_GAP.fullmatch(token)
    return int(long_gap.group(1)) if long_gap is not None else None


class _Parser:
    """Reads patterns (and the named sets they use) into trees; errors say what is wrong and where."""

    def __init__(self, sets: Mapping[str, Sequence[str]], respell: Callable[[str], str] = str) -> None:
        self._sets = sets
        self._respell = respell
        self._parsed_sets: dict[str, _Choice] = {}
        self._parsing: list[str] = []

    def parse(self, pattern: str) -> _Sequence:
        try:
            return self._sequence(pattern)
        except PhraseListError as error:
            raise PhraseListError(f"pattern {pattern!r}: {error}") from None

    def _sequence(self, pattern: str) -> _Sequence:
        items = list(self._items(pattern))
        if not items:
            raise PhraseListError("empty pattern")
        if isinstance(items[0], _Gap) or isinstance(items[-1], _Gap):
            raise PhraseListError("'...' must stand between words")
        for before, after in itertools.pairwise(items):
            if isinstance(before, _Gap) and isinstance(after, _Gap):
                raise PhraseListError("two '...' in a row")
            # "[a] ... b" or "a ... [b]": which words would the gap stand between?
            if isinstance(before, _Gap) and isinstance(after, _Optional):
                raise PhraseListError("'...' next to an optional [part]")
            if isinstance(before, _Optional) and isinstance(after, _Gap):
                raise PhraseListError("'...' next to an optional [part]")
        if all(isinstance(item, _Optional | _Gap) for item in items):
            raise PhraseListError("everything in it is optional")
        return _Sequence(tuple(items))

    def _items(self, pattern: str) -> Iterator[_Node]:
        tokens = pattern.replace("[", " [ ").replace("]", " ] ").split()
        optional: list[_Node] | None = None
        for token in tokens:
            if token == "[":
                if optional is not None:
                    raise PhraseListError("'[' inside [ ]")
                optional = []
            elif token == "]":
                if not optional:
                    raise PhraseListError("']' without '[', or empty [ ]")
                yield _Optional(optional[0] if len(optional) == 1 else _Sequence(tuple(optional)))
                optional = None
            elif (gap_words := _gap_words(token)) is not None:
                if optional is not None:
                    raise PhraseListError("'...' inside [ ]")
                yield _Gap(gap_words)
            elif optional is not None:
                optional.append(self._unit(token))
            else:
                yield self._unit(token)
        if optional is not None:
            raise PhraseListError("'[' without ']'")

    def _unit(self, token: str) -> _Node:
        if token in ("#", "##"):
            return _Number(big=token == "##")
        options: list[_Node] = []
        for spelling in token.split("/"):
            if spelling.startswith("<") and spelling.endswith(">"):
                options.append(self._set(spelling[1:-1]))
                continue
            prefix = spelling.endswith("*")
            body = spelling.removesuffix("*")
            words = self._respell(normalise(body)).split()
            if not words or any(char in body for char in "<>#*"):
                raise PhraseListError(f"cannot read {spelling!r} in {token!r}")
            nodes = [_Word(word, prefix=prefix and n == len(words) - 1) for n, word in enumerate(words)]
            options.append(nodes[0] if len(nodes) == 1 else _Sequence(tuple(nodes)))
        return options[0] if len(options) == 1 else _Choice(tuple(options))

    def _set(self, name: str) -> _Choice:
        if name in self._parsed_sets:
            return self._parsed_sets[name]
        if name not in self._sets:
            raise PhraseListError(f"no set named <{name}>")
        if name in self._parsing:
            raise PhraseListError(f"set <{name}> refers to itself")
        self._parsing.append(name)
        try:
            entries = tuple(self._sequence(entry) for entry in self._sets[name])
        except PhraseListError as error:
            raise PhraseListError(f"in set <{name}>: {error}") from None
        finally:
            self._parsing.pop()
        choice = _Choice(entries)
        self._parsed_sets[name] = choice
        return choice


# --- rules and the detector ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str  # "<category>.<n>" or "hyperbole.<n>"
    category: str
    pattern: str
    regex: re.Pattern[str]  # the whole rule, with word boundaries; used with .match at a known start


class _RuleSet:
    """Rules in priority order, and one expression that finds where any of them may match."""

    def __init__(
        self, rules: Sequence[tuple[_Rule, _Sequence]], long_rest: int, compile: _Compile = re.compile
    ) -> None:
        self.rules = tuple(rule for rule, _ in rules)
        alternatives: list[tuple[Atoms, int | None]] = []
        any_next: dict[str, set[int]] = {}  # first character → rules that may go on with anything
        by_pair: dict[str, set[int]] = {}  # first two characters ("e " for a word "e") → rules
        for index, (_, tree) in enumerate(rules):
            for char, tail in dict.fromkeys(tree.starts(long_rest)):
                alternatives.append(((char, *_up_to_a_long_gap(tail)), index))
                any_next.setdefault(char, set())
                following = _next_char(tail)
                if following is None:
                    any_next[char].add(index)
                else:
                    by_pair.setdefault(char + following, set()).add(index)
        # The engine tries first letters in order: common first letters of English words first.
        alternatives.sort(key=lambda alternative: _first_letter_rank(alternative[0][0]))
        self.markers: list[int] = []  # group number - 1 → rule index
        # Text is scanned with a space before it: " " then a letter starts a word.
        self.scanner = compile(" " + _trie(alternatives, self.markers) if alternatives else "(?!)")
        self._by_char = {char: tuple(sorted(indexes)) for char, indexes in any_next.items()}
        self._by_pair = {
            pair: tuple(sorted(indexes | any_next[pair[0]])) for pair, indexes in by_pair.items()
        }

    def candidates(self, text: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        """(a rule matching there, start, every rule that may start there) for each start of a match.

        `text` is normalised text with a space before it.
        """
        scanner = self.scanner
        position = 0
        while (match := scanner.search(text, position)) is not None:
            assert match.lastindex is not None
            start = match.start() + 1
            yield self.markers[match.lastindex - 1], start, self.rules_at(text, start)
            position = start

    def rules_at(self, text: str, start: int) -> tuple[int, ...]:
        """The rules that may match at a start, by the first two characters there."""
        pair = text[start : start + 2]
        return self._by_pair.get(pair if len(pair) == 2 else pair + " ") or self._by_char[pair[0]]


class _HyperboleIndex:
    """Hyperbole in one message, looked for only where a risk match asks, each word start once."""

    __slots__ = ("_rules", "_spans", "_text")

    def __init__(self, rules: _RuleSet, text: str) -> None:
        self._rules = rules
        self._text = text
        self._spans: dict[int, list[int]] = {}  # word start → ends of the hyperbole matches there

    def holds(self, start: int, end: int) -> bool:
        """Whether a hyperbole match holds text[start:end]; it starts at most HYPERBOLE_REACH words before."""
        text = self._text
        space = start - 1  # text is normalised with a space before it: words start after a space
        for _ in range(HYPERBOLE_REACH):
            if space <= 0:
                break
            space = text.rfind(" ", 0, space)
        while 0 <= space < start:
            found = space + 1
            if found not in self._spans:
                self._spans[found] = self._ends(found)
            if any(h_end >= end for h_end in self._spans[found]):
                return True
            space = text.find(" ", found)
        return False

    def _ends(self, found: int) -> list[int]:
        rules = self._rules
        scanned = rules.scanner.match(self._text, found - 1)
        if scanned is None:
            return []
        assert scanned.lastindex is not None
        ends = []
        for index in (rules.markers[scanned.lastindex - 1], *rules.rules_at(self._text, found)):
            match = rules.rules[index].regex.match(self._text, found)
            if match is not None:
                ends.append(match.end())
        return ends


class RiskDetector:
    """Checks a client's free text against the phrase list. Compiled once; safe to share across tasks."""

    def __init__(
        self,
        rules: Sequence[tuple[_Rule, _Sequence]],
        hyperbole: Sequence[tuple[_Rule, _Sequence]],
        compile: _Compile = re.compile,
        respell: Callable[[str], str] = str,
        cues: CueReader | None = None,
    ) -> None:
        """Use from_file or from_toml; this takes rules already parsed (`respell`: the list's [spelling];
        `cues`: a second detector asked about what the list lets pass, see with_cues)."""
        self._respell = respell
        self._cues = cues
        self._parts = (rules, hyperbole, compile)
        _fold_table()  # built now rather than on the first message with accents or emoji
        self._risk = _RuleSet(rules, long_rest=_LONG_REST, compile=compile)
        # Hyperbole is only looked for near a risk match: a small expression beats a fast one.
        self._hyperbole = _RuleSet(hyperbole, long_rest=0, compile=compile)
        self._categories = tuple(dict.fromkeys(rule.category for rule, _ in rules))
        self._patterns = {rule.id: rule.pattern for rule, _ in (*rules, *hyperbole)}

    @classmethod
    def from_file(cls, path: Path | str) -> RiskDetector:
        """A detector for the phrase list in this TOML file."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise PhraseListError(f"cannot read the phrase list {str(path)!r}: {error.strerror}") from None
        return cls.from_toml(text)

    @classmethod
    def from_toml(cls, text: str, cache: RegexCache | None = None) -> RiskDetector:
        """A detector for a phrase list given as TOML text (see risk_phrases.toml for the format).

        With a cache, expressions compiled before (in any process) are loaded rather than compiled.
        """
        compile = cache.compile if cache is not None else re.compile
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise PhraseListError(f"the phrase list is not valid TOML: {error}") from None
        return cls.from_mapping(data, compile)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], compile: _Compile = re.compile) -> RiskDetector:
        """A detector for a phrase list already read from TOML ([lookalikes] is left to risk_languages)."""
        _only_keys(data, {"sets", "categories", "hyperbole", "spelling", "lookalikes"}, "the phrase list")
        respell = respelling(data.get("spelling", {}))
        parser = _Parser(_sets(data.get("sets", {})), respell)
        raw_categories = data.get("categories")
        if not isinstance(raw_categories, dict) or not raw_categories:
            raise PhraseListError("the phrase list has no [categories.<name>] tables")
        rules = []
        for name, table in raw_categories.items():
            if _NAME.fullmatch(name) is None or name == "hyperbole":
                raise PhraseListError(f"category name {name!r}: use lowercase letters, digits and _")
            for n, pattern in enumerate(_patterns(table, f"[categories.{name}]"), 1):
                rules.append(_rule(parser, name, f"{name}.{n}", pattern, compile))
        hyperbole_table = data.get("hyperbole", {"patterns": []})
        hyperbole = [
            _rule(parser, "hyperbole", f"hyperbole.{n}", pattern, compile)
            for n, pattern in enumerate(_patterns(hyperbole_table, "[hyperbole]", allow_empty=True), 1)
        ]
        return cls(rules, hyperbole, compile, respell)

    def with_cues(self, cues: CueReader) -> RiskDetector:
        """This list as the floor, and the cues' categories added where the list finds nothing."""
        rules, hyperbole, compile = self._parts
        return RiskDetector(rules, hyperbole, compile, self._respell, cues)

    @property
    def categories(self) -> tuple[str, ...]:
        """The category names, in the order they are checked (the phrase list's order)."""
        return self._categories

    def pattern(self, rule: str) -> str:
        """The phrase-list pattern behind a rule id (for people reviewing the list, not for clients);
        for a rule of the cues, what they found."""
        if self._cues is not None and rule not in self._patterns:
            return self._cues.explain(rule)
        return self._patterns[rule]

    def check(self, text: str) -> RiskMatch | None:
        """The first category (in phrase-list order) whose phrases occur in the text, or None; when
        none does, the most urgent one the cues find."""
        found = self._find(text, every_category=False)
        if not found and self._cues is not None:
            found = self._cues.matches(text)[:1]
        return found[0] if found else None

    def matches(self, text: str) -> tuple[RiskMatch, ...]:
        """Every category whose phrases occur in the text, in phrase-list order, each with its first
        rule; then, in the same order, the categories only the cues find."""
        found = self._find(text, every_category=True)
        if self._cues is None:
            return found
        listed = {match.category for match in found}
        added = [match for match in self._cues.matches(text) if match.category not in listed]
        order = {category: rank for rank, category in enumerate(self._categories)}
        return tuple(sorted((*found, *added), key=lambda match: order.get(match.category, len(order))))

    def masked(self, text: str) -> str:
        """The text as patterns see it, each match of a rule (hyperbole aside) replaced by MASKED.

        For another language's list to read what this one knows as everyday: German "ich will die
        Wäsche machen" holds English "will die" (see bot/safety/risk_languages.py).
        """
        normalised = " " + self._respell(normalise(text)) + " "
        rules = self._risk.rules
        spans: list[tuple[int, int]] = []
        for hit, start, indexes in self._risk.candidates(normalised):
            found = (rules[index].regex.match(normalised, start) for index in dict.fromkeys((hit, *indexes)))
            ends = [match.end() for match in found if match is not None]
            if ends and spans and start < spans[-1][1]:  # overlapping the one before: one span
                spans[-1] = (spans[-1][0], max(spans[-1][1], *ends))
            elif ends:
                spans.append((start, max(ends)))
        pieces = []
        done = 0
        for start, end in spans:
            pieces += [normalised[done:start], MASKED]
            done = end
        pieces.append(normalised[done:])
        return " ".join("".join(pieces).split())

    def _find(self, text: str, *, every_category: bool) -> tuple[RiskMatch, ...]:
        normalised = " " + self._respell(normalise(text))
        hyperbole = _HyperboleIndex(self._hyperbole, normalised)

        rules = self._risk.rules
        best: dict[str, int] = {}  # category → index of its first rule found
        for hit, start, indexes in self._risk.candidates(normalised):
            for index in (hit, *indexes):  # the rule the scanner found first: usually the only one
                category = rules[index].category
                if index >= best.get(category, len(rules)):
                    continue
                if not every_category and best and index >= min(best.values()):
                    continue
                match = rules[index].regex.match(normalised, start)
                if match is not None and not hyperbole.holds(*match.span()):
                    best[category] = index
        found = sorted(best.values())
        if not every_category:
            found = found[:1]
        return tuple(RiskMatch(category=rules[index].category, rule=rules[index].id) for index in found)


@cache
def default_detector() -> RiskDetector:
    """The detector for the phrase list shipped with Between (bot/safety/risk_phrases.toml), built once."""
    text = resources.files("bot.safety").joinpath(PHRASES_RESOURCE).read_text(encoding="utf-8")
    cache = RegexCache.named("risk_phrases")
    detector = RiskDetector.from_toml(text, cache)
    cache.save()
    from bot.safety.risk_cues import default_cues  # it reads messages as this module does

    return detector.with_cues(default_cues())


def _rule(
    parser: _Parser, category: str, rule_id: str, pattern: str, compile: _Compile
) -> tuple[_Rule, _Sequence]:
    tree = parser.parse(pattern)
    regex = compile(_START + tree.regex() + _END)
    return _Rule(id=rule_id, category=category, pattern=pattern, regex=regex), tree


def respelling(table: object) -> Callable[[str], str]:
    """[spelling] read_as = { ae = "a" }: letters read as others in messages and patterns alike
    (the risk cues read their [spelling] with it too)."""
    if not isinstance(table, dict):
        raise PhraseListError("[spelling] must be a table")
    _only_keys(table, {"about", "read_as"}, "[spelling]")
    read_as = table.get("read_as", {})
    if not isinstance(read_as, dict) or not all(
        _LETTERS.fullmatch(key) and isinstance(value, str) and _LETTERS.fullmatch(value)
        for key, value in read_as.items()
    ):
        raise PhraseListError("[spelling] read_as must map lowercase letters to lowercase letters")
    if not read_as:
        return str
    spelled = re.compile("|".join(sorted(read_as, key=len, reverse=True)))
    return lambda text: spelled.sub(lambda match: read_as[match.group()], text)


def _only_keys(table: Mapping[str, object], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise PhraseListError(f"{where}: unknown key {unknown[0]!r} (expected one of {sorted(allowed)})")


def _sets(raw: object) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise PhraseListError("[sets] must be a table of lists of phrases")
    sets = {}
    for name, entries in raw.items():
        if _NAME.fullmatch(name) is None:
            raise PhraseListError(f"set name {name!r}: use lowercase letters, digits and _")
        if not isinstance(entries, list) or not entries or not all(isinstance(e, str) for e in entries):
            raise PhraseListError(f"set <{name}> must be a non-empty list of phrases")
        sets[name] = entries
    return sets


def _patterns(table: object, where: str, *, allow_empty: bool = False) -> list[str]:
    if not isinstance(table, dict):
        raise PhraseListError(f"{where} must be a table")
    _only_keys(table, {"about", "patterns"}, where)
    patterns = table.get("patterns")
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise PhraseListError(f"{where} needs patterns = [ ... ] (a list of strings)")
    if not patterns and not allow_empty:
        raise PhraseListError(f"{where} has no patterns")
    return patterns
