"""The client's own journal (/history): their entries, newest first, a page at a time.

Pure rendering from stored rows; the conversation service fetches the rows (only the client's
own) and sends what this returns. Dates are shown in the client's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta, tzinfo

from bot.chat import texts
from bot.chat.router import ButtonRoute, Command, Context, Router
from bot.chat.turn import Turn
from bot.core import formatting
from bot.core.i18n import _
from bot.core.messages import Button, Expects, Outgoing, Purpose, parse_button_number
from bot.core.statuses import EntryStatus
from bot.core.timezones import zone_or_utc
from flows import Flow
from storage import EntryRow, NoteRow

PAGE_SIZE = 5
NOTES_SHOWN = 5
"""The newest notes (``/note``) listed on the journal's first page."""
NOTE_QUOTE = 120
NOTES_LATER = timedelta(seconds=1)
"""Notes up to now, inclusive (the repository's periods end before their end)."""
DATA_PREFIX = "h:"


def page_data(page: int) -> str:
    return f"{DATA_PREFIX}p:{page}"


def open_data(entry_id: int) -> str:
    return f"{DATA_PREFIX}o:{entry_id}"


def parse_data(data: str) -> tuple[str, int] | None:
    """("p", page) or ("o", entry id) from button data, or None if malformed."""
    kind, _sep, text = data.removeprefix(DATA_PREFIX).partition(":")
    number = parse_button_number(text, low=0, high=999_999_999)
    return None if kind not in ("p", "o") or number is None else (kind, number)


def _when(entry: EntryRow, zone: tzinfo) -> str:
    moment = (entry.completed_at or entry.updated_at).astimezone(zone)
    return formatting.day_and_time(moment)


def _notes_lines(notes: Sequence[NoteRow], zone: tzinfo) -> list[str]:
    """The notes kept for sessions, newest first (a long one cut short)."""
    if not notes:
        return []
    lines = ["", _(texts.JOURNAL_NOTES_HEADER)]
    for kept in notes:
        words = " ".join(kept.text.split())
        words = words if len(words) <= NOTE_QUOTE else words[: NOTE_QUOTE - 1].rstrip() + "…"
        when = formatting.day_and_time(kept.created_at.astimezone(zone))
        lines.append(_(texts.JOURNAL_NOTE_LINE).format(when=when, text=words))
    return lines


def journal_page(
    entries: Sequence[EntryRow],
    flow_of: Callable[[EntryRow], Flow | None],
    zone: tzinfo,
    zone_name: str,
    page: int,
    has_more: bool,
    notes: Sequence[NoteRow] = (),
) -> Outgoing:
    """One page of the journal, with buttons to page and to open entries that have more to read;
    the first page also lists the newest notes kept for sessions."""
    if not entries and not notes and page == 0:
        return Outgoing(text=_(texts.JOURNAL_EMPTY))
    lines = [_(texts.JOURNAL_HEADER).format(zone=zone_name)] if entries or page else []
    opens: list[tuple[Button, ...]] = []
    for entry in entries:
        flow = flow_of(entry)
        title = formatting.sentence(_(flow.title)) if flow else entry.flow_id
        line = flow.journal_line(entry.answers) if flow and flow.journal_line else ""
        shown = texts.JOURNAL_DRAFT_LINE if entry.status == EntryStatus.CANCELLED else texts.JOURNAL_LINE
        lines.append(_(shown).format(when=_when(entry, zone), title=title, line=line))
        if flow and flow.journal_detail:
            label = _(texts.BUTTON_OPEN).format(title=_(flow.title), when=_when(entry, zone))
            opens.append((Button(label, open_data(entry.id)),))
    lines += _notes_lines(notes, zone) if page == 0 else []
    paging = []
    if page > 0:
        paging.append(Button(_(texts.BUTTON_NEWER), page_data(page - 1)))
    if has_more:
        paging.append(Button(_(texts.BUTTON_OLDER), page_data(page + 1)))
    rows = (*opens, tuple(paging)) if paging else tuple(opens)
    return Outgoing(
        text="\n".join(lines).strip("\n"),
        purpose=Purpose.PROMPT if rows else Purpose.NOTE,
        buttons=rows,
        expects=Expects.choice(rows) if rows else None,
    )


def journal_entry(entry: EntryRow, flow: Flow, zone: tzinfo) -> Outgoing:
    """One entry in full (a thought record): the client's own words, kept whole."""
    header = _(texts.JOURNAL_ENTRY_HEADER).format(
        title=formatting.sentence(_(flow.title)), when=_when(entry, zone)
    )
    body = flow.journal_detail(entry.answers) if flow.journal_detail else ""
    return Outgoing(text=f"{header}\n\n{body}")


async def show(turn: Turn, flow_of: Callable[[str, str | None], Flow | None], page: int) -> None:
    rows = await turn.tx.entries.for_person(
        turn.person.id, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE, finished_only=True
    )
    zone = zone_or_utc(turn.person.timezone)
    notes: list[NoteRow] = []
    if page == 0:
        kept = await turn.tx.notes.between(turn.person.id, turn.person.created_at, turn.now + NOTES_LATER)
        notes = sorted(kept, key=lambda n: (n.created_at, n.id), reverse=True)[:NOTES_SHOWN]
    has_more = len(rows) > PAGE_SIZE
    turn.say(
        journal_page(
            rows[:PAGE_SIZE],
            lambda e: flow_of(e.flow_id, e.flow_version),
            zone,
            turn.person.timezone,
            page,
            has_more,
            notes,
        )
    )


async def on_history(ctx: Context) -> None:
    await show(ctx.turn, ctx.runner.flow_of, page=0)


async def on_button(ctx: Context) -> str | None:
    """Another page, or one entry opened in full — only their own."""
    parsed = parse_data(ctx.data)
    if parsed is None:
        return _(texts.BUTTON_EXPIRED)
    kind, number = parsed
    turn = ctx.turn
    if kind == "p":
        await show(turn, ctx.runner.flow_of, page=number)
        return None
    entry = await turn.tx.entries.get(number)
    flow = ctx.runner.flow_of(entry.flow_id, entry.flow_version) if entry else None
    if entry is None or entry.person_id != turn.person.id or flow is None:
        return _(texts.BUTTON_EXPIRED)
    turn.say(journal_entry(entry, flow, zone_or_utc(turn.person.timezone)))
    return None


def register(router: Router) -> None:
    router.command(
        Command("history", texts.COMMAND_NAMES["history"], on_history, help=texts.HELP_LINES["history"])
    )
    router.button(ButtonRoute(DATA_PREFIX, on_button))
