"""Where something was written, in words a therapist reads: a homework type and its step, or a
place in the chat ("thought record (hot thought)", "photo caption"). Safety's alerts and the
digest's flags say it the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from flows.model import Flow
from flows.registry import FLOWS, SIDE_FLOWS

PLACES: Final = {
    "note": "note",
    "message": "message",
    "caption": "photo caption",
    "edit": "edited message",
    "command": "command",
}


def flow_title(flow_id: str, flows: Iterable[Flow] = (*FLOWS, *SIDE_FLOWS)) -> str:
    """What a homework type is called ("mood check"), also for one retired since."""
    flow = next((f for f in flows if f.id == flow_id), None)
    return flow.title if flow is not None else flow_id.replace("_", " ")


def describe_where(where: str | None) -> str:
    """'thought_record.hot_thought' → 'thought record (hot thought)'; 'note' → 'note'."""
    head, *rest = re.split(r"[./:]", where or "", maxsplit=1)
    place = (head if head in PLACES else flow_title(head)) if head else PLACES["message"]
    detail = rest[0].replace("_", " ").strip() if rest else ""
    return f"{place} ({detail})" if detail else place
