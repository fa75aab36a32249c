"""The built-in PHQ-9 as the item-alert tests read it: its items' questions as the client is
shown them (the ninth carries the item alert at "Several days" and above) and the difficulty
question after them (asked when any problem was checked; not scored)."""

from __future__ import annotations

from typing import Final

from flows import Flow
from flows.registry import BUILT_IN

PHQ9: Final[Flow] = BUILT_IN.by_id("phq9")  # type: ignore[assignment]
ITEMS: Final = tuple(step.prompt for step in PHQ9.steps if step.id.startswith("item"))
ITEM_9: Final = ITEMS[8]
DIFFICULTY: Final = PHQ9.steps[-1].prompt
assert PHQ9.steps[8].alert is not None and PHQ9.steps[-1].id == "difficulty"
