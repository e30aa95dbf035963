"""The "News archive" page: what it shows per site (last run, articles per day, last failure), the site files
that could not be loaded (file, field, problem: they have no DAG until fixed), and its HTML.

No Airflow import (the plugin, newsarchive_plugin.py, feeds it runs from Airflow's metadata DB): runs come
from a callable, reports and article counts from the archive store (`reports/site=S/<window>.json`, one LIST
per day of `articles/site=S/`). Airflow loads every .py in plugins/ when a process starts, so this module
stays cheap to import: stdlib only at the top.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

log = logging.getLogger("newsarchive.ui")

DAYS = 14
FAILED_STATES = ("failed",)


@dataclass(frozen=True)
class RunInfo:
    """One DAG run as the page needs it."""

    run_id: str
    state: str
    window_start: datetime | None
    window_end: datetime | None
    started: datetime | None = None
    ended: datetime | None = None
    failed_tasks: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteStatus:
    """One row of the page."""

    site_id: str
    name: str
    base_url: str
    dag_id: str
    languages: tuple[str, ...]
    enabled: bool
    last_run: RunInfo | None
    last_articles: int | None  # from the last run's report, None when it has none (yet)
    last_warnings: tuple[str, ...]
    per_day: tuple[tuple[date, int], ...]
    last_failure: RunInfo | None
    failure_reason: str | None

    @property
    def total_14d(self) -> int:
        """Articles over the days shown."""
        return sum(n for _, n in self.per_day)


@dataclass(frozen=True)
class BrokenFile:
    """One mistake of a site file that does not load (so its site has no DAG)."""

    file: str
    site_id: str | None  # the site the file is about (its id, else its name)
    field: str
    problem: str


def broken_files(errors: Sequence[Any]) -> list[BrokenFile]:
    """One entry per mistake of each SiteConfigError of the catalog (newsarchive.pipeline.sites.load_sites)."""
    return [BrokenFile(str(error.path), error.site_id, name, problem)
            for error in errors for name, problem in error.problems]


def run_window(conf: Mapping[str, Any] | None, interval_start: datetime | None,
               interval_end: datetime | None) -> tuple[datetime | None, datetime | None]:
    """A run's window as the DAG computes it: params start/end when given, else the data interval."""
    from newsarchive.instants import parse_window

    conf = conf or {}
    if conf.get("start") and conf.get("end"):
        try:
            window = parse_window(str(conf["start"]), str(conf["end"]))
            return window.start, window.end
        except ValueError:
            return None, None  # the run itself failed on these params; the page just shows no window
    if interval_start and interval_end and interval_end > interval_start:
        return interval_start.astimezone(UTC), interval_end.astimezone(UTC)
    return None, None


def read_report(store: Any, site_id: str, run: RunInfo | None) -> dict[str, Any] | None:
    """The run report of a run's window, or None (no window, not written, unreadable)."""
    from newsarchive.archive import keys
    from newsarchive.archive.errors import ArchiveError

    if run is None or run.window_start is None or run.window_end is None:
        return None
    try:
        return dict(json.loads(store.get(keys.report_key(site_id, run.window_start, run.window_end))))
    except (ArchiveError, ValueError) as exc:
        log.debug("no report for %s %s: %s", site_id, run.run_id, exc)
        return None


def articles_per_day(store: Any, site_id: str, last_day: date, days: int = DAYS) -> tuple[tuple[date, int], ...]:
    """Articles archived per publication date for the `days` days ending on last_day (one LIST per day)."""
    from newsarchive.archive import keys

    span = [last_day - timedelta(days=n) for n in range(days - 1, -1, -1)]
    return tuple((day, sum(1 for _ in store.list(keys.articles_prefix(site_id, day)))) for day in span)


def _last_day(site_tz: str, run: RunInfo | None, today: date) -> date:
    """The last day the page's 14 days end on: the last run's window's last day (site time), else today."""
    if run is None or run.window_end is None:
        return today
    return (run.window_end.astimezone(ZoneInfo(site_tz)) - timedelta(microseconds=1)).date()


