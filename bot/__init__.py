"""The running bot: transports (Telegram, terminal), wiring, delivery, settings and the CLI.

Owns: turning transport updates into conversation events, rendering prompts for each transport,
delivering the outbox, and starting/stopping everything in pairs.
May import: ``flows``, ``storage``, ``telegram`` (only in ``telegram_transport.py`` and ``app.py``).
"""
