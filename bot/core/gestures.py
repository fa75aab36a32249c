"""How a client answers, in each messenger's words: texts name a gesture by a marker, and the
transport that shows them says it its own way (tap a button in Telegram; type a number or a
word in the terminal and on Signal).

A text stays in one place (its flow's module, ``bot/chat/texts.py``…) and writes a marker where
it names a gesture: ``f"Write a few words, or {TAP} Skip."``. The transport's :class:`Gestures`
turns it into words when the message is shown (:meth:`Gestures.speak`); a marker is never
formatted away by ``str.format``, so texts with ``{low}`` and the like keep working. A text
translated by ``bot.core.i18n._`` carries its language in its markers (``⟨tap|de⟩``), and the
gesture is said in that language (its words are catalogue texts too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Final

from bot.core.i18n import GESTURE_MARKER, _, reading

TAP: Final = "⟨tap⟩"
"""The verb for choosing one answer by name: "tap Skip" / "type skip"."""
TAP_CAPITAL: Final = "⟨Tap⟩"
"""The same verb at the start of a sentence."""
PICK_NUMBER: Final = "⟨pick_number⟩"
"""How a number on a scale is given: "tap one below, or type it" / "type it"."""
PICK_ONE: Final = "⟨pick_one⟩"
"""How one of several choices is given: "tap one of the buttons below"."""
PICK_ANY: Final = "⟨pick_any⟩"
"""How several choices are given, before "then Done": "tap any that fit"."""
PICK_ANY_CAPITAL: Final = "⟨Pick_any⟩"
"""The same at the start of a sentence."""
USE_LATEST: Final = "⟨use_latest⟩"
"""Where answers go: "use the buttons on the latest message" / "answer the latest question"."""


@dataclass(frozen=True, slots=True)
class Gestures:
    """One messenger's words for the gestures texts name (each field answers one marker)."""

    tap: str
    pick_number: str
    pick_one: str
    pick_any: str
    use_latest: str

    def speak(self, text: str) -> str:
        """``text`` with its gesture markers in this messenger's words (other text untouched)."""
        if "⟨" not in text:
            return text
        words: dict[str, str] = {f.name: str(getattr(self, f.name)) for f in fields(self)}

        def word(match: re.Match[str]) -> str:
            name, language = match.group(1), match.group(2)
            said = words.get(name.lower())
            if said is None:
                return match.group(0)
            if language is not None:
                with reading(language):
                    said = _(said)
            return said[:1].upper() + said[1:] if name[:1].isupper() else said

        return GESTURE_MARKER.sub(word, text)
