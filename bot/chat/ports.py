"""What the conversation service needs from features it must not import: safety's reading of
risk language, its answer to an item alert and its message cap, the practice's door (admission
and consent), delivery's ledger.

The runtime passes the real ones in; the service knows them only by these shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.chat.turn import Event, Recipient, RiskFinding, Sender, Turn
from bot.core.messages import Outgoing
from flows import Flow, Step
from storage import PersonRow, Transaction


class MessageCap(Protocol):
    """The per-person message cap: "ok", "tell" (over the cap: say so once) or "drop"."""

    def check(self, sender: str) -> str: ...


class Ledger(Protocol):
    """Deliveries confirmed since the last transaction, written down by the next one."""

    async def write(self, tx: Transaction) -> None: ...


class RiskGuard(Protocol):
    """Reads free text for risk language and answers it with the fixed crisis response."""

    def recognise(self, text: str) -> RiskFinding | None: ...

    def stranger_message(self, text: str) -> Outgoing: ...

    async def respond(self, turn: Turn, match: RiskFinding, where: str, text: str) -> None: ...

    async def remind_paused(self, turn: Turn) -> None: ...


class ItemAlerts(Protocol):
    """Answers an item alert (an answer a step's ``alert`` fires on, PHQ-9 item 9 above "Not at
    all") with the fixed crisis response, at once; ``finished``: it was the flow's last answer
    (no questionnaire left to carry on with or pause). ``answer`` is the stored answer."""

    async def respond_to_item(
        self, turn: Turn, flow: Flow, step: Step, answer: Any, *, finished: bool
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class Admission:
    """What to do with someone we have no row for: let them in (``enter``: a row is made and
    the event handled as usual), or only answer."""

    enter: bool = False
    replies: list[Outgoing] = field(default_factory=list)
    notice: str | None = None


class Doorkeeper(Protocol):
    """Who gets in (an invitation, a registration code) and who must read the consent text."""

    async def admit(
        self,
        tx: Transaction,
        sender: Sender,
        event: Event,
        now: datetime,
        crisis: Callable[[str], Outgoing | None],
    ) -> Admission: ...

    def needs_consent(self, person: PersonRow) -> bool: ...

    async def consent_gate(self, turn: Turn, event: Event) -> tuple[bool, str | None]: ...

    async def link_chat(
        self,
        tx: Transaction,
        now: datetime,
        code: str,
        chat: Recipient,
        title: str,
        user_id: str | None,
        public: bool = False,
    ) -> tuple[list[tuple[Recipient, Outgoing]], bool]: ...
