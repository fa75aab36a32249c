"""Every string a client reads outside a flow. Flow wording lives in each flow's module."""

from __future__ import annotations

from typing import Final

WELCOME: Final = (
    "Hi, I'm Between. I carry the practice you agreed with your therapist from one session "
    "to the next — a few minutes at a time, at a pace that fits your day.\n\n"
    "There's no failing here, only trying: skipping is fine, and any answer is a good answer."
)
HELP_HEADER: Final = "Here's what we can do:"
HELP_FLOW_LINE: Final = "/{command} — {description}"
HELP_FOOTER: Final = (
    "/cancel — set aside what we're doing (your answers so far are kept)\n"
    "/skip — skip an optional question\n"
    "/back — go back one question\n"
    "/help — this list\n\n"
    "Between is not an emergency service. If you are in danger, call your local emergency number."
)
STILL_OPEN: Final = "We're in the middle of a {title} — here's where we were."
ALREADY_OPEN: Final = "You have a {title} open. Let's finish it first — or /cancel to set it aside."
CANCELLED: Final = (
    "Okay, I've set the {title} aside. What you answered is kept. Come back any time with /{command}."
)
NOTHING_OPEN: Final = "There's nothing open right now. /help shows what we can do."
UNKNOWN_COMMAND: Final = "I don't know that command. /help shows what we can do."
IDLE_TEXT: Final = "Thanks for writing. I read answers inside an exercise — /help shows what we can start."
BUTTON_EXPIRED: Final = "This button has expired — please use the latest message."
MEDIA_NOT_READ: Final = "I can only read text and buttons here."
PRIVATE_ONLY: Final = "Let's talk in a private chat with me — homework stays between you and your therapist."
COMMAND_NAMES: Final = {
    "start": "Start Between",
    "help": "What I can do",
    "cancel": "Set aside the current exercise",
    "skip": "Skip an optional question",
    "back": "Go back one question",
}
