"""The archive's key layout: pure functions of (site, window) or (site, date, article id).

Because every key is a pure function of its inputs, re-running a window or a backfill overwrites the
same objects and never duplicates them::

    raw/site=S/date=YYYY-MM-DD/<window>/<attempt>.warc.gz   one immutable WARC per crawl attempt
    raw/site=S/date=YYYY-MM-DD/<window>/<attempt>.crawl.json  that attempt's crawl numbers
    articles/site=S/date=P/<article_id>.json         P = publication date (site's timezone)
    index/site=S/date=P/<window>.parquet             the window's index rows published on P
    bundles/site=S/date=P/<window>.parquet           the same rows' full records, for bulk reads
    reports/site=S/<window>.json                     the run report (written last)

``<window>`` is ``window_label(start, end)``, e.g. ``20241113T000000Z_20241114T000000Z``; date = the
window start (UTC). The raw objects are the one exception to pure keys: ``<attempt>`` is unique per crawl
(``YYYYMMDDTHHMMSSZ-<hex>``, the crawl's start and a random part), because two crawls of one window must never
write, or read-modify-write, the same object; the raw layer is append-only, every derived key stays pure.
Archives written before kept one WARC per window, ``raw/site=S/date=D/<window>.warc.gz`` (and
``<window>.crawl.json``): readers still accept that layout, nothing writes it. The parsers give the parts back
and raise InvalidKey for anything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from newsarchive.archive.errors import InvalidKey
from newsarchive.instants import parse_day

SITE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
ARTICLE_ID_RE = re.compile(r"^[0-9a-f]{8,64}$")
_STAMP = "%Y%m%dT%H%M%SZ"
_STAMP_RE = r"\d{8}T\d{6}Z"
_WINDOW_RE = re.compile(rf"^({_STAMP_RE})_({_STAMP_RE})$")
ATTEMPT_RE = re.compile(rf"^{_STAMP_RE}-[0-9a-f]{{8,32}}$")
_SITE = r"site=(?P<site>[^/]+)"
_DATE = r"date=(?P<date>\d{4}-\d{2}-\d{2})"
_WINDOW = rf"(?P<window>{_STAMP_RE}_{_STAMP_RE})"
_RAW_KEY_RE = re.compile(rf"^raw/{_SITE}/{_DATE}/{_WINDOW}(?:/(?P<attempt>[^/]+))?\.warc\.gz$")
WARC_SUFFIX, CRAWL_STATS_SUFFIX = ".warc.gz", ".crawl.json"
_ARTICLE_KEY_RE = re.compile(rf"^articles/{_SITE}/{_DATE}/(?P<id>[^/]+)\.json$")
_INDEX_KEY_RE = re.compile(rf"^index/{_SITE}/{_DATE}/{_WINDOW}\.parquet$")
_BUNDLE_KEY_RE = re.compile(rf"^bundles/{_SITE}/{_DATE}/{_WINDOW}\.parquet$")
_REPORT_KEY_RE = re.compile(rf"^reports/{_SITE}/{_WINDOW}\.json$")


@dataclass(frozen=True)
class RawWarcKey:
    """Parts of a ``raw/`` WARC key; ``attempt`` is None for the single WARC of the layout before attempts."""

    site: str
    date: date
    start: datetime
    end: datetime
    attempt: str | None = None


@dataclass(frozen=True)
class ArticleKey:
    """Parts of an ``articles/`` key."""

    site: str
    published_date: date
    article_id: str


@dataclass(frozen=True)
class IndexKey:
    """Parts of an ``index/`` key."""

    site: str
    published_date: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ReportKey:
    """Parts of a ``reports/`` key."""

    site: str
    start: datetime
    end: datetime


# -- validation ---------------------------------------------------------------------------------


def check_site(site: str) -> str:
    """Return ``site`` if it is a valid site id (``^[a-z0-9][a-z0-9_-]{0,62}$``), else InvalidKey."""
    if not isinstance(site, str) or not SITE_RE.match(site):
        raise InvalidKey(f"invalid site id {site!r}: must match {SITE_RE.pattern}")
    return site


def check_attempt_id(attempt: str) -> str:
    """Return ``attempt`` if it is a crawl attempt id (``YYYYMMDDTHHMMSSZ-<8-32 hex>``), else InvalidKey."""
    if not isinstance(attempt, str) or not ATTEMPT_RE.match(attempt):
        raise InvalidKey(f"invalid crawl attempt id {attempt!r}: must match {ATTEMPT_RE.pattern}")
    return attempt


def check_article_id(article_id: str) -> str:
    """Return ``article_id`` if it is 8-64 lower-case hex digits, else InvalidKey."""
    if not isinstance(article_id, str) or not ARTICLE_ID_RE.match(article_id):
        raise InvalidKey(f"invalid article id {article_id!r}: must match {ARTICLE_ID_RE.pattern}")
    return article_id


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise InvalidKey(f"window {name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidKey(f"window {name} {moment.isoformat()} is naive: give a timezone-aware datetime")
    if moment.microsecond:
        # The label has whole seconds; two windows must never share one.
        raise InvalidKey(f"window {name} {moment.isoformat()} has sub-second precision")
    return moment.astimezone(UTC)


def _day(value: date, name: str) -> str:
    # datetime is a date subclass; refuse it so the caller decides which timezone's date is meant.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidKey(f"{name} must be a datetime.date (not a datetime), got {value!r}")
    return value.isoformat()


# -- builders -----------------------------------------------------------------------------------


def window_label(start: datetime, end: datetime) -> str:
    """``<start>_<end>`` in UTC, e.g. ``20241113T000000Z_20241114T000000Z`` (end must follow start)."""
    start_utc, end_utc = _utc(start, "start"), _utc(end, "end")
    if end_utc <= start_utc:
        raise InvalidKey(f"window end {end.isoformat()} is not after start {start.isoformat()}")
    return f"{start_utc.strftime(_STAMP)}_{end_utc.strftime(_STAMP)}"


def raw_warc_key(site: str, start: datetime, end: datetime, attempt: str | None = None) -> str:
    """``raw/site=S/date=YYYY-MM-DD/<window>/<attempt>.warc.gz`` (date of the window start in UTC): the
    WARC of one crawl attempt. Without ``attempt``, the window's single WARC of the layout before attempts
    (``.../<window>.warc.gz``), which is only ever read."""
    if attempt is None:
        return raw_window_prefix(site, start, end).rstrip("/") + WARC_SUFFIX
    return raw_window_prefix(site, start, end) + check_attempt_id(attempt) + WARC_SUFFIX


def raw_window_prefix(site: str, start: datetime, end: datetime) -> str:
    """``raw/site=S/date=YYYY-MM-DD/<window>/``: where the window's crawl attempts keep their objects."""
    label = window_label(start, end)
    day = _utc(start, "start").date().isoformat()
    return f"raw/site={check_site(site)}/date={day}/{label}/"


