"""The ``between`` command: ``run``, ``migrate``, ``therapist``, ``schedule`` and ``keys``."""
