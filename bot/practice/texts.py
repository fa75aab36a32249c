"""Every string a therapist reads: registration, invitations, assignments, sessions, digests.

Brief and professional; client aliases and homework titles are filled in, never anything a
client wrote (that only travels inside the digest).
"""

from __future__ import annotations

from typing import Final

REGISTERED: Final = (
    "Welcome, {name} — you're registered as a therapist. Digests will come to this chat unless "
    "you link a group or channel (/digestchat)."
)
ALREADY_THERAPIST: Final = "You're already registered as a therapist."
HELP: Final = (
    "Therapist commands:\n"
    "/invite [alias] — a one-time invitation link for a new client\n"
    "/clients — your clients and their last practice\n"
    "/ack <alias> — clear a client's high-risk flag once you've followed up\n"
    "/assign — agree homework with a client (guided), or in one line:\n"
    '   /assign <alias> <homework> <HH:MM[,HH:MM]> [days] [from YYYY-MM-DD] ["rationale"]\n'
    "/assignments <alias> — what a client has agreed to\n"
    '/goal <alias> [add "…" | edit <number> "…" | retire <number>] — a client\'s goals, in their words\n'
    "/unassign <number> — remove an assignment (numbers from /assignments)\n"
    "/session <alias> <YYYY-MM-DD> <HH:MM> [weekly|biweekly] — a session, in your time zone\n"
    "/sessions — upcoming sessions; /cancelsession <number> cancels one\n"
    "/digest <alias> — the digest now, since the last session\n"
    "/digest <alias> <measure> — a measure's answers item by item, since the last session\n"
    "/digestchat — send digests to a group or channel; /digestchat private — back here\n"
    "/settings lead <minutes> — how long before a session the digest comes (now {lead})\n"
    "/timezone — your time zone (now {zone})\n"
    "Homework: {homework}."
)
INVITATION: Final = (
    "Invitation for {alias} — send them this link; it works once, until {expires}:\n{link}\n\n"
    "If the link doesn't open, they can send me /start followed by this code:"
)
INVITATION_NO_LINK: Final = (
    "Invitation for {alias} — it works once, until {expires}. They send me /start followed by this code:"
)
ALIAS_RULES: Final = (
    "An alias is one word of up to 32 letters, digits, '-', '_' or '.', for example Sam or S.K. "
    "Please choose another."
)
ALIAS_TAKEN: Final = (
    "You already have a client (or an open invitation) called {alias}. Please choose another alias."
)
CLIENT_JOINED: Final = (
    "{alias} accepted your invitation and agreed to the terms. You can /assign homework now."
)
NO_SUCH_CLIENT: Final = "You have no client called {alias}. /clients lists them."
NO_CLIENTS: Final = "You have no clients yet. /invite creates an invitation link."
CLIENTS_HEADER: Final = "Your clients ({zone}):"
CLIENTS_FLAGGED: Final = "⚑ HIGH-RISK FLAG — please follow up, then clear it with /ack <alias>:"
CLIENT_FLAG_LINE: Final = "⚑ {alias} — {reason} in {where}, {when}{more}"
CLIENT_FLAG_MORE: Final = " (and {n} earlier)"
FLAG_REASONS: Final = {"item_alert": "item alert", "risk_language": "risk language"}
CLIENT_LINE: Final = "• {alias} — joined {joined}; last practice: {last}{next}{flag}"
CLIENT_NEXT_SESSION: Final = "; next session {when}"
CLIENT_UNREACHABLE: Final = " ⚠ unreachable since {since}"
NEVER: Final = "none yet"
INVITED_LINE: Final = "• {alias} — invited, not joined yet (until {expires})"