def crawl_stats_key(warc_key: str) -> str:
    """The crawl numbers beside a raw WARC: ``<attempt>.crawl.json`` (``<window>.crawl.json`` in the old layout)."""
    parse_raw_warc_key(warc_key)
    return warc_key.removesuffix(WARC_SUFFIX) + CRAWL_STATS_SUFFIX


def article_key(site: str, published_date: date, article_id: str) -> str:
    """``articles/site=S/date=P/<id>.json``."""
    day = _day(published_date, "published_date")
    return f"articles/site={check_site(site)}/date={day}/{check_article_id(article_id)}.json"


def index_key(site: str, published_date: date, start: datetime, end: datetime) -> str:
    """``index/site=S/date=P/<window>.parquet``."""
    day = _day(published_date, "published_date")
    return f"index/site={check_site(site)}/date={day}/{window_label(start, end)}.parquet"


def bundle_key(site: str, published_date: date, start: datetime, end: datetime) -> str:
    """``bundles/site=S/date=P/<window>.parquet``: the records of the rows of the same-named index file."""
    day = _day(published_date, "published_date")
    return f"bundles/site={check_site(site)}/date={day}/{window_label(start, end)}.parquet"


def bundle_key_for(index_key_: str) -> str:
    """The bundle key that goes with an ``index/`` key (InvalidKey if it is not one)."""
    parts = parse_index_key(index_key_)
    return bundle_key(parts.site, parts.published_date, parts.start, parts.end)


