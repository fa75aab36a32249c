"""What a client sends on Signal is not kept: the files signal-cli downloaded for a message are
deleted once it is read; an id that is not a plain file name touches nothing."""

from __future__ import annotations

from pathlib import Path

from bot.transports.signal.attachments import forget_attachments, signal_cli_attachments


def test_signal_clis_default_folder_is_found_as_signal_cli_finds_it(tmp_path: Path) -> None:
    assert signal_cli_attachments({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "signal-cli" / "attachments"
    assert signal_cli_attachments({}) == Path.home() / ".local" / "share" / "signal-cli" / "attachments"


def test_a_messages_files_are_deleted_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "attachments"
    folder.mkdir()
    for name in ("photo-id", "long-text-id", "someone-elses"):
        (folder / name).write_bytes(b"bytes")
    (tmp_path / "outside").write_bytes(b"keep")
    data = {
        "attachments": [
            {"contentType": "image/png", "id": "photo-id"},
            {"contentType": "text/x-signal-plain", "id": "long-text-id"},
            {"contentType": "image/png", "id": "../outside"},
            {"contentType": "image/png", "id": ".."},
            {"contentType": "image/png", "id": "never-downloaded"},
            "not an attachment",
        ]
    }
    assert forget_attachments(folder, data) == 2
    assert [p.name for p in folder.iterdir()] == ["someone-elses"]
    assert (tmp_path / "outside").read_bytes() == b"keep"
    assert forget_attachments(None, data) == 0
