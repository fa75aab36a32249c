"""Transports: the only modules that import a chat library. One folder per messenger.

Owns: turning a messenger's updates into events and outbox messages into its API calls.
May import: ``bot.core``, ``flows``, ``storage``, ``bot.chat``, ``bot.practice``, ``bot.safety``,
``bot.scheduling``, ``bot.digest``, ``bot.delivery``; only ``bot/transports/<messenger>/`` imports
that messenger's library.
"""
