"""The mood chart sent with a digest: a small PNG drawn with matplotlib's object-oriented API.

Only ``matplotlib.figure.Figure`` on an Agg canvas: never ``pyplot``, whose global figure
registry and interactive backends do not belong in a server. matplotlib is imported inside the
function, so importing the bot stays fast and a bot that never draws a chart never loads it.

Every word on a chart (title, axis labels, tick labels, legend) is worded before drawing, in the
therapist's language, into :class:`ChartWords` that travel with the series in
:class:`ChartFacts`: the drawing — in a process of its own, where no ``reading`` block reaches —
only places the words it is given. DejaVu Sans (matplotlib's own) has the umlauts.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Final

from bot.core.formatting import clock, date_only, decimal, month_name, weekday_name
from bot.core.i18n import N_, _
from bot.digest.build import Digest
from flows.sections import ChartSeries, ScoreSeries

if TYPE_CHECKING:  # matplotlib is imported only when a chart is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_INCHES: Final = 8.0
HEIGHT_INCHES: Final = 4.0
DPI: Final = 100  # 800 × 400 pixels
PNG_COMPRESSION: Final = 3
MARKERS_UP_TO: Final = 120  # more points than this: a line without markers
MAX_TICKS: Final = 8

TITLE: Final = N_("Mood — {alias}, {start} – {end}")
X_LABEL: Final = N_("local time ({zone})")
Y_LABEL: Final = N_("mood (0–10)")
LOW_BAND: Final = N_("very low (0–{low})")
PREVIOUS_MEAN: Final = N_("previous period: average {mean}")
THIS_MEAN: Final = N_("this period: average {mean}")
DAILY_MEAN: Final = N_("daily average")

SCORE_TITLE: Final = N_("{label} — {alias}, {start} – {end}")
SCORE_Y_LABEL: Final = "{label} ({low}–{high})"

LINE_COLOUR: Final = "#3a6ea5"
MEAN_COLOUR: Final = "#3a6ea5"
PREVIOUS_COLOUR: Final = "#8a8a8a"
LOW_COLOUR: Final = "#f3d9d4"
GRID_COLOUR: Final = "#e3e3e3"
BAND_COLOURS: Final = ("#e6f2e6", "#f4f2d8", "#fbe9d6", "#f7dcd3", "#f1cdcd")
"""Bands shaded from the lowest (greenish) to the highest (reddish), repeated past five."""
BAND_TEXT_COLOUR: Final = "#5a5a5a"


@dataclass(frozen=True, slots=True)
class ChartWords:
    """Every word on one chart — title, axis labels, tick labels, legend — already in the
    therapist's language: worded where the digest is rendered (inside its ``reading`` block) and
    handed to the drawing process as plain strings, so no language has to cross a process."""

    title: str
    x_label: str
    y_label: str
    ticks: tuple[tuple[datetime, str], ...]
    low_band: str = ""
    previous_mean: str = ""
    this_mean: str = ""
    daily_mean: str = ""


@dataclass(frozen=True, slots=True)
class ChartFacts:
    """What the charts are drawn from — a digest's series, alias, period and zone, and the words
    on each chart, and nothing else: plain values another process can be handed (a digest itself
    holds its flows)."""

    chart: ChartSeries | None
    score_charts: tuple[ScoreSeries, ...]
    alias: str
    period_start: datetime
    period_end: datetime
    zone_name: str
    words: ChartWords | None = None
    """The mood chart's words (None: no mood chart)."""
    score_words: tuple[ChartWords, ...] = ()
    """Each measure's chart's words, in the order of ``score_charts``."""

    @classmethod
    def of(cls, digest: Digest) -> ChartFacts:
        """The digest's charts, worded in the language being read (the therapist's)."""
        plain = cls(
            digest.chart,
            tuple(digest.score_charts),
            digest.alias,
            digest.period_start,
            digest.period_end,
            digest.zone_name,
        )
        return replace(
            plain,
            words=mood_words(plain) if plain.chart is not None else None,
            score_words=tuple(score_words(plain, series) for series in plain.score_charts),
        )


