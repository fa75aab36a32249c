"""Where a therapist reads about their clients: the one helper risk alerts and digests share."""

from __future__ import annotations

from bot.chat.turn import Recipient
from storage import Transaction


async def therapist_chats(tx: Transaction, therapist_id: int) -> tuple[Recipient, Recipient | None] | None:
    """Where a therapist reads about their clients: their linked group or channel (with their
    private chat as the fallback should it refuse), else their private chat."""
    therapist = await tx.therapists.get(therapist_id)
    person = await tx.people.get(therapist_id)
    if therapist is None or person is None:
        return None
    private = Recipient(person.transport, person.chat_id, person.id)
    if therapist.digest_chat_id is not None and therapist.digest_transport == person.transport:
        return Recipient(person.transport, therapist.digest_chat_id), private
    return private, None


async def reader_language(tx: Transaction, person_id: int) -> str | None:
    """The language someone other than the turn's person reads (a therapist told about a
    client): their own choice, else None (the practice's default)."""
    person = await tx.people.get(person_id)
    return person.language if person is not None else None
