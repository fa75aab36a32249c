"""Every string a therapist reads: registration, invitations, assignments, sessions, digests.

Brief and professional; client aliases and homework titles are filled in, never anything a
client wrote (that only travels inside the digest). The English source is marked with ``N_``
and shown with ``_`` in the therapist's own language (German: formal "Sie"); what a therapist's
command tells a client lives with the client's texts (``bot.chat.texts``).
"""

from __future__ import annotations

from typing import Final

from bot.core.i18n import N_, _, ngettext

REGISTERED: Final = N_(
    "Welcome, {name} — you're registered as a therapist. Digests will come to this chat unless "
    "you link a group or channel (/digestchat)."
)
ALREADY_THERAPIST: Final = N_("You're already registered as a therapist.")
HELP_HEADER: Final = N_("Therapist commands:")
HELP_LINES: Final = {
    "invite": N_("/invite [alias] — a one-time invitation link for a new client"),
    "clients": N_("/clients — your clients and their last practice"),
    "ack": N_("/ack <alias> — clear a client's high-risk flag once you've followed up"),
    "assign": N_(
        "/assign — agree homework with a client (guided), or in one line:\n"
        '   /assign <alias> <homework> <HH:MM[,HH:MM]> [days] [from YYYY-MM-DD] ["rationale"]'
    ),
    "assignments": N_("/assignments <alias> — what a client has agreed to"),
    "goal": N_(
        '/goal <alias> [add "…" | edit <number> "…" | retire <number>] — a client\'s goals, in their words'
    ),
    "unassign": N_("/unassign <number> — remove an assignment (numbers from /assignments)"),
    "session": N_("/session <alias> <YYYY-MM-DD> <HH:MM> [weekly|biweekly] — a session, in your time zone"),
    "sessions": N_("/sessions — upcoming sessions; /cancelsession <number> cancels one"),
    "digest": N_(
        "/digest <alias> — the digest now, since the last session\n"
        "/digest <alias> <measure> — a measure's answers item by item, since the last session"
    ),
    "digestchat": N_("/digestchat — send digests to a group or channel; /digestchat private — back here"),
    "settings": N_(
        "/settings lead <minutes> — how long before a session the digest comes (now {minutes} min)"
    ),
    "timezone": N_("/timezone — your time zone (now {zone})"),
    "language": N_("/language — the language I write to you in"),
}
"""The lines of the therapist's /help, in this order."""
HELP_HOMEWORK: Final = N_("Homework: {homework}.")
COMMAND_NAMES: Final = {
    "invite": N_("Invite a new client"),
    "clients": N_("Your clients"),
    "assign": N_("Agree homework with a client"),
    "assignments": N_("A client's homework"),
    "unassign": N_("Remove an assignment"),
    "goal": N_("A client's goals"),
    "session": N_("Add a session"),
    "sessions": N_("Upcoming sessions"),
    "cancelsession": N_("Cancel a session"),
    "digest": N_("A client's digest now"),
    "digestchat": N_("Where digests go"),
    "settings": N_("Digest lead time"),
}
"""The therapist's commands as their command menu describes them."""
INVITATION: Final = N_(
    "Invitation for {alias} — send them this link; it works once, until {expires}:\n{link}\n\n"
    "If the link doesn't open, they can send me /start followed by this code:"
)
INVITATION_NO_LINK: Final = N_(
    "Invitation for {alias} — it works once, until {expires}. They send me /start followed by this code:"
)
ALIAS_RULES: Final = N_(
    "An alias is one word of up to 32 letters, digits, '-', '_' or '.', for example Sam or S.K. "
    "Please choose another."
)
ALIAS_TAKEN: Final = N_(
    "You already have a client (or an open invitation) called {alias}. Please choose another alias."
)
CLIENT_JOINED: Final = N_(
    "{alias} accepted your invitation and agreed to the terms. You can /assign homework now."
)
NO_SUCH_CLIENT: Final = N_("You have no client called {alias}. /clients lists them.")
NO_CLIENTS: Final = N_("You have no clients yet. /invite creates an invitation link.")
CLIENTS_HEADER: Final = N_("Your clients ({zone}):")
CLIENTS_FLAGGED: Final = N_("⚑ HIGH-RISK FLAG — please follow up, then clear it with /ack <alias>:")
CLIENT_FLAG_LINE: Final = N_("⚑ {alias} — {reason} in {where}, {when}{more}")
FLAG_REASONS: Final = {"item_alert": N_("item alert"), "risk_language": N_("risk language")}
CLIENT_LINE: Final = N_("• {alias} — joined {joined}; last practice: {last}{next}{flag}")
CLIENT_NEXT_SESSION: Final = N_("; next session {when}")
CLIENT_UNREACHABLE: Final = N_(" ⚠ unreachable since {since}")
NEVER: Final = N_("none yet")
INVITED_LINE: Final = N_("• {alias} — invited, not joined yet (until {expires})")


