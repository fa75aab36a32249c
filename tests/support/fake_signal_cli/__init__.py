"""A fake signal-cli JSON-RPC daemon plus drivers playing Signal users, for the Signal transport.

It speaks what ``signal-cli -a +NUMBER daemon --tcp 127.0.0.1:PORT --receive-mode=manual``
speaks (shapes checked against signal-cli's man page signal-cli-jsonrpc(5) and its
``json/``, ``jsonrpc/`` and ``commands/`` sources; see the test module for what is covered).
Typical use::

    async with FakeSignalCli("+15550100000", clock=clock) as daemon:
        ...  # start the transport with SIGNAL_CLI_ADDRESS=daemon.address
        alex = daemon.user(name="Alex")                 # sourceNumber null (number hidden)
        sam = daemon.user(name="Sam", number="+15550100001")
        await alex.send("start 4711")                   # queued until the bot subscribes
        [welcome] = await alex.expect()                 # as Alex's phone shows it
        await alex.quote_reply(welcome.timestamp, "7")
        daemon.fail_next("RATE_LIMIT_FAILURE", recipient=alex, retry_after_seconds=60)
        daemon.drop_on("send")                          # close the socket mid-stream
        assert daemon.violations == []                  # no edit clients drop, no long body

Ordering is controlled without sleeping: ``hold(method)``/``release(method)`` and
``reverse_next(n)``. Edits follow Signal's client rules (latest timestamp, 10 edits, 24 h by
the injected clock); a broken rule is accepted, recorded, and never shown to the user.
"""

from .driver import FakeSignalGroup, FakeSignalUser
from .envelopes import Address, data_uri
from .fake import FakeSignalCli
from .models import (
    IDENTITY_FAILURE,
    INVALID_PRE_KEY_FAILURE,
    LONG_TEXT_TYPE,
    NETWORK_FAILURE,
    RATE_LIMIT_FAILURE,
    SUCCESS,
    UNREGISTERED_FAILURE,
    Attachment,
    DroppedEdit,
    RpcCall,
    RpcError,
    ShownMessage,
    Version,
    Violation,
)

__all__ = [
    "IDENTITY_FAILURE",
    "INVALID_PRE_KEY_FAILURE",
    "LONG_TEXT_TYPE",
    "NETWORK_FAILURE",
    "RATE_LIMIT_FAILURE",
    "SUCCESS",
    "UNREGISTERED_FAILURE",
    "Address",
    "Attachment",
    "DroppedEdit",
    "FakeSignalCli",
    "FakeSignalGroup",
    "FakeSignalUser",
    "RpcCall",
    "RpcError",
    "ShownMessage",
    "Version",
    "Violation",
    "data_uri",
]
