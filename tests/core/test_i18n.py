"""Which language is read: tags narrowed to installed catalogues, a language per turn (never per
process), and dates written the way each language writes them."""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from bot.chat import texts
from bot.core import formatting
from bot.core.i18n import _, current, installed, practice_default, reading, supported


def test_english_and_german_are_installed() -> None:
    assert installed()[:1] == ("en",) and "de" in installed()


def test_a_messengers_tag_is_narrowed_to_an_installed_language() -> None:
    assert [supported(t) for t in ("de", "de-AT", "de_CH", "DE", " en-GB ")] == ["de", "de", "de", "de", "en"]
    assert [supported(t) for t in ("fr", "", None, "deutsch", "d", "de-", "../de")] == [None] * 7


def test_texts_are_read_in_the_turns_language_and_english_is_the_source() -> None:
    assert _(texts.LANGUAGE_PICK) == "Which language would you like me to write in?"
    with reading("de"):
        assert _(texts.LANGUAGE_PICK) == "In welcher Sprache soll ich dir schreiben?"
        with reading("en"):
            assert _(texts.LANGUAGE_PICK) == texts.LANGUAGE_PICK
        assert current() == "de"
    assert current() == practice_default() == "en"


def test_a_therapist_reads_the_formal_translation_where_there_is_one() -> None:
    with reading("de", formal=True):
        assert _(texts.LANGUAGE_PICK) == "In welcher Sprache soll ich Ihnen schreiben?"
        assert (
            _(texts.NOTHING_OPEN) == "Gerade ist nichts offen. /help zeigt, was wir tun können."
        )  # (no second)
        with reading("de"):  # a message to a client, from a therapist's turn
            assert _(texts.LANGUAGE_PICK) == "In welcher Sprache soll ich dir schreiben?"
    with reading("en", formal=True):
        assert _(texts.LANGUAGE_PICK) == texts.LANGUAGE_PICK


def test_each_formal_text_is_a_clients_text_word_for_word() -> None:
    """A formal entry is found by the client's English: a copy that differs would never be read."""
    named = [value for name, value in vars(texts).items() if name.isupper()]
    clients = {v for v in named if isinstance(v, str)}
    clients |= {v for d in named if isinstance(d, dict) for v in d.values()}
    assert len(texts.FORMAL) > 10 and set(texts.FORMAL) <= clients
    with reading("de", formal=True):
        formal = {text: _(text) for text in texts.FORMAL}
    with reading("de"):
        assert all(formal[text] != _(text) for text in texts.FORMAL)


def test_a_language_without_a_catalogue_reads_the_practice_default() -> None:
    with reading("fr") as chosen:
        assert chosen == "en" and _(texts.LANGUAGE_PICK) == texts.LANGUAGE_PICK


async def test_two_turns_at_once_each_read_their_own_language() -> None:
    said: dict[str, str] = {}

    async def turn(language: str) -> None:
        with reading(language):
            await asyncio.sleep(0)  # the other turn runs in between
            said[language] = _(texts.LANGUAGE_OWN_NAME)

    await asyncio.gather(turn("de"), turn("en"))
    assert said == {"de": "Deutsch", "en": "English"}


def test_dates_are_written_as_each_language_writes_them() -> None:
    moment = datetime(2026, 3, 3, 8, 5)
    assert formatting.day_and_time(moment) == "Tue 3 Mar 08:05"
    assert formatting.long_day(moment.date()) == "Tuesday 3 March"
    assert [formatting.weekday_name(d) for d in (0, 6)] == ["Mon", "Sun"]
    with reading("de"):
        assert formatting.day_and_time(moment) == "Di., 3. März, 08:05"
        assert formatting.long_day(moment.date()) == "Dienstag, 3. März"
        assert formatting.day(date(2026, 12, 24), year=True) == "Do., 24. Dez. 2026"
        assert [formatting.weekday_name(d) for d in (0, 6)] == ["Mo", "So"]
        assert formatting.month_name(3, width="wide") == "März"
