"""The run report: what the check stage writes for a window (``reports/site=S/<window>.json``) and hands on.

One frozen type, two JSON forms: ``to_json()`` is the stored document (with the window's article keys), and
``to_xcom()`` the summary the check task returns and the alerts and the Asset event read (without the key list,
with the report's own key). ``from_xcom()`` reads either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from newsarchive.instants import Window
from newsarchive.pipeline.gates import Gate
from newsarchive.pipeline.results import (
    CrawlCounts,
    ExtractCounts,
    XCom,
    as_float,
    as_int,
    as_keys,
    as_mapping,
    as_seconds,
    as_str,
    as_tally,
)


@dataclass(frozen=True)
class CrawlSection:
    """The report's crawl part: the latest attempt's WARC and numbers keys, its counts and its time."""

    warc_key: str | None = None
    stats_key: str | None = None
    counts: CrawlCounts = field(default_factory=CrawlCounts)
    duration_s: float | None = None

    def to_xcom(self) -> XCom:
        """The JSON object."""
        return {"warc_key": self.warc_key, "stats_key": self.stats_key, "counts": self.counts.to_xcom(),
                "duration_s": self.duration_s}

    @classmethod
    def from_xcom(cls, data: Mapping[str, object]) -> CrawlSection:
        """The inverse of to_xcom."""
        warc, stats = data.get("warc_key"), data.get("stats_key")
        return cls(warc_key=None if warc is None else as_str(warc), stats_key=None if stats is None else as_str(stats),
                   counts=CrawlCounts.from_xcom(as_mapping(data.get("counts"))),
                   duration_s=as_seconds(data.get("duration_s")))


@dataclass(frozen=True)
class ExtractSection:
    """The report's extract part: counts, what each rejection reason means, the index and bundle keys, time."""

    counts: ExtractCounts = field(default_factory=ExtractCounts)
    legend: dict[str, str] = field(default_factory=dict)
    index_keys: tuple[str, ...] = ()
    bundle_keys: tuple[str, ...] = ()
    duration_s: float | None = None

    def to_xcom(self) -> XCom:
        """The JSON object."""
        return {"counts": self.counts.to_xcom(), "legend": dict(self.legend), "index_keys": list(self.index_keys),
                "bundle_keys": list(self.bundle_keys), "duration_s": self.duration_s}

    @classmethod
    def from_xcom(cls, data: Mapping[str, object]) -> ExtractSection:
        """The inverse of to_xcom."""
        return cls(counts=ExtractCounts.from_xcom(as_mapping(data.get("counts"))),
                   legend={str(k): str(v) for k, v in as_mapping(data.get("legend")).items()},
                   index_keys=as_keys(data.get("index_keys")), bundle_keys=as_keys(data.get("bundle_keys")),
                   duration_s=as_seconds(data.get("duration_s")))


def _gate(data: object) -> Gate:
    found = as_mapping(data)
    return Gate(name=as_str(found["name"]), value=as_seconds(found.get("value")),
                threshold=as_float(found["threshold"]), status=as_str(found["status"]),
                message=str(found.get("message", "")), hard=bool(found.get("hard", False)))


@dataclass(frozen=True)
class RunReport:
    """Everything a reader needs to trust (or distrust) a window's archive; the check stage's result."""

    site: str
    window: Window
    status: str  # ok | failed
    generated_at: str
    crawl: CrawlSection
    extract: ExtractSection
    gates: tuple[Gate, ...]
    failed_gates: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # The window's articles in the archive (this run's and earlier runs'), and how many this run wrote
    # (updates of earlier articles included: those are counted apart in ``updates``).
    articles: int = 0
    article_keys: tuple[str, ...] = ()
    articles_written: int = 0
    updates: dict[str, int] = field(default_factory=dict)
    report_key: str = ""  # where it is stored (in the summary, not in the stored document)

    def to_json(self) -> XCom:
        """The stored document."""
        return {
            "site": self.site, "window": self.window.to_json(), "status": self.status,
            "failed_gates": list(self.failed_gates), "warnings": list(self.warnings),
            "generated_at": self.generated_at, "crawl": self.crawl.to_xcom(), "extract": self.extract.to_xcom(),
            "articles": self.articles, "article_keys": list(self.article_keys),
            "articles_written": self.articles_written, "updates": dict(self.updates),
            "gates": [asdict(g) for g in self.gates],
        }

    def to_xcom(self) -> XCom:
        """The summary: the document without its key list (small enough for XCom and Asset extras), plus
        where it is stored."""
        summary = {k: v for k, v in self.to_json().items() if k != "article_keys"}
        summary["report_key"] = self.report_key
        return summary

    @classmethod
    def from_xcom(cls, data: Mapping[str, object]) -> RunReport:
        """A stored document or a summary (TypeError, KeyError or ValueError for something else)."""
        gates = data.get("gates") or []
        if not isinstance(gates, list):
            raise TypeError(f"expected a list of gates, got {gates!r}")
        return cls(
            site=as_str(data["site"]), window=Window.from_json(as_mapping(data["window"])),
            status=as_str(data["status"]), generated_at=str(data.get("generated_at", "")),
            crawl=CrawlSection.from_xcom(as_mapping(data.get("crawl"))),
            extract=ExtractSection.from_xcom(as_mapping(data.get("extract"))), gates=tuple(_gate(g) for g in gates),
            failed_gates=as_keys(data.get("failed_gates")), warnings=as_keys(data.get("warnings")),
            articles=as_int(data.get("articles", 0)), article_keys=as_keys(data.get("article_keys")),
            articles_written=as_int(data.get("articles_written", 0)), updates=as_tally(data.get("updates")),
            report_key=str(data.get("report_key", "")),
        )
