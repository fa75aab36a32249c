"""Every language's catalogue says everything the source marks, in step with its compiled form.

A text marked with ``N_``/``_`` in ``bot/`` or ``flows/`` and missing from a catalogue, left
empty or fuzzy there, or translated with other placeholders than the English, fails here (after
``make i18n``, which extracts and updates, only the translation is left to do); so does a ``.mo``
that was not compiled after its ``.po`` changed.
"""

from __future__ import annotations

import gettext
import string
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po

from bot.core.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {**DEFAULT_KEYWORDS, **parse_keywords(["pN_:1c,2"])}
"""Babel's markers and babel.cfg's own: ``pN_(context, "…")``."""


@dataclass(frozen=True)
class Marked:
    """One text the source marks: its English (with its plural, if it has one) and context."""

    id: str | tuple[str, str]
    context: str | None = None


def marked_in_source() -> set[Marked]:
    found = set()
    for folder in ("bot", "flows"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            ids = message if isinstance(message, str) else tuple(m for m in message if m)
            found.add(Marked(ids if isinstance(ids, str) else (ids[0], ids[1]), context))
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def problems(catalogue: Catalog, source: set[Marked]) -> list[str]:
    """What keeps ``catalogue`` from saying everything in ``source`` (empty: nothing)."""
    found = []
    for marked in sorted(source, key=repr):
        entry = catalogue.get(marked.id if isinstance(marked.id, str) else marked.id[0], marked.context)
        english = [marked.id] if isinstance(marked.id, str) else list(marked.id)
        if entry is None:
            found.append(f"missing: {english[0]!r}")
            continue
        translated = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if entry.fuzzy or not all(translated):
            found.append(f"{'fuzzy' if entry.fuzzy else 'untranslated'}: {english[0]!r}")
        elif any(placeholders(t) != placeholders(english[0]) for t in translated):
            found.append(f"placeholders differ: {english[0]!r}")
    return found


def catalogues() -> list[Path]:
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def test_there_is_a_second_language() -> None:
    assert [p.parent.parent.name for p in catalogues()] == ["de"]


def test_every_catalogue_translates_every_marked_text() -> None:
    source = marked_in_source()
    assert source, "nothing marked: the extraction found no texts"
    for path in catalogues():
        with path.open("rb") as po:
            assert problems(read_po(po), source) == [], path


def test_every_compiled_catalogue_matches_its_source() -> None:
    for path in catalogues():
        with path.open("rb") as po:
            written = {(m.context, m.id): m.string for m in read_po(po) if m.id and m.string}
        with path.with_suffix(".mo").open("rb") as mo:
            compiled = gettext.GNUTranslations(mo)
        for (context, english), translated in written.items():
            if isinstance(english, str):
                said = compiled.pgettext(context, english) if context else compiled.gettext(english)
                assert said == translated, f"{path.with_suffix('.mo')}: run make i18n"


def test_the_check_finds_a_missing_an_empty_a_fuzzy_and_a_changed_placeholder() -> None:
    catalogue = Catalog(locale="de")
    catalogue.add("Mood {mood}/10", "Stimmung {stimmung}/10")
    catalogue.add("Skip", "")
    catalogue.add("Done", "Fertig", flags=("fuzzy",))
    catalogue.add("Back", "Zurück")
    source = {Marked(t) for t in ("Mood {mood}/10", "Skip", "Done", "Back", "Stop")}
    assert problems(catalogue, source) == [
        "fuzzy: 'Done'",
        "placeholders differ: 'Mood {mood}/10'",
        "untranslated: 'Skip'",
        "missing: 'Stop'",
    ]
