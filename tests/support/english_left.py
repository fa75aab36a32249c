"""What of the English catalogue reaches someone who reads another language: the checker the
German journeys share (Telegram's and Signal's).

A text counts as English when it holds a run of three words or more of an English catalogue
text (between placeholders and line breaks) whose translation differs; a button label counts
when it is a short English text with a different translation. The person's own words are
taken out first (``without``): they may well be English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from bot.core.i18n import DOMAIN, LOCALE_DIR, _, reading

PLACEHOLDER = re.compile(r"\{[^}]*\}|⟨[^⟩]*⟩")


def german(text: str) -> str:
    with reading("de"):
        return _(text)


@cache
def _catalogue(language: str) -> list[Message]:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return list(read_po(po))


def english_sentences(language: str = "de") -> set[str]:
    """The English catalogue's runs of three words or more between placeholders and line breaks
    whose translation differs: none of them may reach someone reading ``language``."""
    found: set[str] = set()
    for message in _catalogue(language):
        msgid, msgstr = message.id, message.string
        if not msgid:
            continue
        english = [msgid] if isinstance(msgid, str) else list(msgid)
        translated = " ".join([msgstr] if isinstance(msgstr, str) else msgstr)
        for text in english:
            found |= runs(text, translated)
    return found


def runs(text: str, translated: str) -> set[str]:
    """The runs of three words or more of ``text`` (between placeholders and line breaks) that
    its translation does not hold as they are."""
    found = set()
    for run in PLACEHOLDER.split(text):
        for line in run.splitlines():
            words = line.strip(" .,:;—–()“”\"'")
            if len(words.split()) >= 3 and words not in translated:
                found.add(words)
    return found


def english_labels(language: str = "de") -> set[str]:
    """Short English texts (button labels) whose translation differs."""
    found: set[str] = set()
    for message in _catalogue(language):
        msgid, msgstr = message.id, message.string
        if isinstance(msgid, str) and msgid and msgstr and msgstr != msgid:
            found.add(msgid)
    return found


def without(text: str, own_words: Iterable[str]) -> str:
    """``text`` with the person's own words taken out (as written, and in lower case)."""
    for words in own_words:
        text = text.replace(words, " ").replace(words.lower(), " ")
    return text


def english_left(said: Iterable[str], own_words: Iterable[str] = (), language: str = "de") -> set[str]:
    """The English sentences left in what was said, once the person's own words are out."""
    sentences = english_sentences(language)
    own = list(own_words)
    return {s for text in said for s in sentences if s in without(text, own)}


ENGLISH_ONLY = frozenset(
    {
        "the",
        "you",
        "your",
        "yours",
        "and",
        "with",
        "how",
        "what",
        "is",
        "are",
        "of",
        "for",
        "this",
        "that",
        "it",
        "be",
        "have",
        "has",
        "been",
        "i'm",
        "it's",
        "don't",
        "can't",
        "won't",
        "there",
        "their",
        "they",
        "we",
        "our",
        "my",
        "me",
        "when",
        "where",
        "which",
        "would",
        "could",
        "should",
        "about",
        "please",
        "here",
        "just",
        "from",
    }
)
"""English words German never uses: a line holding three of them is English, whether or not the
catalogue knows it (an unmarked text never reaches the catalogue, so ``english_sentences`` cannot
see it)."""
PUBLISHED_ENGLISH = ("Developed by Drs. Robert L. Spitzer",)
"""English a German reader is shown on purpose: a validated measure's original attribution."""


def unmarked_english(said: Iterable[str], own_words: Iterable[str] = ()) -> set[str]:
    """Lines of what was said that read as English (three English-only words), the person's own
    words and the published English attributions taken out."""
    own = list(own_words)
    found = set()
    for text in said:
        for line in without(text, own).splitlines():
            if any(line.startswith(published) for published in PUBLISHED_ENGLISH):
                continue
            words = re.findall(r"[a-z']+", line.lower())
            if sum(word in ENGLISH_ONLY for word in words) >= 3:
                found.add(line)
    return found