def report_key(site: str, start: datetime, end: datetime) -> str:
    """``reports/site=S/<window>.json``."""
    return f"reports/site={check_site(site)}/{window_label(start, end)}.json"


def _prefix(kind: str, site: str | None, day: date | None) -> str:
    if site is None:
        if day is not None:
            raise InvalidKey("a date prefix needs a site")
        return f"{kind}/"
    prefix = f"{kind}/site={check_site(site)}/"
    return prefix if day is None else f"{prefix}date={_day(day, 'date')}/"


def raw_prefix(site: str | None = None, day: date | None = None) -> str:
    """Listing prefix for raw WARCs: all, one site's, or one site-day's (``day`` = window start, UTC)."""
    return _prefix("raw", site, day)


def articles_prefix(site: str | None = None, published_date: date | None = None) -> str:
    """Listing prefix for article JSONs: all, one site's, or one site's publication date."""
    return _prefix("articles", site, published_date)


def index_prefix(site: str | None = None, published_date: date | None = None) -> str:
    """Listing prefix for index Parquet files: all, one site's, or one site's publication date."""
    return _prefix("index", site, published_date)


def bundles_prefix(site: str | None = None, published_date: date | None = None) -> str:
    """Listing prefix for record bundles: all, one site's, or one site's publication date."""
    return _prefix("bundles", site, published_date)


def reports_prefix(site: str | None = None) -> str:
    """Listing prefix for run reports: all, or one site's."""
    return _prefix("reports", site, None)


# -- parsers ------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)  # every key of a listing carries one of a few labels, and strptime is slow
def parse_window_label(label: str) -> tuple[datetime, datetime]:
    """``(start, end)`` as UTC datetimes from a window label; InvalidKey if malformed."""
    match = _WINDOW_RE.match(label) if isinstance(label, str) else None
    if not match:
        raise InvalidKey(f"invalid window label {label!r}: expected YYYYMMDDTHHMMSSZ_YYYYMMDDTHHMMSSZ")
    try:
        start, end = (datetime.strptime(g, _STAMP).replace(tzinfo=UTC) for g in match.groups())
    except ValueError as exc:
        raise InvalidKey(f"invalid window label {label!r}: {exc}") from None
    if end <= start:
        raise InvalidKey(f"invalid window label {label!r}: end is not after start")
    return start, end


def _match(pattern: re.Pattern[str], key: str, what: str) -> re.Match[str]:
    match = pattern.match(key) if isinstance(key, str) else None
    if not match:
        raise InvalidKey(f"not a {what} key: {key!r}")
    check_site(match["site"])
    return match


def _date(text: str, key: str) -> date:
    try:
        return parse_day(text)
    except ValueError:
        raise InvalidKey(f"invalid date {text!r} in key {key!r}") from None


def parse_raw_warc_key(key: str) -> RawWarcKey:
    """Site, date, window and attempt of a ``raw/`` WARC key, either layout (the date must be the window
    start's UTC date)."""
    match = _match(_RAW_KEY_RE, key, "raw WARC")
    start, end = parse_window_label(match["window"])
    day = _date(match["date"], key)
    if day != start.date():
        raise InvalidKey(f"raw WARC key {key!r}: date= does not match the window start")
    attempt = match["attempt"]
    return RawWarcKey(site=match["site"], date=day, start=start, end=end,
                      attempt=None if attempt is None else check_attempt_id(attempt))


