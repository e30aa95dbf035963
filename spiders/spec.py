"""The crawl spec (SPEC.json from the pipeline): the site's config (the one site model, newsarchive.pipeline.sites) plus
the window, what the archive already holds, and the user agent.

The pipeline writes it with `spec_document` (the site serialised by its model) after checking that
`parse_spec` accepts it, so a site that loads is a spec the spider accepts, and the spider validates the
same fields with the same rules as `newsarchive sites`:

    {"site": "<id>", "config": {<SiteConfig>}, "start": "<ISO instant>", "end": "<ISO instant>",
     "user_agent": "...", "skip_urls": [...], "archived": {"<url>": "<ISO date or instant>"},
     "allowed_domains": [...]}                               (the last four optional)

Hand-written specs (tests, benchmarks) may use the flat shorthand, the config's fields at the top level:
"site", "base_url", "timezone", the [discovery] keys, "politeness" (its five switches) and
"max_response_bytes", "timeout_s", "max_pages", "max_discovery_pages"; errors then name the flat field.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from newsarchive.instants import Window, parse_instant
from newsarchive.pipeline.siteerrors import ConfigError, field_problem, problems
from newsarchive.pipeline.sitefields import Text, check_http_url, check_nonblank, check_site_id, compile_pattern, shown
from newsarchive.pipeline.sites import Politeness, SiteConfig, Updates
from spiders.incremental import ArchivedCopy, parse_archived
from spiders.urls import PathPattern

DEFAULT_USER_AGENT = "newsarchive/0.1 (+https://github.com/newsarchive/newsarchive)"
# A longer window is almost certainly a mistake (and would expand a date archive into thousands of pages).
MAX_WINDOW_DAYS = 366
# The crawl budgets' defaults, as the site model sets them (articles and discovery are budgeted apart).
DEFAULT_MAX_PAGES: int = Politeness.model_fields["max_pages"].default
DEFAULT_MAX_DISCOVERY_PAGES: int = Politeness.model_fields["max_discovery_pages"].default

# The flat shorthand: each top-level key and where it lives in the spec ("config.<table>.<key>" or itself).
_FLAT_DISCOVERY = ("feeds", "sitemaps", "sections", "date_archive", "article_allow", "article_deny",
                   "max_section_pages")
_FLAT_POLITENESS = ("max_response_bytes", "timeout_s", "max_pages", "max_discovery_pages")
FLAT_FIELDS = frozenset({"site", "base_url", "timezone", "politeness", "updates", "start", "end", "user_agent",
                         "skip_urls",
                         "allowed_domains", "archived", *_FLAT_DISCOVERY, *_FLAT_POLITENESS})


class SpecError(ConfigError):
    """The spec is unusable; the message names the offending field."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"spec field {field!r}: {problem}")