def failure_reason(report: Mapping[str, Any] | None, run: RunInfo) -> str:
    """Why a run failed: its report's failed gates when the check failed, else the tasks that failed."""
    if report and report.get("status") == "failed":
        failed = [g for g in report.get("gates", []) if g.get("status") == "failed"]
        if failed:
            return "; ".join(f"{g['name']}: {g['message']}" for g in failed)
    if run.failed_tasks:
        return f"task {', '.join(run.failed_tasks)} failed (see its log)"
    return f"run {run.state}"


def site_status(site: Any, store: Any, runs: Sequence[RunInfo], today: date) -> SiteStatus:
    """One site's row from its runs (newest first) and the archive."""
    last = runs[0] if runs else None
    report = read_report(store, site.id, last)
    failure = next((r for r in runs if r.state in FAILED_STATES), None)
    failure_report = report if failure is last else read_report(store, site.id, failure)
    return SiteStatus(
        site_id=site.id, name=site.name, base_url=site.base_url, dag_id=site.dag_id,
        languages=tuple(site.languages), enabled=bool(site.enabled), last_run=last,
        last_articles=int(report["articles"]) if report and "articles" in report else None,
        last_warnings=tuple(report.get("warnings", [])) if report else (),
        per_day=articles_per_day(store, site.id, _last_day(site.timezone, last, today)),
        last_failure=failure,
        failure_reason=failure_reason(failure_report, failure) if failure else None,
    )


def collect(sites: Sequence[Any], store: Any, runs_of: Callable[[str], Sequence[RunInfo]],
            today: date) -> list[SiteStatus]:
    """Every site's row; a site whose data cannot be read shows as such instead of breaking the page."""
    from newsarchive.archive.errors import ArchiveError

    rows = []
    for site in sites:
        try:
            rows.append(site_status(site, store, runs_of(site.dag_id), today))
        except ArchiveError as exc:
            log.warning("news archive page: %s: %s", site.id, exc)
            rows.append(SiteStatus(site.id, site.name, site.base_url, site.dag_id, tuple(site.languages),
                                   bool(site.enabled), None, None, (), (), None, f"archive unreadable: {exc}"))
    return rows


# -- HTML ---------------------------------------------------------------------------------------------