def flag_more(earlier: int) -> str:
    """' (and 2 earlier)' after a flagged client's latest flag."""
    return ngettext(" (and {n} earlier)", " (and {n} earlier)", earlier).format(n=earlier)


COULD_NOT_READ: Final = N_("I couldn't read that: {problem}.")


def could_not_read(problem: object, usage: str) -> str:
    """What could not be read, then how it is written (``usage`` already in the reader's language)."""
    return _(COULD_NOT_READ).format(problem=problem) + "\n\n" + usage


ASSIGN_USAGE: Final = N_(
    'One line: /assign <alias> <homework> <HH:MM[,HH:MM]> [days] [from YYYY-MM-DD] ["rationale"]\n'
    'For example: /assign Sam mood 08:00,20:00 weekdays from 2026-03-09 "to notice the dips"\n'
    "Instead of days: before-session, before-other-session (asked the day before) or every-14-days.\n"
    'Exposure with its ladder: /assign Sam exposure 18:00 daily ladder "photo of a dog; a dog on a lead"\n'
    "Or send /assign alone to be guided."
)
ASSIGN_PAST_START: Final = N_("the start date is in the past")
ASSIGN_UNKNOWN_HOMEWORK: Final = N_("no homework called {name} (known: {known})")
ASSIGN_BAD_INTERVAL: Final = N_("'every' needs a number of days, like every-14-days")
ASSIGN_QUOTE_OPEN: Final = N_("a quote is not closed")
ASSIGN_TOO_SHORT: Final = N_("it needs at least a client, a homework and a time")
ASSIGN_FROM_NEEDS_DATE: Final = N_("'from' needs a date like 2026-03-09")
NOT_A_DATE: Final = N_("{typed!r} is not a date like {example}")
ASSIGN_RATIONALE_TOO_LONG: Final = N_("the rationale is longer than {limit} characters")
TODAY: Final = N_("today")
GIVEN_LISTS: Final = {"ladder": N_("Ladder")}
"""The lists a homework takes with its assignment, by name, as both people read their label."""
MEASURE_TOO_OFTEN: Final = N_(
    "{title} asks about the last two weeks, so answering it more often than every {least} days "
    "wouldn't show much change — it's not meant to be daily. Please choose one of:\n"
    "• before every session: /assign {alias} {command} {time} before-session\n"
    "• before every other session: /assign {alias} {command} {time} before-other-session\n"
    "• every {least} days or more: /assign {alias} {command} {time} every-{least}-days\n"
    "Before a session, it's asked the day before at that time, so the answer is in your digest."
)
CRISIS_PLACEHOLDERS: Final = N_(
    "⚠ {title} can bring the crisis message (an answer that needs the safety response), and your "
    "practice's crisis resources are still the placeholders Between ships with. Please set "
    "CRISIS_EMERGENCY, CRISIS_LINE and CRISIS_TEXT_LINE to your own before {alias} answers it."
)
ASSIGNED: Final = N_(
    "Assigned to {alias}: {title}, {times} ({days}, their time, {zone}), from {start}. "
    "They'll be asked how confident they feel about it."
)
ASSIGNED_ALREADY: Final = N_(
    "{alias} already has {title} at {time} on some of those days (#{number}), so I haven't added "
    "it twice. To change it: /unassign {number}, then /assign again."
)
ASSIGN_CLIENT_GONE: Final = N_("That client is no longer on your list; nothing was assigned.")
ASSIGNMENTS_HEADER: Final = N_("{alias}'s homework (times in {zone}):")
ASSIGNMENT_LINE: Final = N_("#{number} {title}: {times}, {days}, from {start}{confidence}{rationale}")
ASSIGNMENT_CONFIDENCE: Final = N_(" — confidence {value}/10{flag}")
ASSIGNMENT_LOW: Final = N_(" (worth discussing)")
ASSIGNMENT_RATIONALE: Final = N_("\n   Why: {rationale}")
ASSIGNMENT_LIST_INDENT: Final = "\n   "
NO_ASSIGNMENTS: Final = N_("{alias} has no homework assigned.")
ASSIGNMENTS_USAGE: Final = N_("Which client? For example /assignments Sam")
UNASSIGN_USAGE: Final = N_("Which assignment? For example /unassign 12 (numbers from /assignments <alias>).")
NO_SUCH_ASSIGNMENT: Final = N_("There is no assignment #{number} of yours. /assignments <alias> lists them.")
UNASSIGNED: Final = N_(
    "Removed #{number} ({title} for {alias}); prompts not yet sent are cancelled. {alias} has been told."
)

