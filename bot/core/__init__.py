"""Core vocabulary: pure, standard library only.

Owns: the clock type, the exception hierarchy, local time and time zones, plan wording, what a
message to send is (``Outgoing``), one-time codes, log helpers.
May import: the standard library only (nothing else of Between, no other library).
"""
