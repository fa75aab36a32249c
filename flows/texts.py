"""Strings the engine itself shows a client, whatever the flow (re-asks and their reasons).

Flow-specific wording lives in each flow's module; bot-level wording in ``bot/chat/texts.py``.
Each is marked for the catalogue (``N_``) and translated where it is shown; a gesture is named
by its marker (``⟨tap⟩``: ``bot.core.gestures``), which a translation keeps.
"""

from typing import Final

from bot.core.i18n import N_, pN_

SCALE_OUT_OF_RANGE: Final = N_("That one is outside the scale — please choose a number from {low} to {high}.")
SCALE_NOT_A_NUMBER: Final = N_("I'm looking for a number from {low} to {high} — ⟨pick_number⟩.")
CHOICE_NOT_MATCHED: Final = N_("Please ⟨pick_one⟩.")
MULTI_CHOICE_HINT: Final = N_("⟨Pick_any⟩, then ⟨tap⟩ Done.")
MULTI_CHOICE_EMPTY: Final = N_("Pick at least one, then ⟨tap⟩ Done.")
TEXT_EMPTY: Final = N_("I didn't catch any words there — could you write a few?")
TEXT_TOO_LONG: Final = N_(
    "That's more than I can keep in one answer — could you shorten it to {limit} characters?"
)
TEXT_EXPECTED: Final = N_("This one is for a few words of your own — just type them.")
NOT_SKIPPABLE: Final = N_(
    "This one can't be skipped, but you can /cancel any time — your answers so far are kept."
)
NOTHING_TO_GO_BACK_TO: Final = N_("This is the first question, so there is nothing to go back to.")
TIMER_RUNNING: Final = N_(
    "The timer is still running — let it run, or ⟨tap⟩ Stop to end it early. Either is fine."
)
TIMER_CANNOT_GO_BACK: Final = N_(
    "The timer has finished, so there's no going back to it — let's carry on from here."
)
USE_LATEST_BUTTONS: Final = N_("Please ⟨use_latest⟩.")
OWN_WORDS: Final = N_("Please describe it in a few words.")

BUTTON_DONE: Final = N_("Done")
BUTTON_SKIP: Final = N_("Skip")
SELECTED_MARK: Final = "✓ "
SCALE_HINT: Final = N_("{low} = {low_label}, {high} = {high_label}")

# A therapist meets some of these in their own guided forms (/assign, /goal): where a language
# addresses therapists differently (German: "Sie"), these are translated a second time under the
# context "formal" (see ``bot.core.i18n.FORMAL``); in English they are the same words.
FORMAL: Final = (
    pN_("formal", "Please ⟨pick_one⟩."),
    pN_("formal", "I didn't catch any words there — could you write a few?"),
    pN_("formal", "That's more than I can keep in one answer — could you shorten it to {limit} characters?"),
    pN_("formal", "This one is for a few words of your own — just type them."),
    pN_("formal", "This one can't be skipped, but you can /cancel any time — your answers so far are kept."),
    pN_("formal", "This is the first question, so there is nothing to go back to."),
    pN_("formal", "Please ⟨use_latest⟩."),
)
