"""What a German reader must not see: the English catalogue's sentences and labels, and every
text, caption, button label and spinner notice the bot sent one chat (the fake Bot API's record).

Shared by the German journeys (a client's, a therapist's): each takes out the person's own
words, then finds no run of three or more English words that has a German translation.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.core.i18n import DOMAIN, LOCALE_DIR, _, reading
from tests.support.fake_bot_api import FakeBotApi

PLACEHOLDER = re.compile(r"\{[^}]*\}|⟨[^⟩]*⟩")
SENDS = ("sendmessage", "editmessagetext", "editmessagereplymarkup", "senddocument", "sendphoto")


def german(text: str) -> str:
    with reading("de"):
        return _(text)


@cache
def _german_catalogue() -> Catalog:
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po)


def english_sentences() -> set[str]:
    """The English catalogue's runs of three words or more between placeholders and line breaks
    whose German differs: none of them may reach a German reader."""
    found: set[str] = set()
    for message in _german_catalogue():
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


def english_labels() -> set[str]:
    """Short English texts (button labels) whose German differs."""
    return {
        m.id for m in _german_catalogue() if isinstance(m.id, str) and m.id and m.string and m.string != m.id
    }


def received(api: FakeBotApi, chat_id: int) -> tuple[list[str], list[str]]:
    """Every text and caption the bot sent or edited into the chat, and every button label
    (with the notices of every button spinner: only the journey's reader presses buttons)."""
    said, labels = [], []
    for call in api.calls:
        if call.method.lower() not in SENDS or str(call.params.get("chat_id")) != str(chat_id):
            continue
        for key in ("text", "caption"):
            if call.params.get(key):
                said.append(str(call.params[key]))
        markup: Any = call.params.get("reply_markup") or {}
        markup = json.loads(markup) if isinstance(markup, str) else markup
        labels += [str(b.get("text", "")) for row in markup.get("inline_keyboard", []) for b in row]
    for call in api.calls_to("answerCallbackQuery"):  # button spinners' notices
        if call.params.get("text"):
            said.append(str(call.params["text"]))
    return said, labels
