"""The crawl spec (SPEC.json from the pipeline): parsed into frozen dataclasses, validated field by field."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from spiders.dates import DateHint, parse_date

# Defaults for optional fields; the pipeline normally writes every field.
DEFAULT_USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)"
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_PAGES = 5000  # article requests
DEFAULT_MAX_DISCOVERY_PAGES = 1000  # feed, sitemap, section and date-archive requests (a year of daily archives fits)
DEFAULT_MAX_SECTION_PAGES = 5
# A longer window is almost certainly a mistake (and would expand a date archive into thousands of pages).
MAX_WINDOW_DAYS = 366

TOP_LEVEL_FIELDS = frozenset({
    "site", "base_url", "allowed_domains", "start", "end", "feeds", "sitemaps", "sections", "date_archive",
    "article_allow", "article_deny", "max_section_pages", "timezone", "politeness", "user_agent", "skip_urls",
    "max_response_bytes", "timeout_s", "max_pages", "max_discovery_pages", "archived",
})
POLITENESS_FIELDS = frozenset({
    "obey_robots", "download_delay", "concurrency", "autothrottle", "allow_private_addresses",
})


class SpecError(ValueError):
    """The spec is unusable; the message names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"spec field {field!r}: {problem}")


@dataclass(frozen=True)
class Politeness:
    """How gently to crawl: robots.txt, delays, concurrency, and whether private addresses may be fetched."""

    obey_robots: bool = True
    download_delay: float = 1.0
    concurrency: int = 2
    autothrottle: bool = True
    allow_private_addresses: bool = False


@dataclass(frozen=True)
class CrawlSpec:
    """One crawl: a site, a window [start, end) and where to discover its articles. URLs are absolute."""

    site: str
    base_url: str
    allowed_domains: tuple[str, ...]
    start: datetime
    end: datetime
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    sections: tuple[str, ...]
    date_archive: str | None
    article_allow: tuple[re.Pattern[str], ...]
    article_deny: tuple[re.Pattern[str], ...]
    max_section_pages: int
    timezone: ZoneInfo
    politeness: Politeness
    user_agent: str
    skip_urls: frozenset[str]
    max_response_bytes: int
    timeout_s: float
    max_pages: int  # budget of article requests
    # Articles already in the archive: URL -> the latest modified (else published) time known for it.
    archived: tuple[tuple[str, DateHint], ...] = ()
    # Budget of discovery requests (feeds, sitemaps, sections, date archives), apart from the articles'.
    max_discovery_pages: int = DEFAULT_MAX_DISCOVERY_PAGES

    def date_archive_urls(self) -> tuple[str, ...]:
        """The date-archive template expanded for every local day the window touches (empty without one)."""
        if self.date_archive is None:
            return ()
        return expand_date_archive(self.date_archive, window_days(self.start, self.end, self.timezone))


def window_days(start: datetime, end: datetime, tz: tzinfo) -> tuple[date, ...]:
    """The calendar days (in tz) that [start, end) overlaps, in order."""
    first = start.astimezone(tz).date()
    # end is exclusive: the last instant inside the window decides the last day.
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return tuple(first + timedelta(days=i) for i in range((last - first).days + 1))


def expand_date_archive(template: str, days: tuple[date, ...]) -> tuple[str, ...]:
    """Fill {yyyy} {mm} {dd} for each day; duplicates (a monthly template) are dropped, order kept."""
    urls: dict[str, None] = {}
    for day in days:
        url = (template.replace("{yyyy}", f"{day.year:04d}").replace("{mm}", f"{day.month:02d}")
               .replace("{dd}", f"{day.day:02d}"))
        urls[url] = None
    return tuple(urls)


