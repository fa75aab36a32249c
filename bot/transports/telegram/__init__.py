"""Telegram, through python-telegram-bot: updates in (``updates``), Bot API calls out (``sink``),
``t.me`` links (``links``), and the application that runs them (``app``)."""
