"""What a client reads about Signal itself, before they agree to anything."""

from __future__ import annotations

from typing import Final

PRIVACY_NOTE: Final = (
    "• Signal: this chat is end-to-end encrypted between your phone and the practice's number, "
    "but the practice's server receives and keeps what you write here (as does the Signal program "
    "it runs). It is still not an emergency service.\n"
)
"""Signal's paragraph of the consent text (``bot.chat.texts.CONSENT``'s ``{privacy}``)."""
