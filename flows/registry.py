"""The registry of homework types. Adding one in Python: write its module, add it to ``CODED``;
as data: a TOML file in ``flows/definitions/`` (built in) or in a practice's ``HOMEWORK_DIR``
(see ``flows.catalogue`` and the README's "Homework as data")."""

from __future__ import annotations

from typing import Final

from flows.breathing import BREATHING
from flows.catalogue import Catalogue, built_in_definitions
from flows.goal_rating import GOAL_RATING
from flows.model import Flow
from flows.mood_check import MOOD_CHECK
from flows.skip_reason import SKIP_REASON
from flows.thought_record import THOUGHT_RECORD
from flows.urge_surfing import URGE_SURFING

CODED: Final[tuple[Flow, ...]] = (MOOD_CHECK, THOUGHT_RECORD, URGE_SURFING, BREATHING, GOAL_RATING)
"""Homework types written in Python (timers, bespoke digest sections, flows read at start)."""

SIDE_FLOWS: Final[tuple[Flow, ...]] = (SKIP_REASON,)
"""Short conversations around homework that are not homework (no command, no entry)."""

BUILT_IN: Final = Catalogue(CODED, SIDE_FLOWS, built_in_definitions())
"""The homework types every Between has; a running one adds its practice's (``with_practice``)."""

FLOWS: Final[tuple[Flow, ...]] = BUILT_IN.flows
"""Built-in homework types: each has a command, shows in /help, and its entries fill the journal."""


def flow_by_id(flow_id: str) -> Flow | None:
    return next((f for f in (*FLOWS, *SIDE_FLOWS) if f.id == flow_id), None)


def flow_by_command(command: str) -> Flow | None:
    return next((f for f in FLOWS if f.command == command), None)
