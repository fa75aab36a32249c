"""The ``between`` command: ``run``, ``migrate``, ``therapist``, ``schedule`` and ``keys``.

May import: ``bot.core``, ``flows``, ``storage``, ``bot.chat``, ``bot.practice``, ``bot.safety``,
``bot.scheduling``, ``bot.digest``, ``bot.delivery``, ``bot.transports``, ``bot.runtime``.
"""
