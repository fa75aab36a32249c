"""Transports: the only modules that import a chat library. One folder per messenger.

Owns: turning a messenger's updates into events and outbox messages into its API calls.
May import: everything below it (``bot.delivery`` and the layers under it).
"""