SESSION_USAGE: Final = N_(
    "For example: /session Sam 2026-03-10 17:00 weekly — in your time zone ({zone}); "
    "weekly or biweekly are optional."
)
SESSION_PAST: Final = N_("that time has already passed")
SESSION_TOO_FAR: Final = N_("please choose a date within the next two years")
TOO_MANY_TIMES: Final = N_("at most {most} times a day, please")
SESSION_ADDED: Final = N_(
    "Session #{number} with {alias}: {when} ({zone}){repeat}. The digest will come {digest}."
)
SESSION_DIGEST_NOW: Final = N_("right away (the session is sooner than your lead time)")
SESSION_DIGEST_AT: Final = N_("at {when}")
REPEATS: Final = {"weekly": N_(", weekly"), "biweekly": N_(", every two weeks")}
"""How a repeating session reads after its time (one that happens once: nothing)."""
SESSIONS_HEADER: Final = N_("Upcoming sessions ({zone}):")
SESSION_LINE: Final = N_("#{number} {alias} — {when}{repeat}")
NO_SESSIONS: Final = N_("No upcoming sessions. /session <alias> <YYYY-MM-DD> <HH:MM> adds one.")
CANCEL_USAGE: Final = N_("Which session? For example /cancelsession 7 (numbers from /sessions).")
NO_SUCH_SESSION: Final = N_("There is no upcoming session #{number} of yours. /sessions lists them.")
SESSION_CANCELLED: Final = N_("Cancelled session #{number} with {alias} on {when}{series}.")
SERIES_ENDS: Final = N_("; the repeating series ends with it")

LEAD_USAGE: Final = N_("For example /settings lead 120 — minutes before a session (1 to 10080).")
LEAD_SET: Final = N_("Digests will now come {minutes} minutes before each session.")
SETTINGS: Final = N_("Digest lead time: {minutes} minutes. Digest chat: {chat}. Time zone: {zone}.")
PRIVATE_CHAT: Final = N_("this private chat")

DIGEST_CHAT_CODE: Final = N_(
    "To get digests in a group or channel: add me there (in a channel, as an admin who may "
    "post), then post this line there within an hour — it works once:"
)
DIGEST_CHAT_LINKED: Final = N_("Digests for {name} will be posted in this chat.")
DIGEST_CHAT_LINKED_PRIVATE: Final = N_("Done — your digests will go to “{title}” from now on.")
DIGEST_CHAT_PRIVATE: Final = N_("Done — your digests will come to this private chat again.")
DIGEST_CHAT_PUBLIC: Final = N_(
    "This chat is public — anyone could read it, and digests hold health information. "
    "Please use a private group or channel."
)
DIGEST_CHAT_WRONG_PERSON: Final = N_("Only the therapist who asked for this code can use it here.")
DIGEST_QUEUED: Final = N_("Preparing the digest for {alias} — it will arrive in {chat} in a moment.")
DIGEST_USAGE: Final = N_("Whose digest? For example /digest Sam")
UNKNOWN_MEASURE: Final = N_(
    "I don't know a measure called “{name}”. Item by item I can show: {measures} "
    "(for example /digest {alias} {example})."
)
NO_MEASURES: Final = N_(
    "There are no scored measures installed yet, so there is nothing to show item by item."
)
NO_MEASURE_ENTRIES: Final = N_("{alias} hasn't answered the {title} since the last session.")
MEASURE_ITEMS_SENT: Final = N_("{alias}'s {title} item by item is on its way to {chat}.")
NOT_A_THERAPIST_COMMAND: Final = N_("I don't know that command. /help shows what we can do.")
ASSIGN_NEED_CLIENTS: Final = N_(
    "You have no clients yet to assign homework to. /invite creates an invitation link."
)


