"""`newsarchive stats --plot`: a PNG of articles per day per site (matplotlib's Agg canvas, no display)."""

from __future__ import annotations

import os
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any

FIGURE_INCHES = (10.0, 4.5)
DPI = 100


def daily_series(stats: Any) -> dict[str, list[tuple[date, int]]]:
    """Per site, (day, articles) for every day from the first to the last day of the stats (0 when none)."""
    counts: dict[str, dict[date, int]] = {}
    for row in stats.to_pylist():
        per_day = counts.setdefault(row["site"], {})
        per_day[row["date"]] = per_day.get(row["date"], 0) + row["articles"]
    if not counts:
        return {}
    first = min(day for per_day in counts.values() for day in per_day)
    last = max(day for per_day in counts.values() for day in per_day)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    # A missing day is a day without articles: plotting only the days present would hide the gaps.
    return {site: [(day, per_day.get(day, 0)) for day in days] for site, per_day in sorted(counts.items())}


def plot_daily(stats: Any, path: Path | str, title: str = "Articles per day") -> None:
    """Write a PNG line chart of articles per publication day, one line per site, atomically to ``path``.

    ``stats`` is ``Archive.stats()``'s table. Uses matplotlib's object API with the Agg canvas, so
    no display and no pyplot global state are involved.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    series = daily_series(stats)
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for site, points in series.items():
        days: Any = [d for d, _ in points]  # matplotlib's date converter takes dates; its stubs say floats
        axes.plot(days, [n for _, n in points], marker="o", markersize=3, label=site)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_ylabel("articles")
    axes.set_ylim(bottom=0)
    axes.set_title(title)
    axes.grid(True, alpha=0.3)
    if series:
        axes.legend(title="site", loc="upper left", fontsize="small")
    target = Path(path)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    try:
        figure.savefig(tmp, format="png")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