def parse_article_key(key: str) -> ArticleKey:
    """Site, publication date and article id of an ``articles/`` key."""
    match = _match(_ARTICLE_KEY_RE, key, "article")
    return ArticleKey(
        site=match["site"],
        published_date=_date(match["date"], key),
        article_id=check_article_id(match["id"]),
    )


def _partition_key(pattern: re.Pattern[str], key: str, what: str) -> IndexKey:
    match = _match(pattern, key, what)
    start, end = parse_window_label(match["window"])
    return IndexKey(site=match["site"], published_date=_date(match["date"], key), start=start, end=end)


def parse_index_key(key: str) -> IndexKey:
    """Site, publication date and window of an ``index/`` key."""
    return _partition_key(_INDEX_KEY_RE, key, "index")


def parse_bundle_key(key: str) -> IndexKey:
    """Site, publication date and window of a ``bundles/`` key (the parts of its index key)."""
    return _partition_key(_BUNDLE_KEY_RE, key, "bundle")


def parse_report_key(key: str) -> ReportKey:
    """Site and window of a ``reports/`` key."""
    match = _match(_REPORT_KEY_RE, key, "report")
    start, end = parse_window_label(match["window"])
    return ReportKey(site=match["site"], start=start, end=end)


# -- versions, their history index, compacted months, takedowns ---------------------------------
#
#     versions/site=S/<id>/<label>.json                 an earlier version of an article, byte for byte
#     history/site=S/date=P/<window>.parquet            the versions a window's run set aside (rows + records)
#     {index,bundles,history}/site=S/month=YYYY-MM/compacted.parquet   a closed month, compacted
#     takedowns/site=S/<id>.json                        a takedown's audit record (no text): the site's list
#
# ``<label>`` is ``YYYYMMDDTHHMMSSZ-<12 hex>`` (the version's modified, else fetched, instant and the start of
# its text digest: two texts never share a label, even when a site edits without changing ``modified``);
# archives written before that carry bare ``YYYYMMDDTHHMMSSZ`` labels, and an object that was not readable
# JSON is kept as ``unreadable-<16 hex>``.

VERSION_LABEL_RE = re.compile(rf"^(?:{_STAMP_RE}(?:-[0-9a-f]{{12}})?|unreadable-[0-9a-f]{{16}})$")
COMPACTED_NAME = "compacted.parquet"
PARTITIONED_KINDS = ("index", "bundles", "history")
_MONTH_RE = r"(?P<month>\d{4}-\d{2})"
_VERSION_KEY_RE = re.compile(r"^versions/site=(?P<site>[^/]+)/(?P<id>[^/]+)/(?P<label>[^/]+)\.json$")
_HISTORY_KEY_RE = re.compile(rf"^history/{_SITE}/{_DATE}/{_WINDOW}\.parquet$")
_COMPACTED_KEY_RE = re.compile(rf"^(?P<kind>index|bundles|history)/{_SITE}/month={_MONTH_RE}/compacted\.parquet$")
_TAKEDOWN_KEY_RE = re.compile(r"^takedowns/site=(?P<site>[^/]+)/(?P<id>[^/]+)\.json$")


@dataclass(frozen=True)
class VersionKey:
    """Parts of a ``versions/`` key."""

    site: str
    article_id: str
    label: str


@dataclass(frozen=True)
class CompactedKey:
    """Parts of a compacted month's key: which kind of file (index, bundles, history), site and month."""

    kind: str
    site: str
    month: date  # the first day of the month


@dataclass(frozen=True)
class TakedownKey:
    """Parts of a ``takedowns/`` key."""

    site: str
    article_id: str


def check_version_label(label: str) -> str:
    """Return ``label`` if it is a version label (see above), else InvalidKey."""
    if not isinstance(label, str) or not VERSION_LABEL_RE.match(label):
        raise InvalidKey(f"invalid version label {label!r}: expected YYYYMMDDTHHMMSSZ-<12 hex digits>")
    return label


def version_key(site: str, article_id: str, label: str) -> str:
    """``versions/site=S/<id>/<label>.json``."""
    return f"versions/site={check_site(site)}/{check_article_id(article_id)}/{check_version_label(label)}.json"


