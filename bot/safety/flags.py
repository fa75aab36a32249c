"""The high-risk flag's end: ``/ack <alias>``, the therapist saying they have followed up.

A flag is raised with the risk event (``response``); it stays first in every digest and in
/clients until cleared here. Clearing is audited with who and when (the flag row keeps them too).
"""

from __future__ import annotations

import logging

from bot.chat.router import Audience, Command, Context, Router
from bot.chat.turn import note
from bot.core import formatting
from bot.core.i18n import _
from bot.core.timezones import zone_or_utc
from bot.safety import texts

log = logging.getLogger(__name__)


async def acknowledge(ctx: Context) -> None:
    """``/ack Sam``: clear Sam's open flags (a kind word when there is none, or no Sam)."""
    turn = ctx.turn
    words = ctx.args.split()
    if len(words) != 1:
        turn.say(note(_(texts.ACK_USAGE)))
        return
    alias = words[0][:32]
    client = await turn.tx.clients.by_alias(turn.person.id, alias)
    if client is None:
        turn.say(note(_(texts.ACK_NO_CLIENT).format(alias=alias)))
        return
    flags = await turn.tx.risk_flags.open_for(client.id)
    if not flags:
        turn.say(note(_(texts.ACK_NO_FLAG).format(alias=client.alias)))
        return
    await turn.tx.risk_flags.clear(client.id, turn.person.id, turn.now)
    await turn.tx.audit.record(
        turn.now,
        turn.person.id,
        "risk_flag_cleared",
        client.id,
        ",".join(f"flag {f.id}" for f in flags)[:200],
    )
    since = flags[0].raised_at.astimezone(zone_or_utc(turn.person.timezone))
    turn.say(note(_(texts.ACK_DONE).format(alias=client.alias, since=formatting.day_and_time(since))))
    log.info("therapist %s cleared the high-risk flag of person %s", turn.person.id, client.id)


def register(router: Router) -> None:
    router.command(Command("ack", texts.ACK_COMMAND, acknowledge, audience=Audience.THERAPISTS))
