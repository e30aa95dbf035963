"""Quality gates: a run's numbers (from the crawl and extract counts) against the site's thresholds and history.

Pure functions over the stages' typed counts, except `load_history`, which reads the site's earlier run reports from the
archive. A gate is "ok", "warning" (breached, soft), "failed" (breached, listed in `hard_gates`) or "skipped"
(not enough data to judge: no history yet, no articles to measure).
"""

from __future__ import annotations

import json
import logging
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from newsarchive.instants import Window
from newsarchive.pipeline.results import CrawlCounts, ExtractCounts
from newsarchive.pipeline.sites import GATE_NAMES, Checks

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger("newsarchive.gates")

OK, WARNING, FAILED, SKIPPED = "ok", "warning", "failed", "skipped"
_UPDATES_ONLY = ("no article published in the window, {updated} archived articles updated: a day of updates "
                 "only (not a failure, and not part of the yield history)")


@dataclass(frozen=True)
class Gate:
    """One quality gate's outcome: the measured value, the threshold it was held to, and a sentence saying so."""

    name: str
    value: float | None
    threshold: float
    status: str  # ok | warning | failed | skipped
    message: str
    hard: bool = False


@dataclass(frozen=True)
class RunMetrics:
    """The numbers of one run that gates look at (from its XCom counts, or from a stored report)."""

    articles: int
    window_days: float
    responses: int  # article-role responses the extractor looked at
    rejected: int  # rejected article pages, redirect hops excluded
    duplicates: int
    foreign_language: int  # articles whose language is not among the site's (unknown included)
    dropped_lines: int  # residue lines removed by the extractor, all reasons
    lines: int | None  # text lines kept, when the extractor counts them
    words: int
    requests: int  # requests the crawler completed or gave up on
    fetch_errors: int
    # Articles of the window in the archive, this run's and those earlier runs archived (an incremental rerun
    # or an overlapping backfill rightly refetches nothing unchanged): what the yield gates judge.
    in_window: int = 0
    non_free: int = 0  # articles of this run whose access is paywalled or metered
    # Archived articles this run kept a new version of (their text changed: an update the site signalled,
    # or a silent edit found by a revisit). Not articles of the window: updates never count towards yield.
    updated: int = 0

    @property
    def non_free_share(self) -> float | None:
        """Paywalled and metered articles per article of the run; None without articles."""
        return self.non_free / self.articles if self.articles else None

    @property
    def updates_only(self) -> bool:
        """A window with no article of its own but updates of earlier ones: the site is alive and publishing
        changes, so min_articles is not breached, and the run is no baseline for the yield history."""
        return self.in_window == 0 and self.updated > 0

    @property
    def yield_per_day(self) -> float:
        """Articles in the window's archive per day of window (so windows of any width compare)."""
        return self.in_window / self.window_days if self.window_days > 0 else 0.0

    @property
    def residue_rate(self) -> float | None:
        """Dropped lines per line seen when lines are counted, else dropped lines per article; None without articles."""
        if self.lines is not None and self.lines + self.dropped_lines > 0:
            return self.dropped_lines / (self.lines + self.dropped_lines)
        return self.dropped_lines / self.articles if self.articles else None

    @property
    def mean_words(self) -> float | None:
        """Mean text length in words; None without articles."""
        return self.words / self.articles if self.articles else None


def run_metrics(languages: tuple[str, ...], window_days: float, crawl: CrawlCounts,
                extract: ExtractCounts) -> RunMetrics:
    """Gate metrics from a run's crawl counts (spider stats) and extract counts."""
    wanted = set(languages)
    # The WARC keeps every redirect hop as its own response; the page it leads to is counted on its own.
    redirects = extract.redirect_rejections
    return RunMetrics(
        articles=extract.articles,
        in_window=extract.in_window,
        window_days=window_days,
        responses=extract.responses - redirects,
        rejected=extract.rejected_total - redirects,
        duplicates=sum(extract.duplicate.values()),
        foreign_language=sum(n for code, n in extract.language.items() if wanted and code not in wanted),
        dropped_lines=sum(extract.dropped_lines.values()),
        lines=extract.lines,
        words=extract.words,
        requests=crawl.requests,
        fetch_errors=crawl.fetch_errors,
        non_free=extract.access.get("paywalled", 0) + extract.access.get("metered", 0),
        updated=extract.versions.get("updated", 0),
    )


