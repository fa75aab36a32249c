"""Delivery: the outbox courier and the sending pace.

Owns: the Sink protocol a transport implements, ordered at-least-once delivery with retries,
and pacing (overall and per chat).
May import: ``bot.core``, ``flows``, ``storage``, ``bot.chat``, ``bot.practice``, ``bot.safety``,
``bot.scheduling``, ``bot.digest``.
"""
