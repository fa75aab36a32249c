"""A third language is a catalogue and nothing else (issue #15's "copy, translate, compile").

The test copies Between's packages into a folder of its own, adds a French catalogue made from
the template as the README says (a few entries translated, the rest left empty), compiles it, and
runs ``python -m bot run`` there — the terminal chat, unchanged code. French is then offered by
``/language`` under its own name, chosen, and used; an entry nobody translated reads in English.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.chat import texts
from bot.core.i18n import DOMAIN, LOCALE_DIR
from flows.mood_check import FEELINGS_PROMPT, MOOD_PROMPT
from tests.support.bot_process import run_between
from tests.support.words import typed

REPOSITORY = LOCALE_DIR.parent.parent
CHOICE = re.compile(r"^  \d+\) \S")  # a numbered choice in the terminal
FRENCH = {
    texts.LANGUAGE_OWN_NAME: "Français",
    texts.LANGUAGE_SET: "C'est noté : je t'écris en français désormais.",
    MOOD_PROMPT: "Comment te sens-tu en ce moment, de 0 à 10 ?",
}


def copy_of_between(into: Path) -> Path:
    """Between's three packages, copied so a catalogue can be added without touching the repo."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("bot", "flows", "storage"):
        shutil.copytree(REPOSITORY / package, into / package, ignore=ignore)
    return into


def add_catalogue(source: Path, language: str, translated: dict[str, str]) -> None:
    """What a translator does: start from the template, translate, compile."""
    with (source / "bot" / "locale" / f"{DOMAIN}.pot").open("rb") as template_file:
        template = read_po(template_file)
    catalogue = Catalog(locale=language, domain=DOMAIN)
    for message in template:
        if message.id:
            catalogue.add(message.id, translated.get(str(message.id), ""), context=message.context)
    folder = source / "bot" / "locale" / language / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / f"{DOMAIN}.po").open("wb") as po:
        write_po(po, catalogue)
    with (folder / f"{DOMAIN}.mo").open("wb") as mo:
        write_mo(mo, catalogue)


def test_every_french_text_is_in_the_template() -> None:
    """The texts this test translates are in the template a translator starts from."""
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as template_file:
        template = {str(message.id) for message in read_po(template_file) if message.id}
    assert set(FRENCH) <= template


async def test_a_third_language_needs_a_catalogue_and_no_code(tmp_path: Path) -> None:
    source = copy_of_between(tmp_path / "between")
    add_catalogue(source, "fr", FRENCH)

    chat = await run_between("run", cwd=source, stdin=b"/language\n")
    assert chat.returncode == 0, chat.stderr
    numbered = (line.strip().split(") ", 1) for line in chat.stdout.splitlines() if CHOICE.match(line))
    choices = {name: number for number, name in numbered}
    assert {"English", "Deutsch", "Français"} <= set(choices)
    number = choices["Français"]

    chosen = await run_between("run", cwd=source, stdin=f"/language\n{number}\n/mood\n5\n".encode())
    assert chosen.returncode == 0, chosen.stderr
    assert FRENCH[texts.LANGUAGE_SET] in chosen.stdout
    assert FRENCH[MOOD_PROMPT] in chosen.stdout and MOOD_PROMPT not in chosen.stdout
    assert typed(FEELINGS_PROMPT) in chosen.stdout  # not translated: read in English, not lost

    fresh = {"DEFAULT_LANGUAGE": "fr", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"}
    default = await run_between("run", cwd=source, env=fresh, stdin=b"/mood\n")
    assert FRENCH[MOOD_PROMPT] in default.stdout  # the practice's default, as a setting
