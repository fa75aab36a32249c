"""Strings the engine itself shows a client, whatever the flow (re-asks and their reasons).

Flow-specific wording lives in each flow's module; bot-level wording in ``bot/chat/texts.py``.
"""

from typing import Final

SCALE_OUT_OF_RANGE: Final = "That one is outside the scale — please choose a number from {low} to {high}."
SCALE_NOT_A_NUMBER: Final = "I'm looking for a number from {low} to {high} — tap one below, or type it."
CHOICE_NOT_MATCHED: Final = "Please tap one of the buttons below."
MULTI_CHOICE_HINT: Final = "Tap any that fit, then Done."
MULTI_CHOICE_EMPTY: Final = "Pick at least one, then tap Done."
TEXT_EMPTY: Final = "I didn't catch any words there — could you write a few?"
TEXT_TOO_LONG: Final = (
    "That's more than I can keep in one answer — could you shorten it to {limit} characters?"
)
TEXT_EXPECTED: Final = "This one is for a few words of your own — just type them."
NOT_SKIPPABLE: Final = (
    "This one can't be skipped, but you can /cancel any time — your answers so far are kept."
)
NOTHING_TO_GO_BACK_TO: Final = "This is the first question, so there is nothing to go back to."
TIMER_RUNNING: Final = "The timer is still running — let it run, or tap Stop to end it early. Either is fine."
TIMER_CANNOT_GO_BACK: Final = (
    "The timer has finished, so there's no going back to it — let's carry on from here."
)
USE_LATEST_BUTTONS: Final = "Please use the buttons on the latest message."

BUTTON_DONE: Final = "Done"
BUTTON_SKIP: Final = "Skip"
SELECTED_MARK: Final = "✓ "
SCALE_HINT: Final = "{low} = {low_label}, {high} = {high_label}"
