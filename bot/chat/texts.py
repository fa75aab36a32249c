"""Every string a client reads outside a flow. Flow wording lives in each flow's module."""

from __future__ import annotations

from typing import Final

from bot.core.i18n import N_, pN_

WELCOME: Final = N_(
    "Hi, I'm Between. I carry the practice you agreed with your therapist from one session "
    "to the next — a few minutes at a time, at a pace that fits your day.\n\n"
    "There's no failing here, only trying: skipping is fine, and any answer is a good answer."
)
HELP_HEADER: Final = N_("Here's what we can do:")
HELP_FLOW_LINE: Final = "/{command} — {description}"
HELP_LINES: Final = {
    "history": N_("/history — your journal: what you have practised"),
    "schedule": N_("/schedule — your plan: what is due, and when"),
    "timezone": N_("/timezone — see or change your time zone"),
    "language": N_("/language — the language I write in"),
    "note": N_("/note <text> — something to bring to your next session"),
    "export": N_("/export — a copy of everything kept about you; /delete — erase it all"),
    "cancel": N_("/cancel — set aside what we're doing (your answers so far are kept)"),
    "skip": N_("/skip — skip an optional question"),
    "back": N_("/back — go back one question"),
    "help": N_("/help — this list"),
}
"""The lines of /help after the homework types, in this order (from the command table)."""
HELP_QUIT: Final = N_("/quit — leave this chat (everything is kept for next time)")
"""The last line of /help where the client can leave (the terminal chat: the machine's owner)."""
HELP_CLOSING: Final = N_(
    "Between is not an emergency service. If you are in danger, call your local emergency number."
)
MENU_ORDER: Final = (
    "start",
    "(homework)",
    "history",
    "schedule",
    "note",
    "timezone",
    "language",
    "cancel",
    "skip",
    "back",
    "export",
    "delete",
    "help",
)
"""The order of the command menu and /help; the homework types stand at ``(homework)``."""
WELCOME_BACK: Final = N_("Welcome back to Between. /help shows what we can do.")
"""A later start of the terminal chat: the welcome was read the first time."""
STILL_OPEN: Final = N_("We're in the middle of {a_title} — here's where we were.")
ALREADY_OPEN: Final = N_("You have {a_title} open. Let's finish it first — or /cancel to set it aside.")
CANCELLED: Final = N_(
    "Okay, I've set the {title} aside. What you answered is kept. Come back any time with /{command}."
)
NOTHING_OPEN: Final = N_("There's nothing open right now. /help shows what we can do.")
UNKNOWN_COMMAND: Final = N_("I don't know that command. /help shows what we can do.")
IDLE_TEXT: Final = N_(
    "Thanks for writing. I read answers inside an exercise — /help shows what we can start."
)
BUTTON_EXPIRED: Final = N_("This button has expired — please use the latest message.")
MEDIA_NOT_READ: Final = N_("I can only read text and buttons here.")
PRIVATE_ONLY: Final = N_(
    "Let's talk in a private chat with me — homework stays between you and your therapist."
)
COMMAND_NAMES: Final = {
    "start": N_("Start Between"),
    "help": N_("What I can do"),
    "cancel": N_("Set aside the current exercise"),
    "skip": N_("Skip an optional question"),
    "back": N_("Go back one question"),
    "schedule": N_("Your plan"),
    "history": N_("Your journal"),
    "timezone": N_("Your time zone"),
    "language": N_("Your language"),
    "note": N_("Something to bring to your next session"),
    "export": N_("A copy of everything kept about you"),
    "delete": N_("Delete everything kept about you"),
}

HOMEWORK: Final = N_("homework")
"""What a homework is called whose type is no longer installed."""

