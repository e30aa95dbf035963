"""What the crawl and extract stages hand on: frozen results with typed counters, and their one XCom form.

Each result has ``to_xcom()`` (a JSON-able dict: what the DAG's tasks pass each other, and what the run report
stores of it) and ``from_xcom()`` (the inverse; lenient with the reports written before a counter existed,
which live in archives: a missing counter reads as 0).

The extract counters' JSON form is flat, one key per counter with the group as a dotted prefix
(``rejected.http_404``, ``versions.updated``, ``access.paywalled``): the names the run reports, the docs and the
operators use. It is written and parsed here only; everything else reads the typed fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from newsarchive.instants import Window

XCom = dict[str, object]  # JSON-able: str, int, float, bool, None, and lists and dicts of them


# -- reading JSON values (reports of any age) ---------------------------------------------------------------

def as_int(value: object) -> int:
    """A count from JSON (TypeError for anything else)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a count, got {value!r}")
    return int(value)


def as_float(value: object) -> float:
    """A number from JSON."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def as_seconds(value: object) -> float | None:
    """A number or null from JSON."""
    return None if value is None else as_float(value)


def as_mapping(value: object) -> Mapping[str, object]:
    """An object from JSON (null reads as empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"expected an object, got {value!r}")
    return value


def as_tally(value: object) -> dict[str, int]:
    """A count by reason (or role, source, language...), from its JSON object."""
    return {str(k): as_int(v) for k, v in as_mapping(value).items()}


def as_keys(value: object) -> tuple[str, ...]:
    """A list of strings from JSON (null reads as empty)."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a list of keys, got {value!r}")
    return tuple(str(v) for v in value)


def as_str(value: object) -> str:
    """A string from JSON."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


# -- crawl ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IncrementalCounts:
    """What the crawl did about the archive's copies: known, skipped as archived, re-checked and why, 304s."""

    archived_known: int = 0
    already_archived: int = 0
    refetched: int = 0  # re-checked: the site reported the article modified
    revisited: int = 0  # re-checked: due for a revisit by age
    conditional: int = 0
    not_modified: int = 0

    @classmethod
    def from_xcom(cls, data: object) -> IncrementalCounts:
        """From the JSON object (missing counters are 0)."""
        found = as_tally(data)
        return cls(**{f.name: found.get(f.name, 0) for f in fields(cls)})

    def to_xcom(self) -> dict[str, int]:
        """The JSON object."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class RetryCounts:
    """The crawl's retries and its waits for Retry-After."""

    count: int = 0
    waits: int = 0
    waited_s: float = 0.0
    retry_after_honoured: int = 0
    retry_after_too_long: int = 0

    @classmethod
    def from_xcom(cls, data: object) -> RetryCounts:
        """From the JSON object (missing counters are 0)."""
        found = as_mapping(data)
        return cls(count=as_int(found.get("count", 0)), waits=as_int(found.get("waits", 0)),
                   waited_s=as_float(found.get("waited_s", 0.0)),
                   retry_after_honoured=as_int(found.get("retry_after_honoured", 0)),
                   retry_after_too_long=as_int(found.get("retry_after_too_long", 0)))

    def to_xcom(self) -> XCom:
        """The JSON object."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class CrawlCounts:
    """The crawl's numbers (the spider's stats without its per-URL list, plus the WARC's size)."""

    candidates: dict[str, int] = field(default_factory=dict)  # by discovery source
    in_window: int = 0
    fetched: dict[str, int] = field(default_factory=dict)  # by role (article, feed, ..., not_modified)
    skipped: dict[str, int] = field(default_factory=dict)  # by reason (already_archived, robots, ...)
    errors: dict[str, int] = field(default_factory=dict)  # by reason
    incremental: IncrementalCounts = field(default_factory=IncrementalCounts)
    retries: RetryCounts = field(default_factory=RetryCounts)
    canonical_aliases: int = 0
    robots_crawl_delay_s: float = 0.0
    warc_records: int = 0
    bytes_received: int = 0
    warc_bytes: int = 0
    spider_duration_s: float | None = None  # the spider's own time ("duration_s" in the stats)

    @property
    def fetch_errors(self) -> int:
        """Requests that failed, all reasons."""
        return sum(self.errors.values())

    @property
    def requests(self) -> int:
        """Requests the crawler completed or gave up on."""
        return sum(self.fetched.values()) + self.fetch_errors

    @classmethod
    def from_stats(cls, stats: Mapping[str, object], warc_bytes: int) -> CrawlCounts:
        """From the spider's stats document (spiders/stats.py) and the size of the WARC it wrote."""
        return cls.from_xcom({**stats, "warc_bytes": warc_bytes})

    @classmethod
    def from_xcom(cls, data: Mapping[str, object]) -> CrawlCounts:
        """From the JSON object (a result's ``counts``, or a stored report's ``crawl.counts``)."""
        return cls(
            candidates=as_tally(data.get("candidates")), in_window=as_int(data.get("in_window", 0)),
            fetched=as_tally(data.get("fetched")), skipped=as_tally(data.get("skipped")),
            errors=as_tally(data.get("errors")), incremental=IncrementalCounts.from_xcom(data.get("incremental")),
            retries=RetryCounts.from_xcom(data.get("retries")),
            canonical_aliases=as_int(data.get("canonical_aliases", 0)),
            robots_crawl_delay_s=as_float(data.get("robots_crawl_delay_s", 0.0)),
            warc_records=as_int(data.get("warc_records", 0)), bytes_received=as_int(data.get("bytes_received", 0)),
            warc_bytes=as_int(data.get("warc_bytes", 0)), spider_duration_s=as_seconds(data.get("duration_s")),
        )

    def to_xcom(self) -> XCom:
        """The JSON object (the shape of the spider's stats, as the run report has always stored it)."""
        return {
            "candidates": dict(self.candidates), "in_window": self.in_window, "fetched": dict(self.fetched),
            "skipped": dict(self.skipped), "errors": dict(self.errors), "incremental": self.incremental.to_xcom(),
            "retries": self.retries.to_xcom(), "canonical_aliases": self.canonical_aliases,
            "robots_crawl_delay_s": self.robots_crawl_delay_s, "warc_records": self.warc_records,
            "bytes_received": self.bytes_received, "warc_bytes": self.warc_bytes,
            "duration_s": self.spider_duration_s,
        }