def mood_words(facts: ChartFacts) -> ChartWords:
    """The mood chart's words in the language being read."""
    series = facts.chart
    return ChartWords(
        title=_(TITLE).format(alias=facts.alias, start=_day(facts.period_start), end=_day(facts.period_end)),
        x_label=_(X_LABEL).format(zone=facts.zone_name),
        y_label=_(Y_LABEL),
        ticks=tuple(time_ticks(facts.period_start, facts.period_end)),
        low_band=_(LOW_BAND).format(low=series.low) if series is not None else "",
        previous_mean=_(PREVIOUS_MEAN).format(mean=_mean(series.previous_mean)) if series is not None else "",
        this_mean=_(THIS_MEAN).format(mean=_mean(series.mean)) if series is not None else "",
        daily_mean=_(DAILY_MEAN),
    )


def score_words(facts: ChartFacts, series: ScoreSeries) -> ChartWords:
    """A measure's chart's words in the language being read (its label and bands are the
    measure's own, as its section gave them)."""
    origin, end = _score_span(facts, series)
    return ChartWords(
        title=_(SCORE_TITLE).format(label=series.label, alias=facts.alias, start=_day(origin), end=_day(end)),
        x_label=_(X_LABEL).format(zone=facts.zone_name),
        y_label=SCORE_Y_LABEL.format(label=series.label, low=_number(series.low), high=_number(series.high)),
        ticks=tuple(time_ticks(origin, end)),
    )


def _score_span(facts: ChartFacts, series: ScoreSeries) -> tuple[datetime, datetime]:
    """From the first score (the baseline) to the period's end, or the last score if later."""
    if not series.points:
        return facts.period_start, facts.period_end
    return series.points[0][0], max(facts.period_end, series.points[-1][0])


def charts_png(facts: ChartFacts) -> tuple[bytes | None, list[tuple[str, bytes]]]:
    """The mood chart and each measure's chart (``(label, png)``), drawn in one go — in a worker
    thread, or in a process of a pool (the second core: a chart is tens of ms of CPU). Every
    word on them comes worded in ``facts``."""
    scores = [
        (series.label, score_chart_png(facts, series, words))
        for series, words in zip(facts.score_charts, facts.score_words, strict=True)
    ]
    return mood_chart_png(facts), scores


_DRAWING = threading.Lock()
"""matplotlib is not thread-safe (its font cache and text layout are shared): one chart at a time."""


def mood_chart_png(digest: Digest | ChartFacts) -> bytes | None:
    """The period's moods as a PNG (800 × 400): time on x in the client's zone, 0–10 on y.

    None when the period has no mood check-ins. Drawing takes tens of milliseconds of CPU, so
    callers on the event loop must run it in a worker thread:
    ``png = await asyncio.to_thread(mood_chart_png, digest)``.
    """
    facts = digest if isinstance(digest, ChartFacts) else ChartFacts.of(digest)
    with _DRAWING:
        figure = draw_mood_chart(facts)
        return _png(figure) if figure is not None else None


def draw_mood_chart(facts: ChartFacts) -> Figure | None:
    """The figure of :func:`mood_chart_png`, before it is saved (tests read its words)."""
    series, words = facts.chart, facts.words
    if series is None or not series.points or words is None:
        return None
    figure, axes = _figure()
    _draw_levels(axes, series, words)
    _draw_points(axes, series, facts.period_start, words)
    _draw_frame(axes, facts, words)
    figure.suptitle(words.title, fontsize=10)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=7, frameon=False, ncols=4)
    return figure


def score_chart_png(
    digest: Digest | ChartFacts, series: ScoreSeries, words: ChartWords | None = None
) -> bytes:
    """One measure's scores over time (baseline onwards) as a PNG (800 × 400), its bands shaded
    and named. Like :func:`mood_chart_png`, run it in a worker thread from the event loop."""
    with _DRAWING:
        return _png(draw_score_chart(digest, series, words))


