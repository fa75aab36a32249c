"""Safety: risk language recognised in every free text, and the fixed response to it.

Owns: the phrase lists (English, and German beside it), the scored risk cues beside each, and their
detectors (pure), the crisis message, the paused flow, the therapist's alert, the later "are you
safe?", and the per-person message cap.
May import: ``bot.core``, ``flows``, ``storage``, ``bot.chat``.
"""
