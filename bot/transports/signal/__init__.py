"""Signal, through signal-cli's JSON-RPC daemon (run beside Between, never vendored): the
connection (``rpc``), envelopes in (``inbound``), sends out (``sink``), and the transport
that runs them (``app``). No Signal library is imported: the protocol is spoken here."""
