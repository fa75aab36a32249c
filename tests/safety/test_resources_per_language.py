"""The crisis resources per language: while a ``CRISIS_*`` setting is still its shipped
placeholder, a client reads their language's placeholder (German: 112, the TelefonSeelsorge,
116 123); a practice's own setting is shown as written, in every language."""

from __future__ import annotations

from bot.chat import texts
from bot.core.i18n import reading
from bot.runtime.settings import Settings
from bot.safety.response import CrisisResources

DEFAULTS = Settings(_env_file=None)  # type: ignore[call-arg]
SHIPPED = CrisisResources(
    DEFAULTS.crisis_emergency, DEFAULTS.crisis_line, DEFAULTS.crisis_text_line, DEFAULTS.crisis_abuse_line
)


def test_the_placeholders_known_to_safety_are_the_settings_defaults() -> None:
    assert {
        DEFAULTS.crisis_emergency,
        DEFAULTS.crisis_line,
        DEFAULTS.crisis_text_line,
        DEFAULTS.crisis_abuse_line,
    } == texts.PLACEHOLDER_RESOURCES
    assert DEFAULTS.crisis_placeholders()  # still flagged at start-up and on /assign


def test_a_german_client_reads_the_german_placeholders() -> None:
    with reading("de"):
        shown = SHIPPED.shown()
    assert shown["emergency"].startswith("112")
    assert "TelefonSeelsorge: 0800 111 0 111 oder 0800 111 0 222 oder 116 123" in shown["line"]
    assert "telefonseelsorge.de" in shown["text_line"] and "116 016" in shown["abuse_line"]
    with reading("en"):
        assert SHIPPED.shown()["line"] == DEFAULTS.crisis_line


def test_a_practices_own_resources_are_shown_as_written_in_every_language() -> None:
    own = CrisisResources("112", "TelefonSeelsorge Berlin: 030 123", "—", "Frauenhaus: 030 456")
    for language in ("en", "de"):
        with reading(language):
            assert own.shown() == {
                "emergency": "112",
                "line": "TelefonSeelsorge Berlin: 030 123",
                "text_line": "—",
                "abuse_line": "Frauenhaus: 030 456",
            }