# --- scheduled homework -------------------------------------------------------------------
PROMPT: Final = N_("It's time for your {title}. A few minutes is plenty — whenever you're ready.")
REMINDER: Final = N_(
    "Just a gentle nudge: your {title} is still here today, if you'd like it. Skipping is fine too."
)
BUTTON_START: Final = N_("Start now")
BUTTON_SNOOZE_15: Final = N_("In 15 min")
BUTTON_SNOOZE_60: Final = N_("In 1 hour")
BUTTON_SNOOZE_EVENING: Final = N_("This evening")
BUTTON_SKIP_TODAY: Final = N_("Skip today")
PROMPT_STARTED: Final = N_("✓ Started")
PROMPT_SNOOZED: Final = N_("✓ I'll check in again at {time}.")
PROMPT_SKIPPED: Final = N_("✓ Skipped for today")
PROMPT_CLOSED: Final = N_("This one has passed for today.")
FINISH_OPEN_FIRST: Final = N_("You have {a_title} open — let's finish it first, or /cancel it.")
NO_SCHEDULE: Final = N_("You have no scheduled homework yet. Your therapist can set some up with you.")
SCHEDULE_HEADER: Final = N_("Your plan (times in {zone}):")
SCHEDULE_LINE: Final = N_("• {title}: {times}, {days}")
SCHEDULE_NEXT: Final = N_("Next: {title} at {time} on {day}.")
TIMEZONE_CURRENT: Final = N_(
    "Your time zone is {zone}.\nTo change it, send /timezone with a city or an offset, "
    "for example /timezone Berlin or /timezone UTC+2."
)
TIMEZONE_PICK: Final = N_("Which one do you mean?")
TIMEZONE_CONFIRM: Final = N_("Is this the one you mean?")
TIMEZONE_UNKNOWN: Final = N_(
    "I couldn't find that place. Try a nearby big city, or an offset like UTC+2 or UTC-05:30."
)
TIMEZONE_SET: Final = N_("Done — your time zone is now {zone}. Your plan follows your local time.")
BUTTON_NONE_OF_THESE: Final = N_("None of these")
TIMEZONE_UNCHANGED: Final = N_("Okay, I left your time zone as it was.")
LANGUAGE_PICK: Final = N_("Which language would you like me to write in?")
LANGUAGE_SET: Final = N_("Done — I'll write in English from now on.")
"""Said in the language just chosen (its catalogue names itself)."""
# TRANSLATORS: your language's own name ("Deutsch"), on its button in /language.
LANGUAGE_OWN_NAME: Final = N_("English")
"""Each catalogue translates this into its language's own name."""
LANGUAGE_NEWCOMER: Final = N_("Which language should I write in?")
"""Asked of a newcomer on a messenger that sends no language, once in every installed language
(before we know whether they are a client or a therapist: the German says neither "du" nor "Sie")."""
LANGUAGE_NEWCOMER_AGAIN: Final = N_(
    "Sorry, I didn't catch that. Please answer the question above with the number or the name "
    "of a language: {names}."
)

# --- the journal (/history) -------------------------------------------------------------------
JOURNAL_EMPTY: Final = N_("Your journal is empty so far. Whatever you practise will be kept here, for you.")
JOURNAL_HEADER: Final = N_("Your journal (newest first, times in {zone}):")
JOURNAL_LINE: Final = N_("• {when} — {title}: {line}")
JOURNAL_DRAFT_LINE: Final = N_("• {when} — {title}: {line} (draft)")
JOURNAL_NOTES_HEADER: Final = N_("Your notes for your sessions (newest first):")
JOURNAL_NOTE_LINE: Final = N_("• {when} — {text}")
BUTTON_OLDER: Final = N_("Older ›")
BUTTON_NEWER: Final = N_("‹ Newer")
BUTTON_OPEN: Final = N_("Open {title} of {when}")
JOURNAL_ENTRY_HEADER: Final = N_("{title}, {when}")

# --- drafts -----------------------------------------------------------------------------------
DRAFT_OFFER: Final = N_("You have {a_title} you set aside on {when}. Carry on where you left off?")
BUTTON_RESUME: Final = N_("Carry on")
BUTTON_START_FRESH: Final = N_("Start a new one")
DRAFT_RESUMED: Final = N_("Welcome back — here's where you were.")
A_TITLE: Final = N_("a {title}")
"""A homework named in a sentence by its title alone (one no longer known: ``Flow.a_title``)."""
HOMEWORK_CHANGED: Final = N_(
    "The questions of the {title} have changed since you began it, so let's start it afresh — "
    "what you wrote before is kept in your journal."
)

