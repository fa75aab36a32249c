"""Commands typed on Signal: a name may hold digits (``/phq9``, ``gad7``), as Telegram's may."""

from __future__ import annotations

from bot.chat.turn import CommandReceived
from bot.transports.signal.inbound import command_in


def test_a_command_with_digits_in_its_name_is_a_command() -> None:
    assert command_in("/phq9", ()) == CommandReceived("phq9", "")
    assert command_in("gad7", ("gad7",)) == CommandReceived("gad7", "")
    assert command_in("/digest Sam phq9", ()) == CommandReceived("digest", "Sam phq9")
    assert command_in("7", ("gad7",)) is None  # a number is an answer, never a command
    assert command_in("phq9", ()) is None  # unknown without its slash: text