STATE_COLOURS = {"success": "#1a7f37", "failed": "#cf222e", "running": "#0969da", "queued": "#8c959f"}
STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 16px 20px; color: #1f2328; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } p.sub { color: #59636e; margin: 0 0 14px; }
h2.broken { font-size: 16px; color: #cf222e; margin: 8px 0 4px; } #broken-files { margin-bottom: 18px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 8px 10px; border-bottom: 1px solid #d1d9e0; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #59636e; }
.state { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; font-weight: 600; }
.muted { color: #59636e; font-size: 12px; } .warn { color: #9a6700; font-size: 12px; }
.fail { color: #cf222e; max-width: 28em; }
.bars { display: flex; align-items: flex-end; gap: 2px; height: 44px; }
.bar { width: 12px; background: #54aeff; min-height: 1px; }
.bar.zero { background: #d1d9e0; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
"""


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _window(run: RunInfo) -> str:
    if run.window_start is None or run.window_end is None:
        return "no window"
    return f"{run.window_start:%Y-%m-%d %H:%M} → {run.window_end:%Y-%m-%d %H:%M} UTC"


def _run_link(ui_base: str, dag_id: str, run: RunInfo, text: str) -> str:
    href = f"{ui_base}/dags/{quote(dag_id)}/runs/{quote(run.run_id, safe='')}"
    return f'<a href="{escape(href)}" target="_top">{escape(text)}</a>'


def _state(state: str) -> str:
    colour = STATE_COLOURS.get(state, "#8c959f")
    return f'<span class="state" style="background:{colour}" data-state="{escape(state)}">{escape(state)}</span>'


def _last_run(row: SiteStatus, ui_base: str) -> str:
    run = row.last_run
    if run is None:
        return '<td class="last-run muted">no run yet</td><td>-</td>'
    articles = "-" if row.last_articles is None else str(row.last_articles)
    warnings = (f'<div class="warn">warnings: {escape(", ".join(row.last_warnings))}</div>'
                if row.last_warnings else "")
    return (f'<td class="last-run">{_state(run.state)} {_run_link(ui_base, row.dag_id, run, "open run")}'
            f'<div class="muted">{escape(_window(run))}</div>'
            f'<div class="muted">ended {escape(_when(run.ended))}</div>{warnings}</td>'
            f'<td class="articles" data-articles="{articles}">{articles}</td>')


def _bars(row: SiteStatus) -> str:
    if not row.per_day:
        return '<td class="per-day muted">-</td>'
    top = max(n for _, n in row.per_day) or 1
    bars = "".join(
        f'<div class="bar{" zero" if n == 0 else ""}" style="height:{max(1, round(44 * n / top))}px" '
        f'title="{day:%Y-%m-%d}: {n}" data-day="{day:%Y-%m-%d}" data-count="{n}"></div>'
        for day, n in row.per_day)
    first, last = row.per_day[0][0], row.per_day[-1][0]
    return (f'<td class="per-day"><div class="bars">{bars}</div>'
            f'<div class="muted">{row.total_14d} articles, {first:%d %b} – {last:%d %b %Y}</div></td>')


def _failure(row: SiteStatus, ui_base: str) -> str:
    run = row.last_failure
    if run is None:
        return f'<td class="last-failure muted">{escape(row.failure_reason or "none")}</td>'
    return (f'<td class="last-failure"><div class="fail">{escape(row.failure_reason or "")}</div>'
            f'<div class="muted">{_run_link(ui_base, row.dag_id, run, _when(run.ended or run.started))} · '
            f'{escape(_window(run))}</div></td>')


def _broken(broken: Sequence[BrokenFile]) -> str:
    """The table of site files with mistakes (nothing when every file loads)."""
    if not broken:
        return ""
    body = "\n".join(
        f'<tr data-file="{escape(b.file)}" data-field="{escape(b.field)}"><td><code>{escape(b.file)}</code></td>'
        f'<td>{escape(b.site_id or "-")}</td><td><code>{escape(b.field)}</code></td>'
        f'<td class="fail">{escape(b.problem)}</td></tr>' for b in broken)
    files = len({b.file for b in broken})
    return (f'<h2 class="broken">{files} site file(s) with mistakes: no DAG until fixed</h2>\n'
            '<p class="sub">Fix the file (<code>newsarchive sites</code> checks it); the DAG appears at the next '
            'parse.</p>\n<table id="broken-files"><thead><tr><th>File</th><th>Site</th><th>Field</th>'
            f'<th>Problem</th></tr></thead>\n<tbody>\n{body}\n</tbody></table>\n')


def render(rows: Sequence[SiteStatus], generated_at: datetime, archive_url: str, ui_base: str = "",
           broken: Sequence[BrokenFile] = ()) -> str:
    """The whole page."""
    body = []
    for row in rows:
        dag_link = f'<a href="{escape(ui_base)}/dags/{quote(row.dag_id)}" target="_top">{escape(row.name)}</a>'
        state = "" if row.enabled else ' <span class="muted">(disabled)</span>'
        body.append(
            f'<tr data-site="{escape(row.site_id)}"><td class="site">{dag_link}{state}'
            f'<div class="muted">{escape(row.site_id)} · {escape(", ".join(row.languages) or "-")} · '
            f'{escape(row.base_url)}</div></td>{_last_run(row, ui_base)}{_bars(row)}{_failure(row, ui_base)}</tr>')
    rows_html = "\n".join(body) or '<tr><td colspan="5" class="muted">no site configured</td></tr>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>News archive</title><style>{STYLE}</style></head>
<body><h1>News archive</h1>
<p class="sub">{len(rows)} site(s) · archive <code>{escape(archive_url)}</code> ·
as of {escape(_when(generated_at))}</p>
{_broken(broken)}<table id="sites"><thead><tr><th>Site</th><th>Last run</th><th>Articles</th>
<th>Articles per day (14 days)</th><th>Last failure</th></tr></thead>
<tbody>
{rows_html}
</tbody></table></body></html>
"""
