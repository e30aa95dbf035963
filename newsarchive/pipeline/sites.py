"""Site configurations: one TOML file per news site under sites/, data only, validated by one model.

`SiteConfig` (pydantic) is the only schema of a site: the loader below (used by `newsarchive sites`, the DAG
factory, the plugin and the stages) validates files with it, and the crawl spec the spider reads carries a
SiteConfig too (spiders/spec.py), so the spider accepts exactly the files the loader accepts. Ranges and
defaults live on the fields; docs/sites.md is generated from them (`newsarchive sites --reference`).

Adding a field is one line in its table's class (type, default, range, description), then
`newsarchive sites --reference > docs/sites.md`.

Imported by the DAG files at parse time: stdlib, pydantic (already loaded by the Airflow SDK) and
newsarchive.pipeline.sitefields only.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urljoin, urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from newsarchive.pipeline import sitefields as f
from newsarchive.pipeline.siteerrors import ConfigError, SiteConfigError, UnknownSite, field_problem, problems
from newsarchive.pipeline.sitefields import CRON_PRESETS, SITE_ID_RE, Day, Flag, Integer, Number, Text

if TYPE_CHECKING:
    from pydantic.json_schema import JsonDict

__all__ = [
    "CRON_PRESETS", "GATE_NAMES", "SITE_ID_RE", "Checks", "ConfigError", "Discovery", "Extraction", "Politeness",
    "SiteCatalog", "SiteConfig", "SiteConfigError", "UnknownSite", "Updates", "load_site_file", "load_sites",
    "parse_site",
]

MAX_FILE_BYTES = 1 << 20  # a site file is a few hundred bytes; a bigger one is not a site file

# Every quality gate the check stage evaluates (newsarchive/pipeline/gates.py), in report order.
GATE_NAMES = ("min_articles", "yield_vs_history", "rejected_share", "foreign_language_share",
              "residue_vs_history", "text_length_vs_history", "fetch_error_rate", "duplicate_share",
              "paywalled_vs_history")

UrlRef = Annotated[Text, AfterValidator(f.check_nonblank)]  # absolute, or relative to base_url
Pattern = Annotated[Text, AfterValidator(f.check_pattern)]
XPath = Annotated[Text, AfterValidator(f.check_xpath)]
Duration = Annotated[Text, AfterValidator(f.check_duration)]
DURATIONS: JsonDict = {"allowed": "durations: a whole number and m, h, d or w (30m, 12h, 7d, 2w)"}
Language = Annotated[Text, AfterValidator(f.check_language)]
# What a function-checked field allows, for the reference (numeric ranges come from the constraints).
URLS: JsonDict = {"allowed": "http(s) URLs, absolute or relative to base_url"}
PATTERNS: JsonDict = {"allowed": "RE2 regular expressions"}


class Table(BaseModel):
    """A table of a site file: unknown keys are errors (typos must not pass silently), values immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Discovery(Table):
    """[discovery]: where the spider finds article URLs (absolute URLs, joined to the site's base URL on load)."""

    feeds: tuple[UrlRef, ...] = Field((), description="RSS 2.0, RSS 1.0 or Atom feeds", json_schema_extra=URLS)
    sitemaps: tuple[UrlRef, ...] = Field(
        (), json_schema_extra=URLS,
        description="sitemaps, sitemap indexes, news sitemaps (.xml or .xml.gz); none: robots.txt's Sitemap: lines")
    sections: tuple[UrlRef, ...] = Field(
        (), description="listing pages, followed through rel=next up to max_section_pages", json_schema_extra=URLS)
    date_archive: Annotated[Text, AfterValidator(lambda t: _date_template(t))] | None = Field(
        None, description="URL template of a day's archive page", json_schema_extra={
            "allowed": "a URL with {yyyy} (required), {mm}, {dd}"})
    article_allow: tuple[Pattern, ...] = Field(
        min_length=1, json_schema_extra=PATTERNS,
        description="regular expressions (RE2) searched in a URL's path: which links are articles")
    article_deny: tuple[Pattern, ...] = Field(
        (), description="regular expressions (RE2): links that are never articles", json_schema_extra=PATTERNS)
    max_section_pages: Integer = Field(3, ge=1, le=100, description="listing pages followed per section")


