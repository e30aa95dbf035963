"""Site configurations: one TOML file per news site under sites/, data only, validated on load.

Imported by the DAG files at parse time, so it stays light: stdlib only.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SITE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
# Airflow's cron presets; "none" means manual and backfill runs only.
CRON_PRESETS = ("@hourly", "@daily", "@weekly", "@monthly", "@yearly", "none")
CRON_FIELD_RE = re.compile(r"^[\d*/,\-A-Za-z?LW#]+$")
# ${VAR} or ${VAR:-default} in base_url: one config serves several deployments (and the demo's port).
ENV_REF_RE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")


class SiteConfigError(ValueError):
    """A site file is wrong: the message names the file and the field."""

    def __init__(self, path: Path | str, field_name: str, problem: str) -> None:
        super().__init__(f"{path}: {field_name}: {problem}")
        self.path = str(path)
        self.field = field_name
        self.problem = problem


@dataclass(frozen=True)
class Discovery:
    """Where the spider finds article URLs (absolute URLs, joined to the site's base URL on load)."""

    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    date_archive: str | None = None
    article_allow: tuple[str, ...] = ()
    article_deny: tuple[str, ...] = ()
    max_section_pages: int = 3


@dataclass(frozen=True)
class Politeness:
    """How gently to crawl: robots.txt, delay, concurrency, AutoThrottle, private addresses."""

    obey_robots: bool = True
    download_delay: float = 1.0
    concurrency: int = 2
    autothrottle: bool = True
    allow_private_addresses: bool = False
    max_response_bytes: int = 10 * 1024 * 1024
    timeout_s: float = 30.0
    max_pages: int = 5000


# Every quality gate the check stage evaluates (pipeline/gates.py), in report order.
GATE_NAMES = ("min_articles", "yield_vs_history", "rejected_share", "foreign_language_share",
              "residue_vs_history", "text_length_vs_history", "fetch_error_rate", "duplicate_share",
              "paywalled_vs_history")
# Thresholds that are shares of a whole: above 1 they could never be breached, so they are typos.
_SHARE_FIELDS = ("max_rejected_share", "max_foreign_language_share", "max_fetch_error_rate", "max_duplicate_share",
                 "max_paywalled_jump")


@dataclass(frozen=True)
class Checks:
    """Quality-gate thresholds for a run ([checks] in the site file; see docs/operating.md for each gate).

    History gates compare the run with the median of the site's last `history_runs` successful runs and
    are skipped until `min_history_runs` such runs exist. A breached gate listed in `hard_gates` fails the
    run; any other breached gate is a warning in the report, the task log and the alerts.
    """

    min_articles: int = 1
    history_runs: int = 10
    min_history_runs: int = 3
    min_yield_ratio: float = 0.25  # articles per day of window, against the history's median
    max_rejected_share: float = 0.5  # rejected article pages / article responses (redirect hops excluded)
    max_foreign_language_share: float = 0.2  # articles not in the site's languages / articles
    max_residue_factor: float = 2.0  # residue rate within [median / f, median * f] of the history
    min_text_length_ratio: float = 0.5  # mean words per article, against the history's median
    max_fetch_error_rate: float = 0.3  # failed requests / requests
    max_duplicate_share: float = 0.3  # duplicates / (articles + duplicates)
    max_paywalled_jump: float = 0.25  # paywalled+metered share of articles, at most this above the history's median
    hard_gates: tuple[str, ...] = ("min_articles", "yield_vs_history")

    def __post_init__(self) -> None:
        unknown = [g for g in self.hard_gates if g not in GATE_NAMES]
        if unknown:
            raise SiteConfigError("[checks]", "checks.hard_gates",
                                  f"unknown gate(s) {unknown} (known: {', '.join(GATE_NAMES)})")
        for name in _SHARE_FIELDS:
            if getattr(self, name) > 1:
                raise SiteConfigError("[checks]", f"checks.{name}", f"a share must be 0..1, got {getattr(self, name)}")
        if self.max_residue_factor < 1:
            raise SiteConfigError("[checks]", "checks.max_residue_factor",
                                  f"a factor must be at least 1, got {self.max_residue_factor}")
        if self.history_runs < self.min_history_runs:
            raise SiteConfigError("[checks]", "checks.history_runs",
                                  f"{self.history_runs} is below min_history_runs {self.min_history_runs}")


@dataclass(frozen=True)
class Extraction:
    """Per-site extraction hints."""

    prune_xpaths: tuple[str, ...] = ()
    min_words: int = 40
    max_elements: int = 50_000  # extract.hints.DEFAULT_MAX_ELEMENTS (not imported: site parsing stays light)

    def __post_init__(self) -> None:
        if self.max_elements < 1:
            raise SiteConfigError("[extraction]", "extraction.max_elements", "expected at least 1 element")


@dataclass(frozen=True)
class SiteConfig:
    """One news site, as read from sites/<id>.toml."""

    id: str
    name: str
    base_url: str
    path: str
    enabled: bool = True
    languages: tuple[str, ...] = ()
    country: str | None = None
    timezone: str = "UTC"
    schedule: str = "@daily"
    start_date: date = date(2024, 1, 1)
    end_date: date | None = None  # no runs scheduled after it (a closed site, or the demo's fixed news)
    owner: str = "newsarchive"
    discovery: Discovery = field(default_factory=Discovery)
    politeness: Politeness = field(default_factory=Politeness)
    checks: Checks = field(default_factory=Checks)
    extraction: Extraction = field(default_factory=Extraction)

    @property
    def allowed_domains(self) -> tuple[str, ...]:
        """Host names the spider may request: the base URL's host."""
        host = urlsplit(self.base_url).hostname or ""
        return (host,)

    @property
    def dag_id(self) -> str:
        """The Airflow DAG id of this site."""
        return f"news_{self.id}"


_SECTIONS: dict[str, type] = {
    "discovery": Discovery,
    "politeness": Politeness,
    "checks": Checks,
    "extraction": Extraction,
}
_TOP_LEVEL = {f for f in SiteConfig.__dataclass_fields__ if f not in ("path", *_SECTIONS)}


def _check_type(path: Path, name: str, value: Any, expected: Any) -> Any:
    """Coerce TOML values to the dataclass field types, or raise a SiteConfigError naming the field."""
    if expected in ("tuple[str, ...]",):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SiteConfigError(path, name, f"expected a list of strings, got {value!r}")
        return tuple(value)
    if expected == "bool":
        if not isinstance(value, bool):
            raise SiteConfigError(path, name, f"expected true or false, got {value!r}")
        return value
    if expected == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise SiteConfigError(path, name, f"expected a non-negative integer, got {value!r}")
        return value
    if expected == "float":
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise SiteConfigError(path, name, f"expected a non-negative number, got {value!r}")
        return float(value)
    if expected in ("str", "str | None"):
        if not isinstance(value, str):
            raise SiteConfigError(path, name, f"expected a string, got {value!r}")
        return value
    if expected in ("date", "date | None"):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise SiteConfigError(path, name, f"expected a date YYYY-MM-DD, got {value!r}") from None
    return value


def _build(path: Path, cls: Any, data: dict[str, Any], prefix: str, skip: tuple[str, ...] = ()) -> Any:
    """Build a config dataclass from a TOML table; unknown keys are errors (typos must not pass silently)."""
    fields = cls.__dataclass_fields__
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key in skip:
            continue
        if key not in fields:
            known = ", ".join(sorted(k for k in fields if k not in ("path", *skip)))
            raise SiteConfigError(path, name, f"unknown key (known: {known})")
        kwargs[key] = _check_type(path, name, value, fields[key].type)
    return kwargs


def expand_env(path: Path, name: str, value: str) -> str:
    """Replace ${VAR} / ${VAR:-default} from the environment; an unset VAR without default is an error."""

    def substitute(match: re.Match[str]) -> str:
        var, default = match.group(1), match.group(2)
        if var in os.environ:
            return os.environ[var]
        if default is None:
            raise SiteConfigError(path, name, f"environment variable {var} is not set and has no default")
        return default

    return ENV_REF_RE.sub(substitute, value)


def _validate_url(path: Path, name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SiteConfigError(path, name, f"expected an absolute http(s) URL, got {url!r}")


def _validate_schedule(path: Path, schedule: str) -> None:
    if schedule in CRON_PRESETS:
        return
    from croniter import croniter  # Airflow's own cron parser (already loaded with the SDK): checks ranges too

    fields = schedule.split()
    if len(fields) != 5 or not all(CRON_FIELD_RE.match(f) for f in fields) or not croniter.is_valid(schedule):
        raise SiteConfigError(
            path, "schedule", f"expected a valid 5-field cron expression or one of {CRON_PRESETS}, got {schedule!r}"
        )


def _discovery(path: Path, base_url: str, table: dict[str, Any]) -> Discovery:
    kwargs = _build(path, Discovery, table, "discovery.")
    for key in ("feeds", "sitemaps", "sections"):
        urls = tuple(urljoin(base_url, u) for u in kwargs.get(key, ()))
        for i, url in enumerate(urls):
            _validate_url(path, f"discovery.{key}[{i}]", url)
        kwargs[key] = urls
    if kwargs.get("date_archive"):
        kwargs["date_archive"] = urljoin(base_url, kwargs["date_archive"])
    for key in ("article_allow", "article_deny"):
        for i, pattern in enumerate(kwargs.get(key, ())):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SiteConfigError(path, f"discovery.{key}[{i}]", f"bad regular expression: {exc}") from None
    return Discovery(**kwargs)


def parse_site(path: Path, data: dict[str, Any]) -> SiteConfig:
    """Validate one site's TOML table and build its SiteConfig (raises SiteConfigError)."""
    kwargs = _build(path, SiteConfig, data, "", skip=tuple(_SECTIONS))
    for required in ("id", "name", "base_url"):
        if required not in kwargs:
            raise SiteConfigError(path, required, "missing (required)")
    kwargs["base_url"] = expand_env(path, "base_url", kwargs["base_url"])
    if not SITE_ID_RE.match(kwargs["id"]):
        raise SiteConfigError(path, "id", f"must match {SITE_ID_RE.pattern}, got {kwargs['id']!r}")
    _validate_url(path, "base_url", kwargs["base_url"])
    try:
        ZoneInfo(kwargs.get("timezone", "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise SiteConfigError(path, "timezone", f"unknown time zone {kwargs.get('timezone')!r}") from None
    _validate_schedule(path, kwargs.get("schedule", "@daily"))
    if kwargs.get("end_date") and kwargs["end_date"] <= kwargs.get("start_date", SiteConfig.start_date):
        raise SiteConfigError(path, "end_date", "must be after start_date")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise SiteConfigError(path, name, "expected a table")
        if name == "discovery":
            sections[name] = _discovery(path, kwargs["base_url"], table)
        else:
            try:
                sections[name] = cls(**_build(path, cls, table, f"{name}."))
            except SiteConfigError as exc:  # a section's own checks know the field, not the file
                raise SiteConfigError(path, exc.field, exc.problem) from None
    return SiteConfig(path=str(path), **kwargs, **sections)


def load_site_file(path: Path) -> SiteConfig:
    """Read and validate one sites/*.toml file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(path, "(syntax)", str(exc)) from None
    return parse_site(path, data)


@dataclass(frozen=True)
class SiteCatalog:
    """Every site file in a folder: the valid configs, and the errors of the others (which never block the rest)."""

    sites: tuple[SiteConfig, ...]
    errors: tuple[SiteConfigError, ...]

    def get(self, site_id: str) -> SiteConfig:
        """The site with this id, or a KeyError listing the known ids."""
        for site in self.sites:
            if site.id == site_id:
                return site
        known = ", ".join(s.id for s in self.sites) or "none"
        raise KeyError(f"no site {site_id!r} (known: {known})")

    @property
    def enabled(self) -> tuple[SiteConfig, ...]:
        """The sites that get a DAG."""
        return tuple(s for s in self.sites if s.enabled)


def load_sites(folder: Path) -> SiteCatalog:
    """Load every *.toml in folder (sorted); a bad file is reported, and duplicate ids are errors."""
    sites: list[SiteConfig] = []
    errors: list[SiteConfigError] = []
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            site = load_site_file(path)
        except SiteConfigError as exc:
            errors.append(exc)
            continue
        if site.id in seen:
            errors.append(SiteConfigError(path, "id", f"duplicate site id {site.id!r} (also in {seen[site.id]})"))
            continue
        seen[site.id] = str(path)
        sites.append(site)
    return SiteCatalog(tuple(sites), tuple(errors))
