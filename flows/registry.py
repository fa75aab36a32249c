"""The registry of homework types. Adding one: write its module, add it to ``FLOWS``."""

from __future__ import annotations

from typing import Final

from flows.breathing import BREATHING
from flows.goal_rating import GOAL_RATING
from flows.model import Flow
from flows.mood_check import MOOD_CHECK
from flows.skip_reason import SKIP_REASON
from flows.thought_record import THOUGHT_RECORD
from flows.urge_surfing import URGE_SURFING

FLOWS: Final[tuple[Flow, ...]] = (MOOD_CHECK, THOUGHT_RECORD, URGE_SURFING, BREATHING, GOAL_RATING)
"""Homework types: each has a command, shows in /help, and its entries fill the journal."""

SIDE_FLOWS: Final[tuple[Flow, ...]] = (SKIP_REASON,)
"""Short conversations around homework that are not homework (no command, no entry)."""


def flow_by_id(flow_id: str) -> Flow | None:
    return next((f for f in (*FLOWS, *SIDE_FLOWS) if f.id == flow_id), None)


def flow_by_command(command: str) -> Flow | None:
    return next((f for f in FLOWS if f.command == command), None)
