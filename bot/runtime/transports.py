"""The transports running in this process, as the core may ask about them: their link makers.

A transport is registered by the runtime for as long as it runs (``running``); the practice asks
``links(transport)`` for the link maker of a person's own messenger, so nothing is set on a service
after it was built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.core.links import LinkMaker, NoLinks
from bot.runtime.messengers import MESSENGERS


class Transports:
    def __init__(self) -> None:
        self._links: dict[str, LinkMaker] = {}
        self._status: dict[str, Callable[[], dict[str, object]]] = {}

    @contextmanager
    def running(self, transport: str, links: LinkMaker) -> Iterator[None]:
        """``transport`` makes its links with ``links`` while the block runs."""
        self._links[transport] = links
        try:
            yield
        finally:
            self._links.pop(transport, None)

    def report(self, transport: str, status: Callable[[], dict[str, object]]) -> None:
        """``transport`` says how it is doing with ``status`` (``between status``)."""
        self._status[transport] = status

    def statuses(self) -> dict[str, dict[str, object]]:
        return {name: status() for name, status in self._status.items() if name in self._links}

    def links(self, transport: str) -> LinkMaker:
        """The link maker for people on ``transport`` (none: codes are shown bare); with more
        than one messenger running, every messenger's way in, theirs first (the same code
        works on each)."""
        own = self._links.get(transport)
        if own is None:  # the chat here: its person types the code they were given
            return NoLinks()
        others = [(name, maker) for name, maker in self._links.items() if name != transport]
        return EveryMessenger([(transport, own), *others]) if others else own

    @staticmethod
    def repeat_window(transport: str) -> int:
        """How far below a person's newest handled update id an id is still a repeat."""
        return REPEAT_WINDOWS.get(transport, 0)

    @staticmethod
    def asks_language(transport: str) -> bool:
        """Whether a newcomer on ``transport`` is asked their language (it sends none)."""
        return transport in ASKS_LANGUAGE

    @staticmethod
    def privacy_note(transport: str) -> str:
        """The messenger's own paragraph of the consent text (none for one we know nothing of)."""
        return PRIVACY_NOTES.get(transport, "")


class EveryMessenger:
    """An invitation's ways in, one line per messenger running (``JOIN_LABELLED``)."""

    def __init__(self, makers: list[tuple[str, LinkMaker]]) -> None:
        self._makers = makers

    def start_link(self, code: str) -> str | None:
        lines = [
            JOIN_LABELLED.get(name, "{link}").format(link=link)
            for name, maker in self._makers
            if (link := maker.start_link(code))
        ]
        return "\n".join(lines) or None


JOIN_LABELLED = {messenger.name: messenger.join_labelled for messenger in MESSENGERS}
"""How each messenger's line of an invitation starts when several run."""
REPEAT_WINDOWS = {messenger.name: messenger.repeat_window for messenger in MESSENGERS}
"""Each messenger's own numbering of updates (a chat here carries no id)."""
ASKS_LANGUAGE = frozenset(messenger.name for messenger in MESSENGERS if messenger.asks_language)
"""The messengers that tell us nothing of a person's language."""
PRIVACY_NOTES = {messenger.name: messenger.privacy_note for messenger in MESSENGERS if messenger.privacy_note}
"""What each messenger keeps and whether it is end-to-end encrypted, as clients read it."""