# --- joining: invitation, consent -------------------------------------------------------------
# ``{privacy}``: the messenger's own paragraph (its transport's PRIVACY_NOTE), so each messenger's
# consent text is true of it, and has its own version.
CONSENT: Final = N_(
    "Before we begin, here is what Between is — in plain words.\n\n"
    "• What I keep: your answers to the practice you do here, notes you ask me to bring, "
    "and when you practised or skipped. Your therapist ({therapist}) sees them, in a summary "
    "before each session. Nobody else at the practice does.\n"
    "{privacy}"
    "• Not an emergency service: I can't respond to a crisis and nobody reads this chat live. "
    "If you are in danger or thinking of harming yourself, call your local emergency number "
    "or a crisis line right away.\n"
    "• Your data is yours: /export sends you a copy and /delete erases it, at any time.\n\n"
    "Is this okay with you?"
)
BUTTON_AGREE: Final = N_("I agree")
BUTTON_NOT_NOW: Final = N_("Not now")
CONSENT_AGREED: Final = N_("✓ Agreed")
CONSENT_DECLINED: Final = N_(
    "That's completely fine — nothing has been kept. If you change your mind, open the "
    "invitation link again while it's still valid, or ask your therapist for a new one."
)
CONSENT_DECLINED_EXISTING: Final = N_(
    "That's okay. I'll pause here and keep nothing new. Whenever you're ready, send /start."
)
CONSENT_THANKS: Final = N_("Thank you. We can carry on — /help shows what we can do.")
NO_THERAPIST_YET: Final = N_("once you have one")
"""The consent's "Your therapist ({therapist})" for a client who has no therapist yet."""
STRANGER: Final = N_(
    "Hi! Between is used together with a therapist. Please ask your therapist for an "
    "invitation link — it brings you straight in."
)
JOINED: Final = N_("Thank you — you're connected with {therapist}. Welcome!")
CODE_INVALID: Final = N_(
    "This link or code doesn't work any more — it may have expired or been used already. "
    "Please ask for a new one."
)
CODE_TOO_MANY: Final = N_("That's a lot of tries in a short time. Please wait a few minutes and try again.")
ALREADY_CONNECTED: Final = N_("You're already connected with {therapist} — nothing more to do.")
OTHER_THERAPIST: Final = N_(
    "You're already connected with a therapist here, so I can't accept this invitation. "
    "If you're changing therapists, please ask the practice to move you over."
)
INVITE_FOR_CLIENTS: Final = N_("This is a client invitation; you're registered here as a therapist.")
REGISTER_NOT_FOR_CLIENTS: Final = N_(
    "This link is for registering a therapist, and you're connected here as a client. "
    "Please open it from another Telegram account."
)
REGISTER_NOT_IN_OWN_CHAT: Final = N_(
    "This is a therapist's registration code, and this chat is one person's own practice chat on "
    "this computer: it stays a client's, so nothing changed and the code is still valid. A "
    "therapist registers from their own messenger account: in Telegram, open the registration "
    "link (or send /start <code> to the bot there)."
)
POST_CODE_IN_CHAT: Final = N_("This code links a group or channel: post it there as /link <code>, not here.")

# --- notes and confidence -----------------------------------------------------------------------
NOTE_USAGE: Final = N_(
    "Write what you'd like to bring to your next session after /note — for example:\n"
    "/note I want to talk about the weekend"
)
NOTE_KEPT: Final = N_("Noted — I'll bring this to your next session.")
NOTE_NO_THERAPIST: Final = N_(
    "Noted. (You're not connected with a therapist here yet, so it stays in your journal: /history.)"
)
ASSIGNED: Final = N_("{therapist} has set up a practice with you: {title}, {times} ({days}), from {start}.")
ASSIGNED_WHY: Final = N_("Why: {rationale}")
ASSIGNED_LIST: Final = N_("\n{name}: {items}")
CONFIDENCE_QUESTION: Final = N_(
    "How confident do you feel that you'll be able to do it? "
    "0 = not at all, 10 = completely. Any answer is a good answer."
)
CONFIDENCE_LOW: Final = N_(
    "Thank you for being honest — that's really useful to talk through with your therapist. "
    "Any amount of trying counts."
)
CONFIDENCE_HIGH: Final = N_("Thank you! I'll remind you when it's time.")
UNASSIGNED: Final = N_("{therapist} has taken {title} off your plan. Nothing more will be sent for it.")