def draw_score_chart(
    digest: Digest | ChartFacts, series: ScoreSeries, words: ChartWords | None = None
) -> Figure:
    """The figure of :func:`score_chart_png`, before it is saved (tests read its artists); worded
    in the language being read unless ``words`` are given."""
    facts = digest if isinstance(digest, ChartFacts) else ChartFacts.of(digest)
    words = words or score_words(facts, series)
    figure, axes = _figure()
    origin, end = _score_span(facts, series)
    _draw_bands(axes, series)
    xs = [_days(origin, at) for at, _ in series.points]
    axes.plot(
        xs, [value for _, value in series.points], color=LINE_COLOUR, linewidth=1.3, marker="o", markersize=4
    )
    if origin < facts.period_start < end:
        axes.axvline(_days(origin, facts.period_start), color=PREVIOUS_COLOUR, linestyle=":", linewidth=1)
    _draw_time_axis(axes, origin, end, words)
    axes.set_ylim(series.low - 0.5, series.high + 0.5)
    axes.set_ylabel(words.y_label, fontsize=8)
    figure.suptitle(words.title, fontsize=10)
    return figure


def band_spans(series: ScoreSeries) -> list[tuple[float, float, str]]:
    """Where each band is shaded on the y axis, named with its range ("mild 5–9"): whole-number
    bands reach half a point past their ends (so 4 and 5 sit either side of the minimal/mild
    line), others meet at the next band."""
    bands = sorted(series.bands, key=lambda b: b.low)
    whole = all(float(b.low).is_integer() and float(b.high).is_integer() for b in bands)
    spans = []
    for index, band in enumerate(bands):
        if whole:
            spans.append((band.low - 0.5, band.high + 0.5, band.with_range))
        else:
            top = bands[index + 1].low if index + 1 < len(bands) else band.high
            spans.append((band.low, top, band.with_range))
    return spans


def _draw_bands(axes: Axes, series: ScoreSeries) -> None:
    for index, (low, high, name) in enumerate(band_spans(series)):
        axes.axhspan(low, high, color=BAND_COLOURS[index % len(BAND_COLOURS)], linewidth=0, label=name)
        axes.text(
            0.995,
            (low + high) / 2,
            name,
            transform=axes.get_yaxis_transform(),
            ha="right",
            va="center",
            fontsize=7,
            color=BAND_TEXT_COLOUR,
        )


