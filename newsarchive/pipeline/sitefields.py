"""What a site-config value may hold: the typed fields of the site model (newsarchive/pipeline/sites.py) and their
checks.

Every check here is one rule used by everything that reads a site: the loader (`newsarchive sites`, the DAG
factory, the plugin) and the spider (through the crawl spec). Each raises ValueError with a sentence that
names the problem and never echoes a credential; the model turns it into "<file>: <field>: <problem>".

Imported by the DAG files at parse time: stdlib and pydantic at the top; croniter, RE2 and lxml only when a
value needs them, and each check is cheap (no simulation over time), so a thousand site files parse quickly.
"""

from __future__ import annotations

import calendar
import functools
import os
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Strict

from newsarchive.instants import parse_day

SITE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")  # ISO 639 codes, langdetect's zh-cn too
COUNTRY_RE = re.compile(r"^[a-z]{2}$")  # ISO 3166-1 alpha-2, lower case (DAG tag country:<code>)
# Airflow's cron presets; "none" means manual and backfill runs only.
CRON_PRESETS = ("@hourly", "@daily", "@weekly", "@monthly", "@yearly", "none")
CRON_FIELD_RE = re.compile(r"^[\d*/,\-A-Za-z?LW#]+$")
# ${VAR} or ${VAR:-default} in base_url: one config serves several deployments (and the demo's port).
ENV_REF_RE = re.compile(r"\$\{([^}:]*)(?::-([^}]*))?\}")
# Only these variables may be expanded: a site file must not be able to send the worker's secrets (AWS keys,
# Airflow's JWT secret, database URLs) to a news site in a URL, nor store them in a WARC.
ENV_PREFIX = "NEWSARCHIVE_"
ENV_SECRET_WORDS = ("PASSWORD", "SECRET", "TOKEN", "KEY", "CREDENTIAL")
DATE_ARCHIVE_FIELDS = ("{yyyy}", "{mm}", "{dd}")
_BLANK_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
# A duration in a site file: a whole number and a unit (minutes, hours, days, weeks): "30m", "12h", "7d", "2w".
DURATION_RE = re.compile(r"^([1-9][0-9]{0,5})([mhdw])$")
DURATION_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
MAX_DURATION = timedelta(days=3660)  # ten years: anything longer is a typo
MAX_SHOWN = 80  # characters of a wrong value quoted in an error


# -- field types ------------------------------------------------------------------------------------------
# Strict scalars: TOML and JSON give exact types, so "5" is not a number and 1 is not `true` (a site file
# that says otherwise has a typo). Lists arrive as lists and are kept as tuples (the model is immutable).


def _number(value: Any) -> Any:
    """Numbers only (an int is a number; a bool or a string is not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {shown(value)}")
    return float(value)


def _day(value: Any) -> date:
    """A date: a TOML local date or an ISO string YYYY-MM-DD (a date-time is a mistake: which zone?)."""
    if isinstance(value, datetime | time):
        raise ValueError(f"expected a date YYYY-MM-DD, got {shown(value)}")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value == value.strip():
        try:
            return parse_day(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date YYYY-MM-DD, got {shown(value)}")


Flag = Annotated[bool, Strict()]
Integer = Annotated[int, Strict()]
Number = Annotated[float, BeforeValidator(_number)]
Text = Annotated[str, Strict()]
Day = Annotated[date, BeforeValidator(_day)]


# -- messages -------------------------------------------------------------------------------------------------


def shown(value: Any) -> str:
    """A wrong value as an error quotes it: short, its TOML type named when that is the mistake."""
    if isinstance(value, datetime | date | time):
        return f"the TOML {type(value).__name__} {value.isoformat()}"
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def redact_url(url: str) -> str:
    """url without any user:password part (shown in messages; the credentials never are)."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))
    except ValueError:
        return "<unparsable URL>" if "@" in url else url


# -- checks ---------------------------------------------------------------------------------------------------


def check_site_id(value: str) -> str:
    """A site id: lower-case letters, digits, - and _ (it is part of object keys and of the DAG id)."""
    if not SITE_ID_RE.match(value):
        raise ValueError(f"must match {SITE_ID_RE.pattern}, got {shown(value)}")
    return value


def check_nonblank(value: str) -> str:
    """A string with something in it."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def check_http_url(url: str) -> str:
    """An absolute http(s) URL with a host, a valid port and no credentials (ValueError otherwise)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises for a port that is not a number in 0..65535
    except ValueError as exc:
        raise ValueError(f"not a valid URL ({exc}): {shown(redact_url(url))}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an absolute http(s) URL, got {shown(redact_url(url))}")
    if port == 0:
        raise ValueError(f"port 0 is not a port: {shown(redact_url(url))}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"credentials in a site URL would be sent to the site and stored in the WARC: "
                         f"{shown(redact_url(url))}")
    if _BLANK_OR_CONTROL.search(url):
        raise ValueError(f"URL contains whitespace or control characters: {shown(redact_url(url))}")
    return url


def check_date_archive(template: str) -> str:
    """A date-archive URL template: {yyyy} required, {mm} and {dd} optional, otherwise a URL."""
    if "{yyyy}" not in template:
        raise ValueError(f"a URL template containing {{yyyy}} (and {{mm}}, {{dd}}), got {shown(template)}")
    filled = template
    for i, name in enumerate(DATE_ARCHIVE_FIELDS):
        filled = filled.replace(name, ("2024", "01", "01")[i])
    if "{" in filled or "}" in filled:
        raise ValueError(f"only {{yyyy}}, {{mm}} and {{dd}} may be filled in, got {shown(template)}")
    check_http_url(filled)
    return template


