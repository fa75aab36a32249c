"""Each messenger's consent text says what is true of it, and has its own version."""

from __future__ import annotations

from bot.chat import texts
from bot.practice.admission import consent_message, consent_text, consent_version
from bot.runtime.transports import PRIVACY_NOTES
from bot.transports.telegram.texts import PRIVACY_NOTE

VERSION_AGREED_BEFORE = "238c5b5ecbfa"
"""The version clients on Telegram agreed to before the text became per-messenger."""


def test_telegram_clients_keep_the_agreement_they_gave() -> None:
    assert consent_version(PRIVACY_NOTE) == VERSION_AGREED_BEFORE


def test_the_telegram_text_speaks_of_telegram_and_another_messenger_gets_its_own_version() -> None:
    shown = consent_message("Dr Ana", "CODE", PRIVACY_NOTE).text or ""
    assert "Telegram keeps a copy" in shown and "Dr Ana" in shown
    signal_like = "• Signal: messages are end-to-end encrypted on the way.\n"
    other = consent_text(signal_like)
    assert "Telegram" not in other and signal_like in other
    assert consent_version(signal_like) != consent_version(PRIVACY_NOTE)


def test_every_messenger_paragraph_fits_the_consent_text() -> None:
    assert "{privacy}" in texts.CONSENT
    for note in PRIVACY_NOTES.values():
        assert note.startswith("• ") and note.endswith("\n")
        assert "{" not in note  # the therapist's name is filled in after
