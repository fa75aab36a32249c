"""Scheduled homework: schedules become due prompts at the client's local time.

Owns: the tick (create, send, remind, expire), the prompt's Start / Snooze / Skip buttons.
May import: ``bot.core``, ``flows``, ``storage``, ``bot.chat``.
"""