# --- safety: risk language ------------------------------------------------------------------------
# Reviewed wording: change it only with the practice's clinical lead. Each translation is reviewed
# by a clinician who speaks its language before it is used (the catalogues say so, entry by entry).
PLACEHOLDER_RESOURCES: Final = frozenset(
    {
        # TRANSLATORS: crisis text — a placeholder the practice confirms or replaces (CRISIS_EMERGENCY):
        # your country's emergency number. Needs review by a clinician who speaks your language.
        N_("your local emergency number (112 in Europe, 911 in North America)"),
        # TRANSLATORS: crisis text — placeholder (CRISIS_LINE): your country's crisis lines.
        # Needs review by a clinician who speaks your language.
        N_("988 Suicide & Crisis Lifeline (US), 116 123 Samaritans (UK & Ireland)"),
        # TRANSLATORS: crisis text — placeholder (CRISIS_TEXT_LINE): a crisis line by text or chat.
        # Needs review by a clinician who speaks your language.
        N_("text HOME to 741741 (US) or SHOUT to 85258 (UK)"),
        # TRANSLATORS: crisis text — placeholder (CRISIS_ABUSE_LINE): lines for abuse and violence.
        # Needs review by a clinician who speaks your language.
        N_(
            "1-800-799-7233 National Domestic Violence Hotline (US), 0808 2000 247 National Domestic "
            "Abuse Helpline (UK); children: 116 111 (Europe), Childline 0800 1111 (UK)"
        ),
    }
)
"""The crisis resources' shipped defaults (``CRISIS_*`` settings, placeholders a practice confirms):
while a setting is one of these, a client reads its translation, their language's placeholder."""
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
CRISIS: Final = N_(
    "Thank you for telling me. What you wrote sounds really painful, and you deserve support "
    "right now — not only homework.\n\n"
    "If you are in danger or might act on these thoughts, please reach out now:\n"
    "• Emergency: {emergency}\n"
    "• Crisis line: {line}\n"
    "• Text line: {text_line}\n\n"
    "I'm a homework companion, not a crisis service, and nobody reads this chat live.{told}"
)
# When what they wrote says someone is hurting them (harm by others, danger at home): the same
# message with the practice's resources for abuse and violence first.
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
CRISIS_HARMED: Final = N_(
    "Thank you for telling me. What you wrote sounds really frightening, and nobody has the right "
    "to hurt you. You deserve support right now — not only homework.\n\n"
    "If you are in danger, someone is hurting you, or you might act on these thoughts, please "
    "reach out now:\n"
    "• Emergency: {emergency}\n"
    "• Abuse and violence: {abuse_line}\n"
    "• Crisis line: {line}\n"
    "• Text line: {text_line}\n\n"
    "I'm a homework companion, not a crisis service, and nobody reads this chat live.{told}"
)
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
CRISIS_TOLD_THERAPIST: Final = N_(" I've let your therapist know, so you can talk about it together.")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
BUTTON_SAFE: Final = N_("I'm safe — carry on")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
BUTTON_NOT_SAFE: Final = N_("I'm not safe right now")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
BUTTON_SAFE_NOW: Final = N_("I'm safe now — carry on")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
BUTTON_SAFE_CONTINUE: Final = N_("I'm safe — carry on with the questions")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
BUTTON_SAFE_SET_ASIDE: Final = N_("I'm safe — pause the questions for now")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
SAFE_THANKS: Final = N_("Thank you for letting me know. I'll check in with you once more, a little later.")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
NOT_SAFE: Final = N_(
    "Thank you for telling me — that takes courage. Please reach out now: {emergency}, or "
    "{line}, or {text_line}. If someone you trust is nearby, let them know too.{told}"
)
# When what they wrote said someone is hurting them: the abuse and violence line first.
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
NOT_SAFE_HARMED: Final = N_(
    "Thank you for telling me — that takes courage. Please reach out now: {emergency}, or "
    "{abuse_line}, or {line}, or {text_line}. If someone you trust is nearby, let them know too.{told}"
)
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
NOT_SAFE_TOLD_THERAPIST: Final = N_(" Your therapist has been told.")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
CARRY_ON: Final = N_("Here's where we were, whenever you're ready.")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
PAUSED: Final = N_(
    "We're paused here — nothing is lost. When you're ready, tap “I'm safe — carry on”, "
    "or /cancel to stop for now."
)
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
FOLLOW_UP: Final = N_("Checking in, as I said I would: are you safe right now?")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
BUTTON_FOLLOW_UP_SAFE: Final = N_("Yes, I'm safe")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
BUTTON_FOLLOW_UP_NOT_SAFE: Final = N_("Not really")
# TRANSLATORS: crisis text — needs review by a clinician who speaks your language.
FOLLOW_UP_SAFE: Final = N_(
    "Thank you — I'm glad. Your therapist will talk it through with you when you meet."
)