def versions_prefix(site: str | None = None, article_id: str | None = None) -> str:
    """Listing prefix for earlier versions: all, one site's, or one article's."""
    if site is None:
        if article_id is not None:
            raise InvalidKey("an article prefix needs a site")
        return "versions/"
    prefix = f"versions/site={check_site(site)}/"
    return prefix if article_id is None else f"{prefix}{check_article_id(article_id)}/"


def parse_version_key(key: str) -> VersionKey:
    """Site, article id and label of a ``versions/`` key."""
    match = _match(_VERSION_KEY_RE, key, "version")
    return VersionKey(match["site"], check_article_id(match["id"]), check_version_label(match["label"]))


def history_key(site: str, published_date: date, start: datetime, end: datetime) -> str:
    """``history/site=S/date=P/<window>.parquet``: the versions the window's run set aside, of articles of P."""
    day = _day(published_date, "published_date")
    return f"history/site={check_site(site)}/date={day}/{window_label(start, end)}.parquet"


def history_prefix(site: str | None = None, published_date: date | None = None) -> str:
    """Listing prefix for the history index: all, one site's, or one site's publication date."""
    return _prefix("history", site, published_date)


def parse_history_key(key: str) -> IndexKey:
    """Site, publication date and window of a ``history/`` key."""
    return _partition_key(_HISTORY_KEY_RE, key, "history")


def partition_key(kind: str, site: str, published_date: date, start: datetime, end: datetime) -> str:
    """The per-window key of a partitioned kind (``index``, ``bundles`` or ``history``)."""
    builders = {"index": index_key, "bundles": bundle_key, "history": history_key}
    if kind not in builders:
        raise InvalidKey(f"unknown partitioned kind {kind!r}: one of {', '.join(PARTITIONED_KINDS)}")
    return builders[kind](site, published_date, start, end)


def month_of(day: date) -> date:
    """The first day of ``day``'s month (how months are named: a date, so they compare as dates)."""
    return date(day.year, day.month, 1)


def compacted_key(kind: str, site: str, month: date) -> str:
    """``<kind>/site=S/month=YYYY-MM/compacted.parquet``: a closed month's rows in one file."""
    if kind not in PARTITIONED_KINDS:
        raise InvalidKey(f"unknown partitioned kind {kind!r}: one of {', '.join(PARTITIONED_KINDS)}")
    if not isinstance(month, date) or isinstance(month, datetime):
        raise InvalidKey(f"month must be a datetime.date, got {month!r}")
    return f"{kind}/site={check_site(site)}/month={month.strftime('%Y-%m')}/{COMPACTED_NAME}"


def compacted_prefix(kind: str, site: str) -> str:
    """Listing prefix of a site's compacted months of one kind (``<kind>/site=S/month=``)."""
    if kind not in PARTITIONED_KINDS:
        raise InvalidKey(f"unknown partitioned kind {kind!r}: one of {', '.join(PARTITIONED_KINDS)}")
    return f"{kind}/site={check_site(site)}/month="


def parse_compacted_key(key: str) -> CompactedKey:
    """Kind, site and month of a compacted month's key."""
    match = _match(_COMPACTED_KEY_RE, key, "compacted month")
    try:
        month = parse_day(match["month"] + "-01")
    except ValueError:
        raise InvalidKey(f"invalid month {match['month']!r} in key {key!r}") from None
    return CompactedKey(kind=match["kind"], site=match["site"], month=month)


