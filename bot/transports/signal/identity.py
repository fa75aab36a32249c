"""A client's safety number changed: their therapist is told, once, in their usual chat and
their own language.

A changed safety number can mean a reinstall or a different person holding the number, so
nothing is sent to the client meanwhile (unless the practice trusts new numbers itself); only a
person who knows the client can tell which it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.chat.therapists import therapist_chats
from bot.core.clock import Clock
from bot.core.i18n import _, reading
from bot.core.messages import Outgoing, Reroute
from bot.transports.signal import texts
from bot.transports.signal.messenger import TRANSPORT
from storage import Database


def therapist_teller(
    database: Database, clock: Clock, wake: Callable[[], None]
) -> Callable[[str], Awaitable[None]]:
    """``tell(chat_id)``: queue the notice for the therapist of the client in that chat."""

    async def tell(chat_id: str) -> None:
        async with database.transaction() as tx:
            person = await tx.people.find(TRANSPORT, chat_id)
            therapist = person.therapist_id if person is not None else None
            chats = await therapist_chats(tx, therapist) if therapist is not None else None
            if person is None or chats is None:
                return
            chat, fallback = chats
            reader = await tx.people.get(therapist) if therapist is not None else None
            with reading(reader.language if reader is not None else None):  # the therapist's
                text = _(texts.SAFETY_NUMBER_CHANGED).format(alias=person.alias or f"#{person.id}")
                reroute = Reroute(fallback.chat_id, fallback.person_id) if fallback else None
                notice = Outgoing(text=text, reroute=reroute)
            await tx.outbox.put_many(
                chat.transport, chat.chat_id, [notice.to_json()], clock(), person_id=chat.person_id
            )
        wake()

    return tell