def _date_template(template: str) -> str:
    if "{yyyy}" not in template:
        raise ValueError(f"expected a URL template containing {{yyyy}} (and {{mm}}, {{dd}}), got {f.shown(template)}")
    return template


class Politeness(Table):
    """[politeness]: how gently to crawl: robots.txt, delay, concurrency, AutoThrottle, limits, private addresses."""

    obey_robots: Flag = Field(True, description="obey robots.txt (and its Crawl-delay)")
    download_delay: Number = Field(1.0, ge=0, le=600, description="seconds between requests to the site")
    concurrency: Integer = Field(2, ge=1, le=64, description="requests in flight to the site")
    autothrottle: Flag = Field(True, description="Scrapy's AutoThrottle adapts the delay to the site's latency")
    allow_private_addresses: Flag = Field(
        False, description="allow loopback/private/link-local addresses (test and intranet sites only)")
    max_response_bytes: Integer = Field(
        10 * 1024 * 1024, ge=1, le=1 << 30, description="larger responses (announced or streamed) are dropped")
    timeout_s: Number = Field(30.0, gt=0, le=3600, description="seconds to wait for a response")
    max_pages: Integer = Field(5000, ge=1, le=1_000_000, description="article requests per crawl, at most")
    max_discovery_pages: Integer = Field(
        1000, ge=1, le=1_000_000,
        description="feed, sitemap, section and date-archive requests per crawl, at most (apart from articles)")