def expand_env(value: str, environ: Mapping[str, str] | None = None) -> str:
    """Replace ${NEWSARCHIVE_VAR} / ${NEWSARCHIVE_VAR:-default}; any other variable is an error.

    The result never contains "${", so expanding it again (the spider re-validates the crawl spec) is a no-op.
    """
    env = os.environ if environ is None else environ

    def substitute(match: re.Match[str]) -> str:
        var, default = match.group(1), match.group(2)
        if not var.startswith(ENV_PREFIX) or not re.fullmatch(r"[A-Z0-9_]+", var):
            raise ValueError(f"${{{var}}}: only {ENV_PREFIX}* variables may be expanded in a site file")
        if any(word in var for word in ENV_SECRET_WORDS):
            raise ValueError(f"${{{var}}}: a variable named like a secret is never expanded into a URL")
        if var in env:
            return env[var]
        if default is None:
            raise ValueError(f"environment variable {var} is not set and has no default")
        return default

    expanded = ENV_REF_RE.sub(substitute, value)
    if "${" in expanded:
        raise ValueError("a ${...} reference is unclosed, or a variable's value holds another one")
    return expanded


def check_timezone(name: str) -> str:
    """An IANA time zone name that zoneinfo (and so pendulum, for the DAG) knows."""
    if not name or name.startswith("/") or ".." in name:
        raise ValueError(f"unknown time zone {shown(name)}")
    try:
        ZoneInfo(name)
    except Exception:  # not found, a directory ("America"), bad characters: all "unknown"
        raise ValueError(f"unknown time zone {shown(name)} (an IANA name such as Europe/Paris)") from None
    return name


@functools.lru_cache(maxsize=1024)  # many sites share a schedule; a refused one raises (not cached)
def check_schedule(schedule: str) -> str:
    """A preset, "none", or a valid 5-field cron expression that fires on some day."""
    if schedule in CRON_PRESETS:
        return schedule
    from croniter import croniter  # Airflow's own cron parser (already loaded with the SDK): checks ranges too

    fields = schedule.split()
    expected = f"expected a valid 5-field cron expression or one of {', '.join(CRON_PRESETS)}, got {shown(schedule)}"
    if len(fields) != 5 or not all(CRON_FIELD_RE.match(f) for f in fields):
        raise ValueError(expected)
    try:
        expanded = croniter.expand(schedule)[0]  # what croniter.is_valid checks, done once
    except Exception:
        raise ValueError(expected) from None
    if not _fires(expanded[2], expanded[3], expanded[4]):
        raise ValueError(f"cron {shown(schedule)} never fires: no month it names has those days")
    return schedule


def _fires(days: list[Any], months: list[Any], weekdays: list[Any]) -> bool:
    """Whether some date matches (croniter's rule: day of month OR weekday when both are restricted)."""
    if days == ["*"] or weekdays != ["*"] or any(not isinstance(d, int) for d in days):
        return True  # every day, a weekday rule (each month has every weekday), or "L" (last day)
    month_numbers = range(1, 13) if months == ["*"] else [m for m in months if isinstance(m, int)]
    # February counts 29 days: a cron for the 29th fires in leap years, rarely but surely.
    longest = max((calendar.monthrange(2024, m)[1] for m in month_numbers), default=0)
    return min(days) <= longest


@functools.lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> Any:
    """The pattern compiled for linear-time matching (RE2): a URL can never make a match take exponential time.

    RE2 has no backreferences or lookaround (they are what makes backtracking blow up); a pattern using them
    is refused with a message naming RE2. ``\\d`` and ``\\w`` are ASCII, as in URL paths.
    """
    import re2

    options = re2.Options()
    options.log_errors = False  # the error comes back as an exception; RE2's own stderr line is noise
    options.never_capture = True  # only whether a path matches counts
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(f"bad regular expression {shown(pattern)} for RE2 (linear-time matching; no "
                         f"backreferences or lookaround): {reason}") from None


def check_pattern(pattern: str) -> str:
    """A regular expression RE2 compiles (see compile_pattern)."""
    if not pattern:
        raise ValueError("an empty pattern matches every URL: remove it or write one")
    compile_pattern(pattern)
    return pattern


def check_xpath(expr: str) -> str:
    """An XPath expression lxml compiles (the extractor's prune step runs it on every page)."""
    from lxml import etree

    try:
        etree.XPath(expr)
    except etree.XPathError as exc:
        raise ValueError(f"bad XPath {shown(expr)}: {exc}") from None
    return expr


def check_language(code: str) -> str:
    """An ISO 639 language code, lower case (fr, en, zh-cn)."""
    if not LANGUAGE_RE.match(code):
        raise ValueError(f"expected a lower-case ISO 639 language code such as fr or en, got {shown(code)}")
    return code


def check_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 country code, lower case."""
    if not COUNTRY_RE.match(code):
        raise ValueError(f"expected a lower-case ISO 3166 country code such as fr or gb, got {shown(code)}")
    return code


def parse_duration(text: str) -> timedelta:
    """The timedelta of a duration such as "90d", "12h", "30m" or "2w" (ValueError otherwise)."""
    match = DURATION_RE.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"expected a duration such as 30m, 12h, 7d or 2w, got {shown(text)}")
    value = int(match.group(1)) * DURATION_UNITS[match.group(2)]
    if value > MAX_DURATION:
        raise ValueError(f"{shown(text)} is longer than {MAX_DURATION.days} days")
    return value


def check_duration(text: str) -> str:
    """A duration parse_duration accepts (kept as written: the config stays plain data)."""
    parse_duration(text)
    return text
