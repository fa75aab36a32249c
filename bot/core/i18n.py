"""Which language a person reads: gettext catalogues, chosen per turn.

Texts modules keep their English source wrapped in ``N_`` (a marker Babel extracts; it changes
nothing), and the code that shows a text calls ``_`` on it at that moment. Which catalogue ``_``
reads is set for a turn, a prompt or a digest with ``reading(language)`` — the language of the
person it is for, never the process's — so two people answered at once each read their own.

English is the source and needs no catalogue. Another language is one folder,
``bot/locale/<language>/LC_MESSAGES/between.po`` and its compiled ``between.mo`` (``make i18n``
extracts, updates and compiles; a test keeps ``.po`` and ``.mo`` in step). Adding a language
is copying a catalogue, translating it and compiling: no code.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Final

SOURCE_LANGUAGE: Final = "en"
DOMAIN: Final = "between"
LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "locale"

FORMAL: Final = "formal"
"""The context of a text's second translation, for therapists, where a language addresses people
in two ways (German: clients "du", therapists "Sie"); marked with ``pN_(FORMAL, "…")``."""

_practice_default: str = SOURCE_LANGUAGE
_reading: ContextVar[str | None] = ContextVar("between_reading", default=None)
_formal: ContextVar[bool] = ContextVar("between_formal", default=False)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue; translated later, where it is shown, by ``_``."""
    return message


def pN_(context: str, message: str) -> str:
    """Marks ``message`` for the catalogue under ``context`` (babel.cfg: ``pN_:1c,2``)."""
    return message


def _(message: str) -> str:
    """``message`` in the language being read now (English where the catalogue lacks it); for a
    therapist, its formal translation where the catalogue has one."""
    language = current()
    catalogue = _catalogue(language)
    if _formal.get() and language != SOURCE_LANGUAGE:
        formal = catalogue.pgettext(FORMAL, message)
        if formal != message:
            return _said_in(language, formal)
    return _said_in(language, catalogue.gettext(message))


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or a plural form for ``count``, by the language's own plural rule."""
    return _said_in(current(), _catalogue(current()).ngettext(singular, plural, count))


def pgettext(context: str, message: str) -> str:
    """``message`` where the same English words need different translations ("Skip" the button,
    "skip" the noun): ``context`` tells them apart."""
    return _said_in(current(), _catalogue(current()).pgettext(context, message))


def every_language(message: str) -> frozenset[str]:
    """``message`` as each installed language says it (English included): what a typed word
    such as "Skip" may be, whichever language the person types in."""
    return frozenset(_catalogue(language).gettext(message) for language in installed())


GESTURE_MARKER: Final = re.compile(r"⟨(\w+)(?:\|(\w+))?⟩")
"""A gesture named in a text (``bot.core.gestures``): ``⟨tap⟩``, or ``⟨tap|de⟩`` once translated,
so the transport says the gesture in the language the text was written in."""


def _said_in(language: str, text: str) -> str:
    """A translated text's gesture markers tagged with its language (English ones stay bare)."""
    if language == SOURCE_LANGUAGE or "⟨" not in text:
        return text
    return GESTURE_MARKER.sub(lambda m: f"⟨{m.group(1)}|{language}⟩", text)


def reading_now() -> str | None:
    """The language set by the ``reading`` block we are in; None outside any."""
    return _reading.get()


def current() -> str:
    """The language being read now: the turn's, else the practice's default."""
    return _reading.get() or _practice_default


def formal_now() -> bool:
    """Whether the reader now is addressed formally (a therapist)."""
    return _formal.get()


@contextmanager
def reading(language: str | None, *, formal: bool = False) -> Iterator[str]:
    """Everything ``_`` says inside the block is in ``language`` (an installed one; anything
    else, or None, reads the practice's default), formally for a therapist (``formal``).
    Yields the language used."""
    chosen = supported(language) or _practice_default
    token, formal_token = _reading.set(chosen), _formal.set(formal)
    try:
        yield chosen
    finally:
        _formal.reset(formal_token)
        _reading.reset(token)


def use_practice_default(language: str) -> None:
    """Set once at start-up from ``DEFAULT_LANGUAGE``: what a person without a choice reads."""
    global _practice_default
    chosen = supported(language)
    if chosen is None:
        raise ValueError(f"no catalogue for the language {language!r}; installed: {', '.join(installed())}")
    _practice_default = chosen


def practice_default() -> str:
    return _practice_default


@cache
def installed() -> tuple[str, ...]:
    """English and every language with a compiled catalogue, in a stable order (looked up once
    per process: every turn and every typed word asks, and catalogues do not come and go)."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return (SOURCE_LANGUAGE, *(name for name in found if name != SOURCE_LANGUAGE))


_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*$")


def supported(tag: str | None) -> str | None:
    """The installed language a tag asks for ("de-AT", "de_CH", "DE" → "de"), else None."""
    match = _TAG.match(tag.strip()) if tag else None
    if match is None:
        return None
    language = match.group(1).lower()
    return language if language in installed() else None


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (read once per process); English reads its source."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with path.open("rb") as compiled:
        return gettext.GNUTranslations(compiled)
