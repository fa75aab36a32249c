"""The strings a therapist reads about a digest as it is sent (its own words are in ``render``
and in each homework type's section)."""

from typing import Final

CHART_CAPTION: Final = "Mood since the last session — {alias}"
SCORE_CHART_CAPTION: Final = "{label} over time, since the first score — {alias}{bands}"
SCORE_CHART_BANDS: Final = "\nBands: {bands}"
BANDS_JOINED: Final = " · "
DIGEST_CHAT_UNREACHABLE: Final = (
    "I couldn't post this digest in your digest chat (was I removed from it?), so here it is. "
    "/digestchat links a chat again."
)
