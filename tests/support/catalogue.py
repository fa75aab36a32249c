"""What of the English catalogue may not reach someone who reads another language: the checks
behind "no English sentence left" (issue #15), shared by the German journeys and the digest."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.core.i18n import DOMAIN, LOCALE_DIR

PLACEHOLDER = re.compile(r"\{[^}]*\}|⟨[^⟩]*⟩")


@cache
def _catalogue(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po)


def english_sentences(language: str = "de") -> set[str]:
    """The English catalogue's runs of three words or more between placeholders and line breaks
    whose translation differs: none of them may reach a reader of ``language``."""
    found: set[str] = set()
    for message in _catalogue(language):
        if not message.id:
            continue
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        translated = " ".join([message.string] if isinstance(message.string, str) else message.string)
        for text in english:
            for run in PLACEHOLDER.split(text):
                for line in run.splitlines():
                    words = line.strip(" .,:;—–()“”\"'")
                    if len(words.split()) >= 3 and words not in translated:
                        found.add(words)
    return found


def english_labels(language: str = "de") -> set[str]:
    """Short English texts (button labels) whose translation differs."""
    return {
        m.id for m in _catalogue(language) if isinstance(m.id, str) and m.id and m.string and m.string != m.id
    }


def english_left(texts: Iterable[str], language: str = "de") -> set[str]:
    """The English catalogue's runs (``english_sentences``) found in ``texts``."""
    sentences = english_sentences(language)
    return {s for text in texts for s in sentences if s in text}
