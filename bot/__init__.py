"""The running bot, in layers that import one way only (``tests/test_layers.py`` keeps it so)::

    core <- (flows) <- (storage) <- chat <- practice, safety, scheduling, digest
         <- delivery <- transports <- runtime <- cli

Owns: everything between a messenger and the database: the conversation, the practice, safety,
scheduling, the digest, delivery of the outbox, the transports, wiring and the command line.
"""
