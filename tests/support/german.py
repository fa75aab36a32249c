"""For the German journeys through the real Application (issue #15): what the bot sent to a chat
through the fake Bot API, and the English words of the built-in homework files a German reader
must not meet (the catalogue's own are in ``english_left``)."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.core.i18n import Translated
from flows.registry import BUILT_IN
from tests.support.english_left import runs
from tests.support.fake_bot_api import FakeBotApi

INFORMAL = re.compile(r"\b(du|dich|dir|dein\w*)\b", re.IGNORECASE)
"""The informal German a client reads and a therapist never does."""

SENDS = ("sendmessage", "editmessagetext", "editmessagereplymarkup", "senddocument", "sendphoto")


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
            found |= runs(str(text), german)
        in_german = definition.data.get("translations", {}).get("de", {})
        for key in ("summary", "journal"):  # the templates, as written
            if isinstance(definition.data.get(key), str):
                found |= runs(definition.data[key], in_german.get(key, ""))
    return found