# --- your data: export and erasure ------------------------------------------------------------
EXPORT_READY: Final = N_(
    "Here is everything Between keeps about you: all of it as data (JSON), and your practice as "
    "a table you can open in a spreadsheet (CSV)."
)
EXPORT_FHIR: Final = N_(
    "And your questionnaire results (such as PHQ-9 and GAD-7) in FHIR, the format health records "
    "use, in case you or your therapist want to add them to one."
)
CSV_STARTED: Final = N_("started (local time)")
CSV_HOMEWORK: Final = N_("homework")
CSV_STATUS: Final = N_("status")
CSV_QUESTION: Final = N_("{homework}: {question}")
"""A question's column heading in the export's table: its homework, then its name."""
ENTRY_STATUSES: Final = {
    "in_progress": N_("in progress"),
    "completed": N_("completed"),
    "cancelled": N_("cancelled"),
}
"""How an entry ended, as the export's table says it (the JSON keeps the stored word)."""
DELETE_CONFIRM: Final = N_(
    "This deletes everything Between keeps about you — your practice, notes, plan and this "
    "connection with your therapist — for good. It can't be undone. (/export first if you'd "
    "like a copy.) Your therapist will be told that you've left.\n\nDelete everything?"
)
BUTTON_DELETE: Final = N_("Yes, delete everything")
BUTTON_KEEP: Final = N_("No, keep it")
DELETE_KEPT: Final = N_("Okay — nothing was deleted.")
DELETED: Final = N_(
    "Done: everything Between kept about you has been deleted. Thank you for the practice you "
    "did here. If you ever want to come back, your therapist can send you a new invitation."
)
DELETE_THERAPIST: Final = N_("Therapists' accounts are removed by the practice admin; please ask them.")
SLOW_DOWN: Final = N_("That's a lot of messages at once — I'll pause for a minute, then we can carry on.")

# --- to the client's therapist ------------------------------------------------------------
CLIENT_LEFT: Final = N_("{alias} has left Between and asked for their data to be deleted; it has been.")


# --- the same texts as a therapist reads them ---------------------------------------------------
# A therapist reads some of the clients' texts too (/timezone, /language, a guided form left
# open). Where a language addresses therapists differently (German: "Sie", clients "du"), these
# are translated a second time under the context "formal"; in English they are the same words.
FORMAL: Final = (
    pN_("formal", "Which language would you like me to write in?"),
    pN_("formal", "Done — I'll write in English from now on."),
    pN_(
        "formal",
        "Your time zone is {zone}.\nTo change it, send /timezone with a city or an offset, "
        "for example /timezone Berlin or /timezone UTC+2.",
    ),
    pN_("formal", "Which one do you mean?"),
    pN_("formal", "Is this the one you mean?"),
    pN_("formal", "Done — your time zone is now {zone}. Your plan follows your local time."),
    pN_("formal", "I couldn't find that place. Try a nearby big city, or an offset like UTC+2 or UTC-05:30."),
    pN_("formal", "Okay, I left your time zone as it was."),
    pN_("formal", "You have {a_title} open. Let's finish it first — or /cancel to set it aside."),
    pN_("formal", "You have {a_title} open — let's finish it first, or /cancel it."),
    pN_(
        "formal",
        "Okay, I've set the {title} aside. What you answered is kept. Come back any time with /{command}.",
    ),
    pN_("formal", "Thanks for writing. I read answers inside an exercise — /help shows what we can start."),
    pN_("formal", "Let's talk in a private chat with me — homework stays between you and your therapist."),
    pN_("formal", "This button has expired — please use the latest message."),
    pN_(
        "formal",
        "This link or code doesn't work any more — it may have expired or been used already. "
        "Please ask for a new one.",
    ),
    pN_("formal", "That's a lot of tries in a short time. Please wait a few minutes and try again."),
    pN_("formal", "You have {a_title} you set aside on {when}. Carry on where you left off?"),
    pN_("formal", "Welcome back — here's where you were."),
    pN_("formal", "Your time zone"),
    pN_("formal", "Your language"),
)
