"""Wiring in one place: settings, database, clock, services and transports, opened in pairs.

May import: ``bot.core``, ``flows``, ``storage``, ``bot.chat``, ``bot.practice``, ``bot.safety``,
``bot.scheduling``, ``bot.digest``, ``bot.delivery``, ``bot.transports``; only ``bot.cli`` imports
it.
"""
