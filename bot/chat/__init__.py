"""The transport-neutral conversation: an event in, state and replies out, in one transaction.

Owns: events and turns, the conversation service (cap, dedupe, admission, consent, routing), the
journal, drafts, time zones, export and erasure, and every string a client reads outside a flow.
May import: ``bot.core``, ``flows``, ``storage``. Never another feature package, delivery or a
transport: features register their commands and buttons with it.
"""