def _figure() -> tuple[Figure, Axes]:
    """An 800 × 400 figure on an Agg canvas, with one set of axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)  # the figure draws and saves through this Agg canvas
    figure.subplots_adjust(left=0.08, right=0.98, top=0.85, bottom=0.14)
    return figure, figure.add_subplot()


def _png(figure: Figure) -> bytes:
    """The figure as PNG bytes; zlib level 3 instead of Pillow's 6 saves a fifth of the
    drawing time for files about a tenth larger."""
    buffer = io.BytesIO()
    figure.savefig(
        buffer, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": PNG_COMPRESSION}
    )
    return buffer.getvalue()


def _draw_levels(axes: Axes, series: ChartSeries, words: ChartWords) -> None:
    """The very-low band, and the averages of this period and the one before."""
    axes.axhspan(-0.5, series.low + 0.5, color=LOW_COLOUR, linewidth=0, label=words.low_band)
    averages = (
        (series.previous_mean, PREVIOUS_COLOUR, "--", words.previous_mean),
        (series.mean, MEAN_COLOUR, ":", words.this_mean),
    )
    for value, colour, style, label in averages:
        if value is not None:
            axes.axhline(value, color=colour, linestyle=style, linewidth=1, label=label)


def _draw_points(axes: Axes, series: ChartSeries, origin: datetime, words: ChartWords) -> None:
    points = series.points
    xs, ys = [_days(origin, at) for at, _ in points], [value for _, value in points]
    if len(points) <= MARKERS_UP_TO:
        axes.plot(xs, ys, color=LINE_COLOUR, linewidth=1.3, marker="o", markersize=3.5)
        return
    # too many to follow one by one: each check-in faint, the line through daily averages
    axes.scatter(xs, ys, s=4, color=LINE_COLOUR, alpha=0.25, linewidths=0)
    days = daily_means(points)
    axes.plot(
        [_days(origin, at) for at, _ in days],
        [mean for _, mean in days],
        color=LINE_COLOUR,
        linewidth=1.1,
        label=words.daily_mean,
    )


def _draw_frame(axes: Axes, facts: ChartFacts, words: ChartWords) -> None:
    """Axes, ticks on local boundaries, grid and labels."""
    from matplotlib.ticker import MultipleLocator

    _draw_time_axis(axes, facts.period_start, facts.period_end, words)
    axes.set_ylim(-0.5, 10.5)
    axes.yaxis.set_major_locator(MultipleLocator(2))
    axes.set_ylabel(words.y_label, fontsize=8)


def _draw_time_axis(axes: Axes, origin: datetime, end: datetime, words: ChartWords) -> None:
    """Time on x from ``origin`` to ``end``, the ticks ``words`` names, the grid and the frame."""
    ticks = words.ticks
    axes.set_xlim(0, max(_days(origin, end), 1 / 24))
    axes.set_xticks([_days(origin, at) for at, _ in ticks], [label for _, label in ticks])
    axes.tick_params(labelsize=8)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_xlabel(words.x_label, fontsize=8)


def time_ticks(start: datetime, end: datetime, most: int = MAX_TICKS) -> list[tuple[datetime, str]]:
    """Tick times and labels for a period, on local boundaries in ``start``'s zone: every few hours
    for a day or two, local midnights for up to four months, first days of months beyond; named
    in the language being read."""
    zone = start.tzinfo
    span = _days(start, end)
    ticks: list[tuple[datetime, str]] = []
    if span <= 2:
        hours = max(1, math.ceil(span * 24 / most))
        hours = next(h for h in (1, 2, 3, 4, 6, 8, 12, 24) if h >= hours)
        moment = start.replace(minute=0, second=0, microsecond=0)
        while moment <= end:
            if moment >= start and moment.hour % hours == 0:
                ticks.append((moment, f"{weekday_name(moment.weekday())} {clock(moment)}"))
            moment = (moment.astimezone(UTC) + timedelta(hours=1)).astimezone(zone)
        return ticks
    if span <= 120:
        step = max(1, math.ceil(span / most))
        day = start.date() + timedelta(days=1)
        while True:
            moment = datetime(day.year, day.month, day.day, tzinfo=zone)
            if moment > end:
                return ticks
            ticks.append((moment, date_only(day)))
            day += timedelta(days=step)
    step = max(1, math.ceil(span / 30.4 / most))
    year, month = start.year + start.month // 12, start.month % 12 + 1  # the first month after start
    while True:
        moment = datetime(year, month, 1, tzinfo=zone)
        if moment > end:
            return ticks
        new_year = not ticks or ticks[-1][0].year != year
        ticks.append((moment, f"{month_name(month)} {year}" if new_year else month_name(month)))
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def daily_means(points: Sequence[tuple[datetime, int]]) -> list[tuple[datetime, float]]:
    """The average mood of each local day that has check-ins, placed at that day's noon."""
    by_day: dict[date, list[int]] = {}
    for at, mood in points:
        by_day.setdefault(at.date(), []).append(mood)
    zone = points[0][0].tzinfo if points else None
    return [
        (datetime(day.year, day.month, day.day, 12, tzinfo=zone), sum(moods) / len(moods))
        for day, moods in sorted(by_day.items())
    ]


def _days(origin: datetime, moment: datetime) -> float:
    return (moment - origin).total_seconds() / 86400


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _day(moment: datetime) -> str:
    return date_only(moment.date(), year=True)


def _mean(value: float | None) -> str:
    return "" if value is None else decimal(value)
