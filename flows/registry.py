"""The registry of homework types. Adding one: write its module, add it to ``FLOWS``."""

from __future__ import annotations

from typing import Final

from flows.engine import Flow
from flows.mood_check import MOOD_CHECK

FLOWS: Final[tuple[Flow, ...]] = (MOOD_CHECK,)


def flow_by_id(flow_id: str) -> Flow | None:
    return next((f for f in FLOWS if f.id == flow_id), None)


def flow_by_command(command: str) -> Flow | None:
    return next((f for f in FLOWS if f.command == command), None)