ASSIGN_USAGE: Final = (
    'One line: /assign <alias> <homework> <HH:MM[,HH:MM]> [days] [from YYYY-MM-DD] ["rationale"]\n'
    'For example: /assign Sam mood 08:00,20:00 weekdays from 2026-03-09 "to notice the dips"\n'
    "Instead of days: before-session, before-other-session (asked the day before) or every-14-days.\n"
    'Exposure with its ladder: /assign Sam exposure 18:00 daily ladder "photo of a dog; a dog on a lead"\n'
    "Or send /assign alone to be guided."
)
ASSIGN_BAD: Final = "I couldn't read that: {problem}.\n\n" + ASSIGN_USAGE
ASSIGN_PAST_START: Final = "the start date is in the past"
ASSIGN_UNKNOWN_HOMEWORK: Final = "no homework called {name} (known: {known})"
ASSIGN_BAD_INTERVAL: Final = "'every' needs a number of days, like every-14-days"
MEASURE_TOO_OFTEN: Final = (
    "{title} asks about the last two weeks, so answering it more often than every {least} days "
    "wouldn't show much change — it's not meant to be daily. Please choose one of:\n"
    "• before every session: /assign {alias} {command} {time} before-session\n"
    "• before every other session: /assign {alias} {command} {time} before-other-session\n"
    "• every {least} days or more: /assign {alias} {command} {time} every-{least}-days\n"
    "Before a session, it's asked the day before at that time, so the answer is in your digest."
)
CRISIS_PLACEHOLDERS: Final = (
    "⚠ {title} can bring the crisis message (an answer that needs the safety response), and your "
    "practice's crisis resources are still the placeholders Between ships with. Please set "
    "CRISIS_EMERGENCY, CRISIS_LINE and CRISIS_TEXT_LINE to your own before {alias} answers it."
)
ASSIGNED: Final = (
    "Assigned to {alias}: {title}, {times} ({days}, their time, {zone}), from {start}. "
    "They'll be asked how confident they feel about it."
)
ASSIGN_CLIENT_GONE: Final = "That client is no longer on your list; nothing was assigned."
ASSIGNMENTS_HEADER: Final = "{alias}'s homework (times in {zone}):"
ASSIGNMENT_LINE: Final = "#{number} {title}: {times}, {days}, from {start}{confidence}{rationale}"
ASSIGNMENT_CONFIDENCE: Final = " — confidence {value}/10{flag}"
ASSIGNMENT_LOW: Final = " (worth discussing)"
ASSIGNMENT_RATIONALE: Final = "\n   Why: {rationale}"
ASSIGNMENT_LIST_INDENT: Final = "\n   "
NO_ASSIGNMENTS: Final = "{alias} has no homework assigned."
ASSIGNMENTS_USAGE: Final = "Which client? For example /assignments Sam"
UNASSIGN_USAGE: Final = "Which assignment? For example /unassign 12 (numbers from /assignments <alias>)."
NO_SUCH_ASSIGNMENT: Final = "There is no assignment #{number} of yours. /assignments <alias> lists them."
UNASSIGNED: Final = (
    "Removed #{number} ({title} for {alias}); prompts not yet sent are cancelled. {alias} has been told."
)

SESSION_USAGE: Final = (
    "For example: /session Sam 2026-03-10 17:00 weekly — in your time zone ({zone}); "
    "weekly or biweekly are optional."
)
SESSION_BAD: Final = "I couldn't read that: {problem}.\n\n" + SESSION_USAGE
SESSION_PAST: Final = "that time has already passed"
SESSION_TOO_FAR: Final = "please choose a date within the next two years"
TOO_MANY_TIMES: Final = "at most {most} times a day, please"
SESSION_ADDED: Final = (
    "Session #{number} with {alias}: {when} ({zone}){repeat}. The digest will come {digest}."
)
SESSION_DIGEST_NOW: Final = "right away (the session is sooner than your lead time)"
SESSION_DIGEST_AT: Final = "at {when}"
REPEATS: Final = {"once": "", "weekly": ", weekly", "biweekly": ", every two weeks"}
SESSIONS_HEADER: Final = "Upcoming sessions ({zone}):"
SESSION_LINE: Final = "#{number} {alias} — {when}{repeat}"
NO_SESSIONS: Final = "No upcoming sessions. /session <alias> <YYYY-MM-DD> <HH:MM> adds one."
CANCEL_USAGE: Final = "Which session? For example /cancelsession 7 (numbers from /sessions)."
NO_SUCH_SESSION: Final = "There is no upcoming session #{number} of yours. /sessions lists them."
SESSION_CANCELLED: Final = "Cancelled session #{number} with {alias} on {when}{series}."
SERIES_ENDS: Final = "; the repeating series ends with it"

LEAD_USAGE: Final = "For example /settings lead 120 — minutes before a session (1 to 10080)."
LEAD_SET: Final = "Digests will now come {minutes} minutes before each session."
SETTINGS: Final = "Digest lead time: {minutes} minutes. Digest chat: {chat}. Time zone: {zone}."
PRIVATE_CHAT: Final = "this private chat"

