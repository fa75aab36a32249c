"""The strings a therapist reads about a digest as it is sent (its own words are in ``render``
and in each homework type's section). Shown in the therapist's language, with ``_``."""

from typing import Final

from bot.core.i18n import N_

CHART_CAPTION: Final = N_("Mood since the last session — {alias}")
SCORE_CHART_CAPTION: Final = N_("{label} over time, since the first score — {alias}{bands}")
SCORE_CHART_BANDS: Final = N_("\nBands: {bands}")
BANDS_JOINED: Final = " · "
DIGEST_CHAT_UNREACHABLE: Final = N_(
    "I couldn't post this digest in your digest chat (was I removed from it?), so here it is. "
    "/digestchat links a chat again."
)
