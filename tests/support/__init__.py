"""Test support: the fake Bot API server, a fake clock, enrolment, bot processes, PostgreSQL."""