def companion_key(key: str, kind: str) -> str:
    """The same partition's file of another kind: the bundle of an index file, the index of a bundle, ...
    (per-window and compacted keys alike; InvalidKey for anything else)."""
    if kind not in PARTITIONED_KINDS:
        raise InvalidKey(f"unknown partitioned kind {kind!r}: one of {', '.join(PARTITIONED_KINDS)}")
    head, _, rest = key.partition("/") if isinstance(key, str) else ("", "", "")
    if head not in PARTITIONED_KINDS:
        raise InvalidKey(f"not a partitioned key: {key!r}")
    other = f"{kind}/{rest}"
    try:
        parse_compacted_key(other)
    except InvalidKey:
        _partition_key({"index": _INDEX_KEY_RE, "bundles": _BUNDLE_KEY_RE, "history": _HISTORY_KEY_RE}[kind],
                       other, kind)
    return other


def takedown_key(site: str, article_id: str) -> str:
    """``takedowns/site=S/<id>.json``: the audit record of one article's takedown."""
    return f"takedowns/site={check_site(site)}/{check_article_id(article_id)}.json"


def takedowns_prefix(site: str | None = None) -> str:
    """Listing prefix of takedown records: all, or one site's."""
    return _prefix("takedowns", site, None)


def parse_takedown_key(key: str) -> TakedownKey:
    """Site and article id of a takedown record's key."""
    match = _match(_TAKEDOWN_KEY_RE, key, "takedown")
    return TakedownKey(site=match["site"], article_id=check_article_id(match["id"]))


# -- partition listings, site-level line statistics, compaction leases ---------------------------
#
#     <kind>/site=S/date=...                            a partitioned kind's per-window files, by publication date
#     sitewide/site=S/<window>.json                     a window's line statistics (extract.sitewide), which the
#                                                       site's later runs learn its chrome from
#     compaction/site=S/<YYYY-MM>.lease                 the lease of one month's compaction (newsarchive.archive.lease)

_SITEWIDE_KEY_RE = re.compile(rf"^sitewide/{_SITE}/{_WINDOW}\.json$")


def _check_kind(kind: str) -> str:
    if kind not in PARTITIONED_KINDS:
        raise InvalidKey(f"unknown partitioned kind {kind!r}: one of {', '.join(PARTITIONED_KINDS)}")
    return kind


def partitions_prefix(kind: str, site: str, published_date: date | None = None) -> str:
    """Listing prefix of a site's files of a partitioned kind: all (compacted months too), or one date's."""
    return _prefix(_check_kind(kind), site, published_date)


def daily_partitions_prefix(kind: str, site: str, month: date | None = None) -> str:
    """Listing prefix of a site's per-window files of a partitioned kind (``<kind>/site=S/date=``): every
    date's, or only the dates of ``month`` (``...date=YYYY-MM-``)."""
    prefix = f"{partitions_prefix(kind, site)}date="
    return prefix if month is None else f"{prefix}{_day(month, 'month')[:7]}-"


def parse_partition_key(kind: str, key: str) -> IndexKey:
    """Site, publication date and window of a per-window file of ``kind`` (InvalidKey for anything else)."""
    parsers = {"index": parse_index_key, "bundles": parse_bundle_key, "history": parse_history_key}
    return parsers[_check_kind(kind)](key)


@dataclass(frozen=True)
class SitewideKey:
    """Parts of a ``sitewide/`` key."""

    site: str
    start: datetime
    end: datetime


def sitewide_key(site: str, start: datetime, end: datetime) -> str:
    """``sitewide/site=S/<window>.json``: a pure function of site and window, so reruns overwrite."""
    return f"sitewide/site={check_site(site)}/{window_label(start, end)}.json"


def sitewide_prefix(site: str) -> str:
    """Listing prefix of a site's line statistics."""
    return _prefix("sitewide", site, None)


def parse_sitewide_key(key: str) -> SitewideKey:
    """Site and window of a ``sitewide/`` key."""
    match = _match(_SITEWIDE_KEY_RE, key, "sitewide")
    start, end = parse_window_label(match["window"])
    return SitewideKey(site=match["site"], start=start, end=end)


def compaction_lease_key(site: str, month: date) -> str:
    """``compaction/site=S/<YYYY-MM>.lease``: one compaction of a site's month at a time."""
    return f"compaction/site={check_site(site)}/{_day(month_of(month), 'month')[:7]}.lease"
