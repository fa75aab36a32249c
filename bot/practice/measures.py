"""``/digest Sam phq9``: a scored measure's answers item by item across the entries since the
last session, on demand (the digest itself shows each entry's score and band).

It goes where digests go (the therapist's digest chat, else their private chat): it holds what
a client answered. Only a scored homework type is a measure; any other name gets a kind reply
listing the measures there are.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import timedelta, tzinfo
from typing import TYPE_CHECKING

from bot.chat.therapists import therapist_chats
from bot.chat.turn import Turn, note
from bot.core.i18n import _
from bot.core.messages import Outgoing, Reroute
from bot.core.statuses import EntryStatus
from bot.core.timezones import zone_or_utc
from bot.practice import texts as ptexts
from flows import Flow
from flows.generic import item_answers
from flows.sections import SectionEntry
from storage import EntryRow, PersonRow, TherapistRow

if TYPE_CHECKING:
    from bot.practice.therapist import Desk

log = logging.getLogger(__name__)

FINISHED = (EntryStatus.COMPLETED, EntryStatus.CANCELLED)
"""Done, or left part-way (its answers kept, never scored)."""


def _key(name: str) -> str:
    """'PHQ-9', 'phq9', 'phq_9' are one name."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def find_measure(flows: Sequence[Flow], name: str) -> Flow | None:
    """The scored homework type called ``name`` (by id, command or title, any case or dashes)."""
    key = _key(name)
    return next(
        (f for f in flows if f.scoring is not None and key in {_key(f.id), _key(f.command), _key(f.title)}),
        None,
    )


async def measure_items(
    turn: Turn, therapist: TherapistRow, client: PersonRow, name: str, desk: Desk
) -> None:
    flows = desk.flows
    flow = find_measure(flows, name)
    if flow is None:
        measures = [f.command for f in flows if f.scoring is not None]
        if not measures:
            turn.say(note(_(ptexts.NO_MEASURES)))
            return
        reply = _(ptexts.UNKNOWN_MEASURE).format(
            name=name[:32], measures=", ".join(measures), alias=client.alias, example=measures[0]
        )
        turn.say(note(reply))
        return
    previous = await turn.tx.sessions.previous(client.id, before=turn.now)
    start = previous.starts_at if previous else (client.consented_at or client.created_at)
    rows = await turn.tx.entries.between(client.id, start, turn.now + timedelta(microseconds=1))
    zone = zone_or_utc(client.timezone)
    entries = [_entry(e, zone) for e in rows if e.flow_id == flow.id and e.status in FINISHED]
    if not entries:
        turn.say(note(_(ptexts.NO_MEASURE_ENTRIES).format(alias=client.alias, title=_(flow.title))))
        return
    entries.sort(key=lambda e: e.at)
    text = item_answers(
        flow,
        entries,
        client.alias or "",
        start.astimezone(zone),
        turn.now.astimezone(zone),
        lambda version: _answered_under(desk, flow, version),
    )
    chat = await _send(turn, therapist, text)
    if chat is not None:
        turn.say(
            note(_(ptexts.MEASURE_ITEMS_SENT).format(alias=client.alias, title=_(flow.title), chat=chat))
        )
    log.info("therapist %s asked for %s item by item of person %s", therapist.person_id, flow.id, client.id)


def _entry(row: EntryRow, zone: tzinfo) -> SectionEntry:
    moment = row.completed_at or row.started_at
    return SectionEntry(
        moment.astimezone(zone), row.status == EntryStatus.COMPLETED, row.answers, row.flow_version
    )


def _answered_under(desk: Desk, flow: Flow, version: str | None) -> Flow:
    """The version of the measure an entry was answered under (today's when it is not kept)."""
    found = desk.flow_of(flow.id, version) if desk.flow_of is not None else None
    return found if found is not None else flow


async def _send(turn: Turn, therapist: TherapistRow, text: str) -> str | None:
    """To the digest chat (their private chat should it refuse), or straight back here; the
    name of the other chat when it went there."""
    chats = await therapist_chats(turn.tx, therapist.person_id)
    chat, fallback = chats if chats is not None else (None, None)
    if chat is None or fallback is None:
        turn.say(note(text))
        return None
    turn.tell(chat, Outgoing(text=text, reroute=Reroute(fallback.chat_id, fallback.person_id)))
    return therapist.digest_chat_title or _(ptexts.PRIVATE_CHAT)
