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
import logging
import re
from collections.abc import Callable, Iterator, Mapping
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
_fallbacks_told: set[tuple[str, str]] = set()
log = logging.getLogger(__name__)
FALLBACK: Final = "%s has no %s text for some of what it says: shown in %s"


class Translated(str):
    """A text that brings its own translations (a homework file's ``[translations.<language>]``)
    instead of the catalogue's: as a ``str`` it is its file's own language; ``_`` reads it in the
    language being read. A language it lacks (or lacks in part) reads the file's own language,
    said once per file and language in the log (the file and language, never the words)."""

    translations: Mapping[str, str]
    language: str
    origin: str
    partial: frozenset[str]

    def __new__(
        cls,
        text: str,
        translations: Mapping[str, str],
        *,
        language: str = SOURCE_LANGUAGE,
        origin: str = "",
        partial: frozenset[str] = frozenset(),
    ) -> Translated:
        made = super().__new__(cls, text)
        made.translations = dict(translations)
        made.language = language
        made.origin = origin
        made.partial = partial
        return made

    def said_in(self, language: str) -> str:
        """The text in ``language``, else (told once in the log) in the file's own."""
        if language == self.language:
            return str(self)
        found = self.translations.get(language)
        if found is None or language in self.partial:
            _tell_fallback(self.origin, language, self.language)
        return str(self) if found is None else found

    def every_language(self) -> frozenset[str]:
        return frozenset({str(self), *self.translations.values()})

    def map(self, change: Callable[[str], str]) -> Translated:
        """The same text changed the same way in every language (upper case, a suffix)."""
        return _composed(change, (self,))


def said(text: str) -> str:
    """A :class:`Translated` text in the language being read; any other text as it is (a
    client's words, a number: never looked up in a catalogue)."""
    return text.said_in(current()) if isinstance(text, Translated) else text


def compose(make: Callable[..., str], *parts: str) -> str:
    """``make(*parts)`` in each language any translated part has (a step's text with its scale's
    end labels, an intro with its attribution); a part that lacks a language lends its own
    words there, and that language counts as partly translated. Plain parts are the same in all
    (with none translated, the result is a plain text)."""
    if not any(isinstance(p, Translated) for p in parts):
        return make(*parts)
    return _composed(make, parts)


def _composed(make: Callable[..., str], parts: tuple[str, ...]) -> Translated:
    translated = [p for p in parts if isinstance(p, Translated)]
    first = translated[0] if translated else None
    language = first.language if first else SOURCE_LANGUAGE
    languages = {lang for p in translated for lang in p.translations}
    translations: dict[str, str] = {}
    partial: set[str] = set()
    for lang in sorted(languages):
        pieces = []
        for part in parts:
            if isinstance(part, Translated):
                if lang not in part.translations or lang in part.partial:
                    partial.add(lang)
                pieces.append(part.translations.get(lang, str(part)))
            else:
                pieces.append(part)
        translations[lang] = make(*pieces)
    return Translated(
        make(*(str(p) for p in parts)),
        translations,
        language=language,
        origin=first.origin if first else "",
        partial=frozenset(partial),
    )


def _tell_fallback(origin: str, language: str, instead: str) -> None:
    if (origin, language) in _fallbacks_told:
        return
    _fallbacks_told.add((origin, language))
    log.info(FALLBACK, origin or "a homework definition", language, instead)


def in_catalogue(language: str, message: str) -> str:
    """A catalogue text in ``language`` (its English source where there is no catalogue), for
    words composed once, ahead of any turn (a homework file's scale hints in each of its languages)."""
    if language == SOURCE_LANGUAGE or language not in installed():
        return message
    return _said_in(language, _catalogue(language).gettext(message))


_formal: ContextVar[bool] = ContextVar("between_formal", default=False)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue; translated later, where it is shown, by ``_``."""
    return message


def pN_(context: str, message: str) -> str:
    """Marks ``message`` for the catalogue under ``context`` (babel.cfg: ``pN_:1c,2``)."""
    return message


def _(message: str) -> str:
    """``message`` in the language being read now (English where the catalogue lacks it); a
    :class:`Translated` text in its own translation; for a therapist, a catalogue text's formal
    translation where the catalogue has one."""
    language = current()
    if isinstance(message, Translated):
        return message.said_in(language)
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
    if isinstance(message, Translated):
        return message.every_language()
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