def metrics_from_report(report: Mapping[str, Any], languages: tuple[str, ...]) -> RunMetrics | None:
    """A stored run report's metrics, or None if it is not a usable report (malformed, from a failed run, or
    of a window that only had updates). Reads reports of every age: the counters' JSON form has not changed,
    and a counter an older report lacks reads as 0."""
    try:
        if report.get("status") != "ok":
            return None  # a failed run is not a baseline: it would lower the bar for the next one
        window = Window.from_json(report["window"])
        metrics = run_metrics(languages, window.length_days, CrawlCounts.from_xcom(report["crawl"]["counts"]),
                              ExtractCounts.from_xcom(report["extract"]["counts"]))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return None if metrics.updates_only else metrics  # no yield of its own to compare with


def load_history(store: Store, site_id: str, languages: tuple[str, ...], before: datetime, exclude_key: str,
                 limit: int) -> list[RunMetrics]:
    """Metrics of the site's last `limit` successful runs whose window starts before `before` (oldest first)."""
    from newsarchive.archive import keys
    from newsarchive.archive.errors import ArchiveError, InvalidKey

    candidates = []
    for key in store.list(keys.reports_prefix(site_id)):
        if key == exclude_key:
            continue  # re-running a window must not compare it with itself
        try:
            parsed = keys.parse_report_key(key)
        except InvalidKey:
            continue
        if parsed.start < before:
            candidates.append((parsed.start, key))
    history: list[RunMetrics] = []
    for _, key in sorted(candidates, reverse=True):
        if len(history) >= limit:
            break
        try:
            metrics = metrics_from_report(json.loads(store.get(key)), languages)
        except (ArchiveError, ValueError) as exc:
            log.warning("history: skipping unreadable report %s (%s)", key, exc)
            continue
        if metrics is not None:
            history.append(metrics)
    return history[::-1]


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


class _Judge:
    """Builds Gate records with the status a breach gets under the site's hard_gates."""

    def __init__(self, checks: Checks) -> None:
        self.hard = set(checks.hard_gates)

    def gate(self, name: str, value: float | None, threshold: float, breached: bool, message: str) -> Gate:
        hard = name in self.hard
        status = (FAILED if hard else WARNING) if breached else OK
        return Gate(name, None if value is None else round(value, 4), threshold, status, message, hard)

    def skip(self, name: str, threshold: float, why: str) -> Gate:
        return Gate(name, None, threshold, SKIPPED, why, name in self.hard)


def _history_gates(judge: _Judge, checks: Checks, run: RunMetrics, history: list[RunMetrics]) -> list[Gate]:
    """The gates that compare this run with the median of the site's recent runs."""
    names = ("yield_vs_history", "residue_vs_history", "text_length_vs_history")
    thresholds = (checks.min_yield_ratio, checks.max_residue_factor, checks.min_text_length_ratio)
    if len(history) < checks.min_history_runs:
        why = f"needs {checks.min_history_runs} earlier successful runs, has {len(history)}"
        return [judge.skip(n, t, why) for n, t in zip(names, thresholds, strict=True)]
    n = len(history)
    gates = []
    base = _median([h.yield_per_day for h in history]) or 0.0
    if run.updates_only:
        gates.append(judge.skip(names[0], thresholds[0], _UPDATES_ONLY.format(updated=run.updated)))
    elif base <= 0:
        gates.append(judge.skip(names[0], thresholds[0], f"the last {n} runs archived nothing to compare with"))
    else:
        ratio = run.yield_per_day / base
        gates.append(judge.gate(
            names[0], ratio, checks.min_yield_ratio, ratio < checks.min_yield_ratio,
            f"{run.yield_per_day:.2f} articles/day is {ratio:.0%} of the median {base:.2f}/day of the last {n} "
            f"runs (minimum {checks.min_yield_ratio:.0%})"))
    residue, base_residue = run.residue_rate, _median([h.residue_rate for h in history])
    unit = "of lines" if run.lines is not None else "lines per article"
    if residue is None or not base_residue:
        gates.append(judge.skip(names[1], thresholds[1], "no articles, or no residue in the history, to compare"))
    else:
        factor = checks.max_residue_factor
        ratio = residue / base_residue
        gates.append(judge.gate(
            names[1], ratio, factor, not (1 / factor <= ratio <= factor),
            f"residue {residue:.3g} {unit} is {ratio:.2f}x the median {base_residue:.3g} of the last {n} runs "
            f"(allowed {1 / factor:.2f}x to {factor:.2f}x): a change of page layout shows here"))
    words, base_words = run.mean_words, _median([h.mean_words for h in history])
    if words is None or not base_words:
        gates.append(judge.skip(names[2], thresholds[2], "no articles, or no text in the history, to compare"))
    else:
        ratio = words / base_words
        gates.append(judge.gate(
            names[2], ratio, checks.min_text_length_ratio, ratio < checks.min_text_length_ratio,
            f"mean text {words:.0f} words is {ratio:.0%} of the median {base_words:.0f} of the last {n} runs "
            f"(minimum {checks.min_text_length_ratio:.0%})"))
    return gates