@dataclass(frozen=True)
class CrawlResult:
    """What the crawl stage hands on: the window, this attempt's WARC and crawl-numbers keys, and counts."""

    site: str
    window: Window
    warc_key: str
    stats_key: str
    counts: CrawlCounts
    attempt: str = ""
    duration_s: float | None = None  # the whole stage, timed by itself

    def to_xcom(self) -> XCom:
        """A small JSON-able dict for XCom."""
        return {"site": self.site, "window": self.window.to_json(), "warc_key": self.warc_key,
                "stats_key": self.stats_key, "counts": self.counts.to_xcom(), "attempt": self.attempt,
                "duration_s": self.duration_s}

    @classmethod
    def from_xcom(cls, data: Mapping[str, object]) -> CrawlResult:
        """The inverse of to_xcom (TypeError, KeyError or ValueError for something else)."""
        return cls(site=as_str(data["site"]), window=Window.from_json(as_mapping(data["window"])),
                   warc_key=as_str(data["warc_key"]), stats_key=as_str(data["stats_key"]),
                   counts=CrawlCounts.from_xcom(as_mapping(data.get("counts"))), attempt=str(data.get("attempt", "")),
                   duration_s=as_seconds(data.get("duration_s")))


# -- extract -------------------------------------------------------------------------------------------------

# The extract counters kept by reason (or outcome, language, access...): their JSON keys are "<group>.<name>".
_GROUPS = ("rejected", "duplicate", "dropped_lines", "language", "access", "versions", "updates")
_SCALARS = ("responses", "redirects", "out_of_window", "warcs", "articles", "articles_in_window", "words",
            "taken_down", "extract_workers", "extract_worker_restarts")