DIGEST_CHAT_CODE: Final = (
    "To get digests in a group or channel: add me there (in a channel, as an admin who may "
    "post), then post this line there within an hour — it works once:"
)
DIGEST_CHAT_LINKED: Final = "Digests for {name} will be posted in this chat."
DIGEST_CHAT_LINKED_PRIVATE: Final = "Done — your digests will go to “{title}” from now on."
DIGEST_CHAT_PRIVATE: Final = "Done — your digests will come to this private chat again."
DIGEST_CHAT_PUBLIC: Final = (
    "This chat is public — anyone could read it, and digests hold health information. "
    "Please use a private group or channel."
)
DIGEST_CHAT_WRONG_PERSON: Final = "Only the therapist who asked for this code can use it here."
DIGEST_QUEUED: Final = "Preparing the digest for {alias} — it will arrive in {chat} in a moment."
DIGEST_USAGE: Final = "Whose digest? For example /digest Sam"
UNKNOWN_MEASURE: Final = (
    "I don't know a measure called “{name}”. Item by item I can show: {measures} "
    "(for example /digest {alias} {example})."
)
NO_MEASURES: Final = "There are no scored measures installed yet, so there is nothing to show item by item."
NO_MEASURE_ENTRIES: Final = "{alias} hasn't answered the {title} since the last session."
MEASURE_ITEMS_SENT: Final = "{alias}'s {title} item by item is on its way to {chat}."
NOT_A_THERAPIST_COMMAND: Final = "I don't know that command. /help shows what we can do."
ASSIGN_NEED_CLIENTS: Final = (
    "You have no clients yet to assign homework to. /invite creates an invitation link."
)


# --- goals (/goal) --------------------------------------------------------------------------------

GOAL_USAGE: Final = (
    "/goal Sam — Sam's goals, numbered\n"
    '/goal Sam add "…" — a new goal, in Sam\'s own words (up to three at once)\n'
    '/goal Sam edit 2 "…" — new words for goal 2 (the old words are kept)\n'
    "/goal Sam retire 2 — goal 2 is done with (it stays in the record)\n"
    "Or send /goal alone to be guided."
)
GOAL_BAD: Final = "I couldn't read that: {problem}.\n\n" + GOAL_USAGE
GOAL_UNKNOWN_ACTION: Final = "{word!r} is not add, edit or retire"
GOAL_QUOTES_MISSING: Final = (
    'please put the goal\'s words in quotes, so they are kept exactly as said: /goal {alias} {action} "…"'
)
GOAL_EMPTY: Final = "the quotes hold no words — what is the goal, in your client's words?"
GOAL_TOO_LONG: Final = "a goal is a sentence or two: at most {limit} characters, please"
GOAL_NOT_A_NUMBER: Final = "{word!r} is not a goal number (the numbers are in /goal {alias})"
GOAL_EXTRA_WORDS: Final = "retiring needs only the goal's number: /goal {alias} retire 2"
GOAL_NEED_CLIENTS: Final = (
    "You have no clients yet, so there are no goals to write down. /invite creates an invitation."
)
GOAL_NO_SUCH: Final = "{alias} has no goal #{number}. /goal {alias} lists their goals."
GOAL_IS_RETIRED: Final = (
    "Goal #{number} is retired, so it stays as it was. If it matters again, add it as a new goal: "
    '/goal {alias} add "…"'
)
GOAL_TOO_MANY: Final = (
    "{alias} has three active goals already — a few goals are easier to keep in view. "
    "Retire one first (/goal {alias} retire <number>), then add the new one."
)
GOAL_NONE_ACTIVE: Final = '{alias} has no active goals to change. /goal {alias} add "…" writes one down.'
GOAL_CLIENT_GONE: Final = "That client is no longer on your list; nothing was changed."
GOAL_ADDED: Final = "Goal #{number} for {alias} is written down. They'll rate it when they rate their goals."
GOAL_EDITED: Final = "Goal #{number} for {alias} is reworded; the old words are kept in the record."
GOAL_RETIRED: Final = "Goal #{number} for {alias} is retired; its ratings stay in the record."
GOALS_HEADER: Final = "{alias}'s goals:"
GOALS_NONE: Final = '{alias} has no goals yet. Write one down in their own words: /goal {alias} add "…"'
GOAL_LINE: Final = "#{number} {words} — set {set}; {rating}"
GOAL_LATEST: Final = "latest rating {value}/10 ({when})"
GOAL_UNRATED: Final = "not rated yet"
GOALS_RETIRED_HEADER: Final = "Retired:"
GOAL_RETIRED_LINE: Final = "#{number} {words} — retired {when}"
GOALS_FOOTER: Final = (
    '/goal {alias} add "…" · /goal {alias} edit <number> "…" · /goal {alias} retire <number>\n'
    "To have them rated each week: /assign {alias} goals <HH:MM> <day>"
)
