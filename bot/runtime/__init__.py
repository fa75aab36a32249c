"""Wiring in one place: settings, database, clock, services and transports, opened in pairs.

May import: everything below it; only ``bot.cli`` imports it.
"""