class Checks(Table):
    """[checks]: quality-gate thresholds of a run (each gate: [Quality gates](operating.md#quality-gates)).

    History gates compare the run with the median of the site's last `history_runs` successful runs and
    are skipped until `min_history_runs` such runs exist. A breached gate listed in `hard_gates` fails the
    run; any other breached gate is a warning in the report, the task log and the alerts.
    """

    min_articles: Integer = Field(1, ge=0, description="articles archived in the window, at least")
    history_runs: Integer = Field(10, ge=0, le=1000, description="earlier successful runs that form the history")
    min_history_runs: Integer = Field(3, ge=0, le=1000, description="history gates are skipped until this many")
    min_yield_ratio: Number = Field(
        0.25, ge=0, description="articles per day of window, against the history's median")
    max_rejected_share: Number = Field(
        0.5, ge=0, le=1, description="rejected article pages / article responses (redirect hops excluded)")
    max_foreign_language_share: Number = Field(
        0.2, ge=0, le=1, description="articles not in the site's languages / articles")
    max_residue_factor: Number = Field(
        2.0, ge=1, description="residue lines per article within [median / f, median * f] of the history")
    min_text_length_ratio: Number = Field(
        0.5, ge=0, description="mean words per article, against the history's median")
    max_fetch_error_rate: Number = Field(0.3, ge=0, le=1, description="failed requests / requests")
    max_duplicate_share: Number = Field(0.3, ge=0, le=1, description="duplicates / (articles + duplicates)")
    max_paywalled_jump: Number = Field(
        0.25, ge=0, le=1,
        description="paywalled+metered share of articles, at most this above the history's median")
    hard_gates: tuple[Text, ...] = Field(
        ("min_articles", "yield_vs_history"), description="breached gates that fail the run (others warn)",
        json_schema_extra={"allowed": "gate names: " + ", ".join(GATE_NAMES)})

    @field_validator("hard_gates")
    @classmethod
    def _known_gates(cls, gates: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [g for g in gates if g not in GATE_NAMES]
        if unknown:
            raise ValueError(f"unknown gate(s) {unknown} (known: {', '.join(GATE_NAMES)})")
        return gates

    @model_validator(mode="after")
    def _history_covers_minimum(self) -> Checks:
        if self.history_runs < self.min_history_runs:
            raise field_problem("history_runs",
                                f"{self.history_runs} is below min_history_runs {self.min_history_runs}")
        return self


class Extraction(Table):
    """[extraction]: per-site extraction hints."""

    prune_xpaths: tuple[XPath, ...] = Field(
        (), description="XPath expressions whose matches are removed first", json_schema_extra={"allowed": "XPath 1.0"})
    min_words: Integer = Field(40, ge=0, description="bodies with fewer words are rejected as too short")
    max_elements: Integer = Field(
        50_000, ge=1, le=10_000_000, description="pages with more HTML elements are rejected as too complex")
    workers: Integer = Field(
        0, ge=0, le=256,
        description="extract worker processes; 0 = one per usable CPU (NEWSARCHIVE_EXTRACT_WORKERS overrides)")
    page_timeout_s: Number = Field(
        20.0, gt=0, le=3600,
        description="CPU seconds one page may take before it is rejected as too_slow "
                    "(NEWSARCHIVE_EXTRACT_PAGE_TIMEOUT_S overrides)")


class Updates(Table):
    """[updates]: re-checking archived articles for changes, with conditional requests (the ETag and
    Last-Modified of the archived copy: an unchanged page costs a 304 and writes nothing; a changed text
    becomes a new version). An archived article published up to `lookback` before the run's window is
    re-checked when the site reports a modification after the archived copy (sitemap lastmod, feed
    updated, news-sitemap date) in the window or after it: once, by the run of the change; articles whose
    age is one of `revisit_after` are re-checked without any signal (silent edits), at most
    `revisit_budget` per run. Both also spend the `max_pages` budget, after the window's new articles.
    """

    lookback: Duration = Field(
        "90d", json_schema_extra=DURATIONS,
        description="how far before the window (by publication) archived articles are matched against the "
                    "site's modification signals; the crawl reads the index of that span once per run")
    revisit_after: tuple[Duration, ...] = Field(
        (), json_schema_extra=DURATIONS,
        description='ages at which archived articles are re-checked without a signal, e.g. ["1d", "7d"]: '
                    "those published that long before the window")
    revisit_budget: Integer = Field(200, ge=0, le=1_000_000, description="revisit requests per run, at most")

    @field_validator("revisit_after")
    @classmethod
    def _distinct_ages(cls, ages: tuple[str, ...]) -> tuple[str, ...]:
        seen: dict[timedelta, str] = {}
        for age in ages:
            value = f.parse_duration(age)
            if value in seen:
                raise ValueError(f"{age!r} repeats {seen[value]!r}")
            seen[value] = age
        return ages

    @property
    def lookback_delta(self) -> timedelta:
        """lookback as a timedelta."""
        return f.parse_duration(self.lookback)

    @property
    def revisit_ages(self) -> tuple[timedelta, ...]:
        """revisit_after as timedeltas, youngest first."""
        return tuple(sorted(f.parse_duration(age) for age in self.revisit_after))

    @property
    def horizon(self) -> timedelta:
        """How far before the window the archive is read for a crawl: lookback, or the oldest revisit age."""
        return max((self.lookback_delta, *self.revisit_ages))


class SiteConfig(Table):
    """One news site, as read from sites/<id>.toml."""

    id: Annotated[Text, AfterValidator(f.check_site_id)] = Field(
        description="the site's id: object keys (site=<id>) and the DAG id news_<id>",
        json_schema_extra={"allowed": f"`{SITE_ID_RE.pattern}`"})
    name: Annotated[Text, AfterValidator(f.check_nonblank)] = Field(
        description="the site's name, for people", json_schema_extra={"allowed": "not empty"})
    base_url: Annotated[Text, AfterValidator(lambda u: f.check_http_url(f.expand_env(u)))] = Field(
        description="the site's home; ${NEWSARCHIVE_*} variables are expanded (see the rules above)",
        json_schema_extra={"allowed": "an absolute http(s) URL"})
    enabled: Flag = Field(True, description="false: no DAG (the file is still validated)")
    languages: tuple[Language, ...] = Field(
        (), description="the site's languages (the language gate, the fallback when detection is unsure)",
        json_schema_extra={"allowed": "lower-case ISO 639 codes: fr, en, zh-cn"})
    country: Annotated[Text, AfterValidator(f.check_country)] | None = Field(
        None, description="the site's country (a DAG tag)",
        json_schema_extra={"allowed": "lower-case ISO 3166: fr, gb"})
    timezone: Annotated[Text, AfterValidator(f.check_timezone)] = Field(
        "UTC", description="zone of the schedule, of the date= partitions, of dates given without offset",
        json_schema_extra={"allowed": "an IANA name: Europe/Paris"})
    schedule: Annotated[Text, AfterValidator(f.check_schedule)] = Field(
        "@daily", description="when runs are scheduled, in the site's time zone (none: manual runs only)",
        json_schema_extra={"allowed": f"a 5-field cron that fires, or {', '.join(CRON_PRESETS)}"})
    start_date: Day = Field(date(2024, 1, 1), description="first day the schedule covers")
    end_date: Day | None = Field(None, description="no runs scheduled after it (a closed site)")
    owner: Annotated[Text, AfterValidator(f.check_nonblank)] = Field(
        "newsarchive", description="the DAG's owner in Airflow", json_schema_extra={"allowed": "not empty"})
    discovery: Discovery = Field(description="[discovery] table")
    politeness: Politeness = Field(default_factory=Politeness, description="[politeness] table")
    checks: Checks = Field(default_factory=Checks, description="[checks] table")
    extraction: Extraction = Field(default_factory=Extraction, description="[extraction] table")
    updates: Updates = Field(default_factory=Updates, description="[updates] table")

    _path: str = PrivateAttr("")

    @model_validator(mode="before")
    @classmethod
    def _discovery_table(cls, data: Any) -> Any:
        # Without [discovery] the mistake to report is the missing article_allow, not a missing table.
        if isinstance(data, dict) and "discovery" not in data:
            return {**data, "discovery": {}}
        return data

    @field_validator("end_date")
    @classmethod
    def _after_start(cls, end: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start_date")
        if end is not None and start is not None and end <= start:
            raise ValueError(f"must be after start_date ({start.isoformat()})")
        return end

    @field_validator("discovery")
    @classmethod
    def _absolute_urls(cls, discovery: Discovery, info: ValidationInfo) -> Discovery:
        """Join relative discovery URLs to base_url and check what they became (skipped if base_url is bad)."""
        base = info.data.get("base_url")
        if base is None:
            return discovery
        joined: dict[str, Any] = {}
        for key in ("feeds", "sitemaps", "sections"):
            urls = tuple(urljoin(base, u) for u in getattr(discovery, key))
            for i, url in enumerate(urls):
                _check(f"{key}[{i}]", f.check_http_url, url)
            joined[key] = urls
        if discovery.date_archive is not None:
            template = urljoin(base, discovery.date_archive)
            _check("date_archive", f.check_date_archive, template)
            joined["date_archive"] = template
        return discovery.model_copy(update=joined)

    @property
    def path(self) -> str:
        """The file this config was read from ("" when built from a crawl spec)."""
        return self._path

    @property
    def allowed_domains(self) -> tuple[str, ...]:
        """Host names the spider may request: the base URL's host."""
        return ((urlsplit(self.base_url).hostname or "").lower(),)

    @property
    def dag_id(self) -> str:
        """The Airflow DAG id of this site."""
        return f"news_{self.id}"


def _check(name: str, check: Any, value: str) -> None:
    try:
        check(value)
    except ValueError as exc:
        raise field_problem(name, str(exc)) from None


def parse_site(path: Path | str, data: dict[str, Any]) -> SiteConfig:
    """Validate one site's TOML table and build its SiteConfig (raises SiteConfigError naming every mistake)."""
    try:
        site = SiteConfig.model_validate(data)
    except ValidationError as exc:
        found = problems(exc, SiteConfig)
        raise SiteConfigError(path, *found[0], more=found[1:], site_id=_claimed_id(path, data)) from None
    site._path = str(path)
    return site


def _claimed_id(path: Path | str, data: Any) -> str:
    """The site id a (possibly broken) file is about: its id when that is valid, else the file's name."""
    claimed = data.get("id") if isinstance(data, dict) else None
    if isinstance(claimed, str) and SITE_ID_RE.match(claimed):
        return claimed
    return Path(path).stem


def read_site_table(path: Path) -> dict[str, Any]:
    """The TOML table of a site file; a file that cannot be one is a SiteConfigError ((file), (encoding), (syntax))."""
    try:
        if not path.is_file():
            what = "a directory" if path.is_dir() else "not a regular file (or a dangling link)"
            raise SiteConfigError(path, "(file)", f"{what}, not a site file", site_id=path.stem)
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SiteConfigError(path, "(file)", f"larger than {MAX_FILE_BYTES} bytes", site_id=path.stem)
        raw = path.read_bytes()
    except OSError as exc:
        raise SiteConfigError(path, "(file)", f"cannot read it: {exc.strerror or exc}", site_id=path.stem) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SiteConfigError(path, "(encoding)", f"not UTF-8 text: byte {raw[exc.start]:#04x} at offset {exc.start} "
                              "(save the file as UTF-8)", site_id=path.stem) from None
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError, an integer past Python's digit limit, nesting
        raise SiteConfigError(path, "(syntax)", str(exc) or type(exc).__name__, site_id=path.stem) from None


def load_site_file(path: Path | str) -> SiteConfig:
    """Read and validate one sites/*.toml file (raises SiteConfigError)."""
    path = Path(path)
    return parse_site(path, read_site_table(path))


@dataclass(frozen=True)
class SiteCatalog:
    """Every site file in a folder: the valid configs, and the errors of the others (which never block the rest)."""

    sites: tuple[SiteConfig, ...]
    errors: tuple[SiteConfigError, ...]

    def get(self, site_id: str) -> SiteConfig:
        """The site with this id; UnknownSite (a KeyError) naming the broken file when its file has a mistake."""
        for site in self.sites:
            if site.id == site_id:
                return site
        for error in self.errors:
            if error.site_id == site_id:
                raise UnknownSite(f"site {site_id!r} is not usable: {error}", error)
        known = ", ".join(s.id for s in self.sites) or "none"
        raise UnknownSite(f"no site {site_id!r} (known: {known})")

    @property
    def enabled(self) -> tuple[SiteConfig, ...]:
        """The sites that get a DAG."""
        return tuple(s for s in self.sites if s.enabled)


def load_sites(folder: Path) -> SiteCatalog:
    """Load every *.toml in folder (sorted; hidden files skipped); bad files and duplicate ids are reported.

    Nothing one file holds can stop the others from loading: any exception is that file's error.
    """
    sites: list[SiteConfig] = []
    errors: list[SiteConfigError] = []
    seen: dict[str, str] = {}
    try:
        paths = sorted(p for p in Path(folder).glob("*.toml") if not p.name.startswith("."))
    except OSError as exc:
        return SiteCatalog((), (SiteConfigError(folder, "(folder)", f"cannot list it: {exc.strerror or exc}"),))
    for path in paths:
        try:
            site = load_site_file(path)
        except SiteConfigError as exc:
            errors.append(exc)
            continue
        except Exception as exc:  # a bug of ours must not hide every other site: report it as this file's
            errors.append(SiteConfigError(path, "(internal)", f"{type(exc).__name__}: {exc} (please report it)",
                                          site_id=path.stem))
            continue
        if site.id in seen:
            errors.append(SiteConfigError(path, "id", f"duplicate site id {site.id!r} (also in {seen[site.id]})",
                                          site_id=site.id))
            continue
        seen[site.id] = str(path)
        sites.append(site)
    return SiteCatalog(tuple(sites), tuple(errors))