# --- goals (/goal) --------------------------------------------------------------------------------

GOAL_USAGE: Final = N_(
    "/goal Sam — Sam's goals, numbered\n"
    '/goal Sam add "…" — a new goal, in Sam\'s own words (up to three at once)\n'
    '/goal Sam edit 2 "…" — new words for goal 2 (the old words are kept)\n'
    "/goal Sam retire 2 — goal 2 is done with (it stays in the record)\n"
    "Or send /goal alone to be guided."
)
GOAL_UNKNOWN_ACTION: Final = N_("{word!r} is not add, edit or retire")
GOAL_QUOTES_MISSING: Final = N_(
    'please put the goal\'s words in quotes, so they are kept exactly as said: /goal {alias} {action} "…"'
)
GOAL_EMPTY: Final = N_("the quotes hold no words — what is the goal, in your client's words?")
GOAL_TOO_LONG: Final = N_("a goal is a sentence or two: at most {limit} characters, please")
GOAL_NOT_A_NUMBER: Final = N_("{word!r} is not a goal number (the numbers are in /goal {alias})")
GOAL_EXTRA_WORDS: Final = N_("retiring needs only the goal's number: /goal {alias} retire 2")
GOAL_NEED_CLIENTS: Final = N_(
    "You have no clients yet, so there are no goals to write down. /invite creates an invitation."
)
GOAL_NO_SUCH: Final = N_("{alias} has no goal #{number}. /goal {alias} lists their goals.")
GOAL_IS_RETIRED: Final = N_(
    "Goal #{number} is retired, so it stays as it was. If it matters again, add it as a new goal: "
    '/goal {alias} add "…"'
)
GOAL_TOO_MANY: Final = N_(
    "{alias} has three active goals already — a few goals are easier to keep in view. "
    "Retire one first (/goal {alias} retire <number>), then add the new one."
)
GOAL_NONE_ACTIVE: Final = N_('{alias} has no active goals to change. /goal {alias} add "…" writes one down.')
GOAL_CLIENT_GONE: Final = N_("That client is no longer on your list; nothing was changed.")
GOAL_ADDED: Final = N_(
    "Goal #{number} for {alias} is written down. They'll rate it when they rate their goals."
)
GOAL_EDITED: Final = N_("Goal #{number} for {alias} is reworded; the old words are kept in the record.")
GOAL_RETIRED: Final = N_("Goal #{number} for {alias} is retired; its ratings stay in the record.")
GOALS_HEADER: Final = N_("{alias}'s goals:")
GOALS_NONE: Final = N_('{alias} has no goals yet. Write one down in their own words: /goal {alias} add "…"')
GOAL_LINE: Final = N_("#{number} {words} — set {set}; {rating}")
GOAL_LATEST: Final = N_("latest rating {value}/10 ({when})")
GOAL_UNRATED: Final = N_("not rated yet")
GOALS_RETIRED_HEADER: Final = N_("Retired:")
GOAL_RETIRED_LINE: Final = N_("#{number} {words} — retired {when}")
GOALS_FOOTER: Final = N_(
    '/goal {alias} add "…" · /goal {alias} edit <number> "…" · /goal {alias} retire <number>\n'
    "To have them rated each week: /assign {alias} goals <HH:MM> <day>"
)