def _share_gate(judge: _Judge, name: str, part: int, whole: int, limit: float, what: str) -> Gate:
    share = part / whole if whole else 0.0
    return judge.gate(name, share, limit, share > limit, f"{part} of {whole} {what} ({share:.0%}, at most {limit:.0%})")


def _paywalled_gate(judge: _Judge, checks: Checks, run: RunMetrics, history: list[RunMetrics]) -> Gate:
    """The share of paywalled and metered articles against the median of the recent runs: a jump means the
    site put up (or tightened) a paywall, and the archive now holds teasers where it held whole texts."""
    name, limit = "paywalled_vs_history", checks.max_paywalled_jump
    if len(history) < checks.min_history_runs:
        return judge.skip(name, limit, f"needs {checks.min_history_runs} earlier successful runs, has {len(history)}")
    share = run.non_free_share
    if share is None:
        return judge.skip(name, limit, "no articles to measure")
    base = _median([h.non_free_share for h in history]) or 0.0
    jump = share - base
    return judge.gate(
        name, jump, limit, jump > limit,
        f"{run.non_free} of {run.articles} articles paywalled or metered ({share:.0%}), {jump:+.0%} against the "
        f"median {base:.0%} of the last {len(history)} runs (at most {limit:+.0%})")


def _min_articles(judge: _Judge, checks: Checks, run: RunMetrics) -> Gate:
    """At least min_articles articles of the window archived; a day of updates only is skipped, not failed."""
    if run.updates_only and checks.min_articles > 0:
        return judge.skip("min_articles", checks.min_articles, _UPDATES_ONLY.format(updated=run.updated))
    return judge.gate(
        "min_articles", run.in_window, checks.min_articles, run.in_window < checks.min_articles,
        f"{run.in_window} articles archived"
        + (f" ({run.articles} by this run, the rest by earlier runs)" if run.articles < run.in_window else "")
        + (f" (and {run.updated} archived articles updated)" if run.updated else "")
        + f", at least {checks.min_articles} expected"
        + (": the site yielded nothing" if run.in_window == 0 else ""))


def evaluate(checks: Checks, languages: tuple[str, ...], run: RunMetrics, history: list[RunMetrics]) -> list[Gate]:
    """Every gate of GATE_NAMES for one run, in that order."""
    judge = _Judge(checks)
    gates = [_min_articles(judge, checks, run)]
    history_gates = _history_gates(judge, checks, run, history)
    gates.append(history_gates[0])
    gates.append(_share_gate(judge, "rejected_share", run.rejected, run.responses, checks.max_rejected_share,
                             "article pages rejected"))
    if languages:
        gates.append(_share_gate(judge, "foreign_language_share", run.foreign_language, run.articles,
                                 checks.max_foreign_language_share, f"articles not in {'/'.join(languages)}"))
    else:
        gates.append(judge.skip("foreign_language_share", checks.max_foreign_language_share,
                                "the site lists no languages"))
    gates.extend(history_gates[1:])
    gates.append(_share_gate(judge, "fetch_error_rate", run.fetch_errors, run.requests, checks.max_fetch_error_rate,
                             "requests failed"))
    gates.append(_share_gate(judge, "duplicate_share", run.duplicates, run.articles + run.duplicates,
                             checks.max_duplicate_share, "pages were duplicates"))
    gates.append(_paywalled_gate(judge, checks, run, history))
    assert tuple(g.name for g in gates) == GATE_NAMES, "GATE_NAMES and evaluate() disagree"
    return gates