@dataclass(frozen=True)
class ExtractCounts:
    """The extract stage's numbers; every page it did not turn into an article is counted by reason."""

    responses: int = 0  # article-role responses looked at
    redirects: int = 0  # redirect hops (the spider followed them; the target is its own response)
    rejected: dict[str, int] = field(default_factory=dict)  # by reason (extract.REJECTION_REASONS)
    duplicate: dict[str, int] = field(default_factory=dict)  # same_canonical_url, same_text
    out_of_window: int = 0
    dropped_lines: dict[str, int] = field(default_factory=dict)  # residue lines removed, by reason
    language: dict[str, int] = field(default_factory=dict)  # articles by language ("unknown" included)
    access: dict[str, int] = field(default_factory=dict)  # articles by access (free, paywalled, metered...)
    versions: dict[str, int] = field(default_factory=dict)  # writes by outcome: new, unchanged, updated, superseded
    updates: dict[str, int] = field(default_factory=dict)  # archived articles: fetched, moved, not_modified
    taken_down: int = 0
    warcs: int = 0
    articles: int = 0  # written by this run
    articles_in_window: int | None = None  # the window's articles in the archive, earlier runs' too
    words: int = 0
    lines: int | None = None  # text lines kept, where a report counts them
    extract_workers: int = 0
    extract_worker_restarts: int = 0

    @property
    def in_window(self) -> int:
        """The window's articles in the archive (reports from before that counter: this run's)."""
        return self.articles if self.articles_in_window is None else self.articles_in_window

    @property
    def rejected_total(self) -> int:
        """Rejected article pages, every reason (redirect hops included)."""
        return sum(self.rejected.values())

    @property
    def redirect_rejections(self) -> int:
        """Rejections that are redirect hops kept as their own response in the WARC (``http_3xx``)."""
        return sum(v for k, v in self.rejected.items() if k.startswith("http_3"))

    @classmethod
    def from_xcom(cls, data: Mapping[str, object], *, strict: bool = False) -> ExtractCounts:
        """From the flat JSON object (``rejected.http_404``: group, dot, name). ``strict`` (the stage's own
        tally): an unknown counter is a ValueError; otherwise (a stored report) it is ignored."""
        groups: dict[str, dict[str, int]] = {g: {} for g in _GROUPS}
        scalars: dict[str, int] = {}
        lines: int | None = None
        for key, value in data.items():
            group, dot, name = key.partition(".")
            if dot and group in groups:
                groups[group][name] = as_int(value)
            elif key in _SCALARS:
                scalars[key] = as_int(value)
            elif key == "lines":
                lines = None if value is None else as_int(value)
            elif strict:
                raise ValueError(f"unknown extract counter {key!r} (add it to ExtractCounts in {__name__})")
        g = {name: dict(sorted(tally.items())) for name, tally in groups.items()}
        n = scalars.get
        return cls(
            responses=n("responses", 0), redirects=n("redirects", 0), rejected=g["rejected"],
            duplicate=g["duplicate"], out_of_window=n("out_of_window", 0), dropped_lines=g["dropped_lines"],
            language=g["language"], access=g["access"], versions=g["versions"], updates=g["updates"],
            taken_down=n("taken_down", 0), warcs=n("warcs", 0), articles=n("articles", 0),
            articles_in_window=n("articles_in_window"), words=n("words", 0), lines=lines,
            extract_workers=n("extract_workers", 0), extract_worker_restarts=n("extract_worker_restarts", 0),
        )

    def to_xcom(self) -> dict[str, int | None]:
        """The flat JSON object, keys sorted (the run report's ``extract.counts``)."""
        flat: dict[str, int | None] = {}
        for group in _GROUPS:
            flat.update({f"{group}.{name}": n for name, n in getattr(self, group).items()})
        for name in _SCALARS:
            value = getattr(self, name)
            if value is not None:
                flat[name] = value
        if self.lines is not None:
            flat["lines"] = self.lines
        return dict(sorted(flat.items()))


@dataclass(frozen=True)
class ExtractResult:
    """What the extract stage hands on: keys written and counts by reason."""

    site: str
    window: Window
    article_keys: tuple[str, ...]  # written by this run (what downstream consumers are told about)
    index_keys: tuple[str, ...]
    counts: ExtractCounts = field(default_factory=ExtractCounts)
    # Every article of the window in the archive: this run's and those archived by earlier runs.
    window_article_keys: tuple[str, ...] = ()
    duration_s: float | None = None  # the whole stage, timed by itself

    def to_xcom(self) -> XCom:
        """A JSON-able dict for XCom."""
        return {"site": self.site, "window": self.window.to_json(), "article_keys": list(self.article_keys),
                "index_keys": list(self.index_keys), "counts": self.counts.to_xcom(),
                "window_article_keys": list(self.window_article_keys), "duration_s": self.duration_s}

    @classmethod
    def from_xcom(cls, data: Mapping[str, object]) -> ExtractResult:
        """The inverse of to_xcom (results from before window keys existed list the run's articles only)."""
        article_keys = as_keys(data.get("article_keys"))
        window_keys = data.get("window_article_keys")
        return cls(site=as_str(data["site"]), window=Window.from_json(as_mapping(data["window"])),
                   article_keys=article_keys, index_keys=as_keys(data.get("index_keys")),
                   counts=ExtractCounts.from_xcom(as_mapping(data.get("counts"))),
                   window_article_keys=article_keys if window_keys is None else as_keys(window_keys),
                   duration_s=as_seconds(data.get("duration_s")))
