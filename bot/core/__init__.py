"""Core vocabulary: pure, standard library and Babel's locale data only.

Owns: the clock type, the exception hierarchy, local time and time zones, plan wording, what a
message to send is (``Outgoing``), one-time codes, log helpers, which language is read
(``i18n``) and how dates read in it (``formatting``).
May import: the standard library and babel (nothing else of Between, no other library).
"""