def load_spec(path: str | Path) -> CrawlSpec:
    """Read and validate SPEC.json; raise SpecError (field named) for any problem, OSError if unreadable."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError("<document>", f"not valid JSON ({exc})") from exc
    return parse_spec(data)


def parse_spec(data: Any) -> CrawlSpec:
    """Validate a decoded spec mapping into a CrawlSpec (relative URLs are joined to base_url)."""
    if not isinstance(data, Mapping):
        raise SpecError("<document>", f"must be a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - TOP_LEVEL_FIELDS)
    if unknown:
        raise SpecError(unknown[0], f"unknown field (known: {', '.join(sorted(TOP_LEVEL_FIELDS))})")
    site = _string(data, "site")
    base_url = _http_url("base_url", _string(data, "base_url"))
    start, end = _datetime(data, "start"), _datetime(data, "end")
    if end <= start:
        raise SpecError("end", f"must be after start ({start.isoformat()})")
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise SpecError("end", f"window longer than {MAX_WINDOW_DAYS} days")
    domains = _strings(data, "allowed_domains", default=())
    for i, domain in enumerate(domains):
        if "/" in domain or ":" in domain or not domain:
            raise SpecError(f"allowed_domains[{i}]", f"must be a bare host name, got {domain!r}")
    if not domains:
        domains = (urlsplit(base_url).hostname or "",)
    timezone = _timezone(data)
    return CrawlSpec(
        site=site,
        base_url=base_url,
        allowed_domains=tuple(d.lower() for d in domains),
        start=start,
        end=end,
        feeds=_urls(data, "feeds", base_url),
        sitemaps=_urls(data, "sitemaps", base_url),
        sections=_urls(data, "sections", base_url),
        date_archive=_date_archive(data, base_url),
        article_allow=_patterns(data, "article_allow", required=True),
        article_deny=_patterns(data, "article_deny", required=False),
        max_section_pages=_int(data, "max_section_pages", DEFAULT_MAX_SECTION_PAGES, minimum=1),
        timezone=timezone,
        politeness=_politeness(data.get("politeness", {})),
        user_agent=_string(data, "user_agent", DEFAULT_USER_AGENT),
        skip_urls=frozenset(_strings(data, "skip_urls", default=())),
        max_response_bytes=_int(data, "max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES, minimum=1),
        timeout_s=_number(data, "timeout_s", DEFAULT_TIMEOUT_S, positive=True),
        max_pages=_int(data, "max_pages", DEFAULT_MAX_PAGES, minimum=1),
        max_discovery_pages=_int(data, "max_discovery_pages", DEFAULT_MAX_DISCOVERY_PAGES, minimum=1),
        archived=_archived(data, timezone),
    )


def _politeness(raw: Any) -> Politeness:
    if not isinstance(raw, Mapping):
        raise SpecError("politeness", f"must be an object, got {type(raw).__name__}")
    unknown = sorted(set(raw) - POLITENESS_FIELDS)
    if unknown:
        raise SpecError(f"politeness.{unknown[0]}", "unknown field")
    d = Politeness()
    return Politeness(
        obey_robots=_bool(raw, "obey_robots", d.obey_robots, prefix="politeness."),
        download_delay=_number(raw, "download_delay", d.download_delay, prefix="politeness."),
        concurrency=_int(raw, "concurrency", d.concurrency, minimum=1, prefix="politeness."),
        autothrottle=_bool(raw, "autothrottle", d.autothrottle, prefix="politeness."),
        allow_private_addresses=_bool(raw, "allow_private_addresses", d.allow_private_addresses,
                                      prefix="politeness."),
    )


_MISSING: Any = object()


def _get(data: Mapping[str, Any], key: str, default: Any, prefix: str = "") -> Any:
    value = data.get(key, _MISSING)
    if value is _MISSING or (value is None and default is not _MISSING):
        if default is _MISSING:
            raise SpecError(prefix + key, "is required")
        return default
    return value


def _string(data: Mapping[str, Any], key: str, default: Any = _MISSING) -> str:
    value = _get(data, key, default)
    if not isinstance(value, str) or not value.strip():
        raise SpecError(key, f"must be a non-empty string, got {value!r}")
    return value.strip()


def _strings(data: Mapping[str, Any], key: str, default: Any = _MISSING) -> tuple[str, ...]:
    value = _get(data, key, default)
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise SpecError(key, f"must be a list of strings, got {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise SpecError(f"{key}[{i}]", f"must be a non-empty string, got {item!r}")
    return tuple(item.strip() for item in value)


def _bool(data: Mapping[str, Any], key: str, default: Any = _MISSING, prefix: str = "") -> bool:
    value = _get(data, key, default, prefix)
    if not isinstance(value, bool):
        raise SpecError(prefix + key, f"must be true or false, got {value!r}")
    return value


def _int(data: Mapping[str, Any], key: str, default: Any, minimum: int, prefix: str = "") -> int:
    value = _get(data, key, default, prefix)
    # bool is an int subclass: `true` is not a page count.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise SpecError(prefix + key, f"must be an integer >= {minimum}, got {value!r}")
    return value


def _number(data: Mapping[str, Any], key: str, default: Any, positive: bool = False,
            prefix: str = "") -> float:
    value = _get(data, key, default, prefix)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise SpecError(prefix + key, f"must be a number {bound}, got {value!r}")
    return float(value)


def _datetime(data: Mapping[str, Any], key: str) -> datetime:
    text = _string(data, key)
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SpecError(key, f"not an ISO 8601 datetime: {text!r}") from exc
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive bound is ambiguous (which timezone?); windows are instants.
        raise SpecError(key, f"must carry a UTC offset, got {text!r}")
    return value


def _timezone(data: Mapping[str, Any]) -> ZoneInfo:
    name = _string(data, "timezone", "UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SpecError("timezone", f"unknown IANA timezone {name!r}") from exc


def _http_url(field: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SpecError(field, f"must be an absolute http(s) URL, got {url!r}")
    return url


def _urls(data: Mapping[str, Any], key: str, base_url: str) -> tuple[str, ...]:
    urls = []
    for i, item in enumerate(_strings(data, key, default=())):
        urls.append(_http_url(f"{key}[{i}]", urljoin(base_url, item)))
    return tuple(urls)


def _date_archive(data: Mapping[str, Any], base_url: str) -> str | None:
    value = data.get("date_archive")
    if value is None:
        return None
    if not isinstance(value, str) or "{yyyy}" not in value:
        raise SpecError("date_archive", f"must be null or a URL template containing {{yyyy}}, got {value!r}")
    url = urljoin(base_url, value)
    _http_url("date_archive", url.replace("{", "").replace("}", ""))
    return url


def _archived(data: Mapping[str, Any], tz: ZoneInfo) -> tuple[tuple[str, DateHint], ...]:
    """{"<url>": "<ISO instant or date>"}: what the archive holds, and how recent its copy is."""
    value = data.get("archived") or {}
    if not isinstance(value, Mapping):
        raise SpecError("archived", f"must be an object of URL -> ISO 8601 time, got {type(value).__name__}")
    found = []
    for url, when in value.items():
        field = f"archived[{url!r}]"
        _http_url(field, str(url))
        hint = parse_date(when, "archived", tz) if isinstance(when, str) else None
        if hint is None:
            raise SpecError(field, f"must be an ISO 8601 date or instant, got {when!r}")
        found.append((str(url), hint))
    return tuple(found)


def _patterns(data: Mapping[str, Any], key: str, required: bool) -> tuple[re.Pattern[str], ...]:
    texts = _strings(data, key, default=_MISSING if required else ())
    if required and not texts:
        raise SpecError(key, "needs at least one regular expression (otherwise no link is an article)")
    patterns = []
    for i, text in enumerate(texts):
        try:
            patterns.append(re.compile(text))
        except re.error as exc:
            raise SpecError(f"{key}[{i}]", f"invalid regular expression {text!r}: {exc}") from exc
    return tuple(patterns)
