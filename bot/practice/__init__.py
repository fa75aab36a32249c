"""The therapist's side, in chat: registration, invitations and consent, assignments, sessions.

Owns: the therapist commands, admission of new people by code, the digest chat, and every
string a therapist reads.
May import: ``bot.core``, ``flows``, ``storage``, ``bot.chat``.
"""
