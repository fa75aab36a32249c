"""What a German reader must not meet: the English catalogue's sentences and button labels (and
the English words of the built-in homework files), and what the bot sent to a chat through the
fake Bot API — for the German journeys through the real Application (issue #15)."""

from __future__ import annotations

import json
import re
from typing import Any

from babel.messages.pofile import read_po

from bot.core.i18n import DOMAIN, LOCALE_DIR, Translated, _, reading
from flows.registry import BUILT_IN
from tests.support.fake_bot_api import FakeBotApi

PLACEHOLDER = re.compile(r"\{[^}]*\}|⟨[^⟩]*⟩")
SENDS = ("sendmessage", "editmessagetext", "editmessagereplymarkup", "senddocument", "sendphoto")


def german(text: str) -> str:
    with reading("de"):
        return _(text)


def english_sentences() -> set[str]:
    """The English catalogue's runs of three words or more between placeholders and line breaks
    whose German differs: none of them may reach a German client."""
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalogue = read_po(po)
    found: set[str] = set()
    for message in catalogue:
        if not message.id:
            continue
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        translated = " ".join([message.string] if isinstance(message.string, str) else message.string)
        for text in english:
            found |= _runs(text, translated)
    return found


def english_labels() -> set[str]:
    """Short English texts (button labels) whose German differs."""
    with (LOCALE_DIR / "de" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalogue = read_po(po)
    return {m.id for m in catalogue if isinstance(m.id, str) and m.id and m.string and m.string != m.id}


def received(api: FakeBotApi, chat_id: int) -> tuple[list[str], list[str]]:
    """Every text and caption the bot sent or edited into the chat, and every button label."""
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


def _runs(text: str, translated: str) -> set[str]:
    """The runs of three words or more of ``text`` (between placeholders and line breaks) that
    its translation does not hold as they are."""
    found = set()
    for run in PLACEHOLDER.split(text):
        for line in run.splitlines():
            words = line.strip(" .,:;—–()“”\"'")
            if len(words.split()) >= 3 and words not in translated:
                found.add(words)
    return found


def english_homework_sentences() -> set[str]:
    """The built-in homework files' own English runs of three words or more whose German
    differs: step texts, options, intros, summaries, journal lines, labels."""
    found: set[str] = set()
    for installed in BUILT_IN.installed:
        flow, definition = installed.flow, installed.definition
        texts = [flow.title, flow.description, flow.intro or "", *(s.prompt for s in flow.steps)]
        texts += [o.label for s in flow.steps for o in s.options] + [s.own_words or "" for s in flow.steps]
        texts += definition.labels.values()
        for text in texts:
            german = text.translations.get("de", "") if isinstance(text, Translated) else ""
            found |= _runs(str(text), german)
        in_german = definition.data.get("translations", {}).get("de", {})
        for key in ("summary", "journal"):  # the templates, as written
            if isinstance(definition.data.get(key), str):
                found |= _runs(definition.data[key], in_german.get(key, ""))
    return found