def _instant(value: Any) -> datetime:
    """An ISO 8601 instant with its UTC offset (a naive bound or a bare date is ambiguous: which zone?)."""
    if isinstance(value, str):
        try:
            return parse_instant(value, bare=None, naive=None)
        except ValueError as exc:
            raise ValueError(f"{exc} (an ISO 8601 date-time with its UTC offset)") from None
    if not isinstance(value, datetime):
        raise ValueError(f"expected an ISO 8601 datetime, got {shown(value)}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"must carry a UTC offset, got {shown(value.isoformat())}")
    return value


def _domain(domain: str) -> str:
    if not domain or "/" in domain or ":" in domain or domain != domain.strip():
        raise ValueError(f"must be a bare host name, got {shown(domain)}")
    return domain.lower()


Instant = Annotated[datetime, BeforeValidator(_instant)]
NonBlank = Annotated[Text, AfterValidator(check_nonblank)]


class CrawlSpec(BaseModel):
    """One crawl: a site's config, a window [start, end), and what the archive already holds.

    The attributes the spider reads (base_url, feeds, article_allow, politeness, timeout_s...) are the
    config's, under the names they have always had here; URLs are absolute, patterns compiled (RE2).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True)

    site: Annotated[Text, AfterValidator(check_site_id)] = Field(description="the site's id (config.id)")
    config: SiteConfig
    start: Instant
    end: Instant
    user_agent: NonBlank = DEFAULT_USER_AGENT
    skip_urls: frozenset[NonBlank] = frozenset()
    domains: tuple[Annotated[Text, AfterValidator(_domain)], ...] = Field((), alias="allowed_domains")
    # Articles already in the archive: URL -> the copy (its latest modified-or-published time, publication,
    # id, fetch time and response validators; see spiders.incremental).
    archived: tuple[tuple[str, ArchivedCopy], ...] = ()

    @field_validator("archived", mode="plain")
    @classmethod
    def _archived(cls, value: Any, info: ValidationInfo) -> tuple[tuple[str, ArchivedCopy], ...]:
        """{"<url>": "<ISO time>" | {"time": ..., "published": ..., "id": ..., "fetched_at": ..., "etag": ...,
        "last_modified": ...}}: what the archive holds, how recent its copy is, how to ask for changes."""
        if value is None:
            return ()
        if not isinstance(value, Mapping):
            raise ValueError(f"must be an object of URL -> ISO 8601 time (or copy), got {type(value).__name__}")
        config = info.data.get("config")
        tz = ZoneInfo(config.timezone) if isinstance(config, SiteConfig) else ZoneInfo("UTC")
        found = []
        for url, when in value.items():
            name = f"[{url!r}]"
            try:
                check_http_url(str(url))
            except ValueError as exc:
                raise field_problem(name, str(exc)) from None
            try:
                found.append((str(url), parse_archived(when, tz)))
            except ValueError as exc:
                raise field_problem(name, str(exc)) from None
        return tuple(found)

    @field_serializer("archived")
    def _archived_json(self, archived: tuple[tuple[str, ArchivedCopy], ...]) -> dict[str, Any]:
        return {url: copy.to_json() for url, copy in archived}

    @model_validator(mode="after")
    def _window_and_site(self) -> CrawlSpec:
        if self.end <= self.start:
            raise field_problem("end", f"must be after start ({self.start.isoformat()})")
        if self.end - self.start > timedelta(days=MAX_WINDOW_DAYS):
            raise field_problem("end", f"window longer than {MAX_WINDOW_DAYS} days")
        if self.site != self.config.id:
            raise field_problem("site", f"{self.site!r} is not the config's id {self.config.id!r}")
        return self

    # -- the spider's view --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The site's base URL."""
        return self.config.base_url

    @property
    def allowed_domains(self) -> tuple[str, ...]:
        """Host names the spider may request: the spec's list, else the base URL's host."""
        return self.domains or self.config.allowed_domains

    @property
    def feeds(self) -> tuple[str, ...]:
        """Feed URLs (absolute)."""
        return self.config.discovery.feeds

    @property
    def sitemaps(self) -> tuple[str, ...]:
        """Sitemap URLs (absolute)."""
        return self.config.discovery.sitemaps

    @property
    def sections(self) -> tuple[str, ...]:
        """Section (listing) page URLs (absolute)."""
        return self.config.discovery.sections

    @property
    def date_archive(self) -> str | None:
        """The date-archive URL template (absolute), if any."""
        return self.config.discovery.date_archive

    @property
    def max_section_pages(self) -> int:
        """Listing pages followed per section."""
        return self.config.discovery.max_section_pages

    @functools.cached_property
    def article_allow(self) -> tuple[PathPattern, ...]:
        """The article patterns, compiled for linear-time search (RE2)."""
        return tuple(compile_pattern(p) for p in self.config.discovery.article_allow)

    @functools.cached_property
    def article_deny(self) -> tuple[PathPattern, ...]:
        """The non-article patterns, compiled for linear-time search (RE2)."""
        return tuple(compile_pattern(p) for p in self.config.discovery.article_deny)

    @functools.cached_property
    def timezone(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(self.config.timezone)

    @property
    def politeness(self) -> Politeness:
        """robots.txt, delay, concurrency, AutoThrottle, private addresses (and the limits below)."""
        return self.config.politeness

    @property
    def updates(self) -> Updates:
        """Re-checking archived articles: lookback, revisit ages and budget."""
        return self.config.updates

    @property
    def max_response_bytes(self) -> int:
        """Larger responses are dropped."""
        return self.config.politeness.max_response_bytes

    @property
    def timeout_s(self) -> float:
        """Seconds to wait for a response."""
        return self.config.politeness.timeout_s

    @property
    def max_pages(self) -> int:
        """Article requests per crawl, at most."""
        return self.config.politeness.max_pages

    @property
    def max_discovery_pages(self) -> int:
        """Discovery requests (feeds, sitemaps, sections, date archives) per crawl, at most."""
        return self.config.politeness.max_discovery_pages

    def date_archive_urls(self) -> tuple[str, ...]:
        """The date-archive template expanded for every local day the window touches (empty without one)."""
        if self.date_archive is None:
            return ()
        return expand_date_archive(self.date_archive, self.window.days(self.timezone))

    @property
    def window(self) -> Window:
        """The crawl window [start, end)."""
        return Window(self.start, self.end)


def expand_date_archive(template: str, days: tuple[date, ...]) -> tuple[str, ...]:
    """Fill {yyyy} {mm} {dd} for each day; duplicates (a monthly template) are dropped, order kept."""
    urls: dict[str, None] = {}
    for day in days:
        url = (template.replace("{yyyy}", f"{day.year:04d}").replace("{mm}", f"{day.month:02d}")
               .replace("{dd}", f"{day.day:02d}"))
        urls[url] = None
    return tuple(urls)


def spec_document(site: SiteConfig, start: datetime, end: datetime, user_agent: str,
                  skip_urls: tuple[str, ...] = (), archived: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document of a crawl (the site serialised by its model), checked with the spider's own parser:
    a SpecError here (a window too long...) is a config error before any process starts."""
    document = {
        "site": site.id,
        "config": site.model_dump(mode="json"),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "user_agent": user_agent,
        "skip_urls": list(skip_urls),
        "archived": dict(sorted((archived or {}).items())),
    }
    parse_spec(json.loads(json.dumps(document)))  # exactly what the spider will read
    return document


def load_spec(path: str | Path) -> CrawlSpec:
    """Read and validate SPEC.json; raise SpecError (field named) for any problem, OSError if unreadable."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError("<document>", f"not valid JSON ({exc})") from exc
    except RecursionError:
        raise SpecError("<document>", "not valid JSON (nested too deeply)") from None
    return parse_spec(data)


def parse_spec(data: Any) -> CrawlSpec:
    """Validate a decoded spec mapping (the pipeline's form or the flat shorthand) into a CrawlSpec."""
    if not isinstance(data, Mapping):
        raise SpecError("<document>", f"must be a JSON object, got {type(data).__name__}")
    flat = "config" not in data
    if flat:
        unknown = sorted(set(data) - FLAT_FIELDS)
        if unknown:
            raise SpecError(unknown[0], f"unknown field (known: {', '.join(sorted(FLAT_FIELDS))})")
        data = _nest(data)
    try:
        return CrawlSpec.model_validate(data)
    except ValidationError as exc:
        field, problem = problems(exc, CrawlSpec)[0]
        raise SpecError(_flat_name(field) if flat else field, problem) from None


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """The flat shorthand as the pipeline's form: config fields moved under "config"."""
    config: dict[str, Any] = {key: flat[key] for key in ("base_url", "timezone") if key in flat}
    if "site" in flat:
        config["id"] = config["name"] = flat["site"]
    config["discovery"] = {key: flat[key] for key in _FLAT_DISCOVERY if key in flat and flat[key] is not None}
    politeness = flat.get("politeness", {})
    if isinstance(politeness, Mapping):
        politeness = {**politeness, **{key: flat[key] for key in _FLAT_POLITENESS if key in flat}}
    config["politeness"] = politeness
    if "updates" in flat:
        config["updates"] = flat["updates"]
    spec = {key: flat[key] for key in ("site", "start", "end", "user_agent", "skip_urls", "allowed_domains",
                                       "archived") if key in flat}
    return {**spec, "config": config}


def _flat_name(field: str) -> str:
    """A field of the pipeline's form named as in the flat shorthand ("config.discovery.feeds[0]" -> "feeds[0]")."""
    for prefix in ("config.discovery.", "config."):
        if field.startswith(prefix):
            rest = field[len(prefix):]
            if prefix == "config." and rest.split(".")[0].split("[")[0] in ("id", "name"):
                return "site"
            if rest.startswith("politeness.") and rest[len("politeness."):] in _FLAT_POLITENESS:
                return rest[len("politeness."):]
            return rest
    return field

