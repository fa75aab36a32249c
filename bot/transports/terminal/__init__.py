"""The terminal chat: the same flows and database, for trying Between in a minute."""
