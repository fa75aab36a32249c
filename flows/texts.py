"""Strings the engine itself shows a client, whatever the flow (re-asks and their reasons).

Flow-specific wording lives in each flow's module; bot-level wording in ``bot/chat/texts.py``.
"""

from typing import Final

from bot.core.gestures import PICK_ANY_CAPITAL, PICK_NUMBER, PICK_ONE, TAP, USE_LATEST

SCALE_OUT_OF_RANGE: Final = "That one is outside the scale — please choose a number from {low} to {high}."
SCALE_NOT_A_NUMBER: Final = f"I'm looking for a number from {{low}} to {{high}} — {PICK_NUMBER}."
CHOICE_NOT_MATCHED: Final = f"Please {PICK_ONE}."
MULTI_CHOICE_HINT: Final = f"{PICK_ANY_CAPITAL}, then {TAP} Done."
MULTI_CHOICE_EMPTY: Final = f"Pick at least one, then {TAP} Done."
TEXT_EMPTY: Final = "I didn't catch any words there — could you write a few?"
TEXT_TOO_LONG: Final = (
    "That's more than I can keep in one answer — could you shorten it to {limit} characters?"
)
TEXT_EXPECTED: Final = "This one is for a few words of your own — just type them."
NOT_SKIPPABLE: Final = (
    "This one can't be skipped, but you can /cancel any time — your answers so far are kept."
)
NOTHING_TO_GO_BACK_TO: Final = "This is the first question, so there is nothing to go back to."
TIMER_RUNNING: Final = (
    f"The timer is still running — let it run, or {TAP} Stop to end it early. Either is fine."
)
TIMER_CANNOT_GO_BACK: Final = (
    "The timer has finished, so there's no going back to it — let's carry on from here."
)
USE_LATEST_BUTTONS: Final = f"Please {USE_LATEST}."
OWN_WORDS: Final = "Please describe it in a few words."

BUTTON_DONE: Final = "Done"
BUTTON_SKIP: Final = "Skip"
SELECTED_MARK: Final = "✓ "
SCALE_HINT: Final = "{low} = {low_label}, {high} = {high_label}"
