"""Date hints for candidate articles (feed, sitemap, URL path) and the window test applied to them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

# Where a hint came from, most trustworthy first (a lower rank wins when several are known).
HINT_KINDS = ("news", "published", "url", "lastmod")
# /2024/11/05/ in a path; the year range keeps IDs such as /1234/56/78/ out.
_PATH_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{2})/(\d{2})(?:/|$)")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class DateHint:
    """A publication or modification date for a candidate.

    kind: news (news:publication_date), published (feed pubDate/published), url (/yyyy/mm/dd/ in the path),
    lastmod (sitemap lastmod or Atom updated). Day-precision hints cover the whole local day.
    """

    kind: str
    value: datetime
    day_precision: bool = False

    @property
    def earliest(self) -> datetime:
        """The first instant the hint allows."""
        return self.value

    @property
    def latest(self) -> datetime:
        """The instant just after the hint (exclusive): the next local midnight for a day."""
        return self.value + timedelta(days=1) if self.day_precision else self.value

    def iso(self) -> str:
        """ISO 8601: a bare date for a day hint, an instant with its offset otherwise."""
        return self.value.date().isoformat() if self.day_precision else self.value.isoformat()


def parse_date(text: str | None, kind: str, tz: tzinfo) -> DateHint | None:
    """Parse a W3C/ISO 8601 or RFC 822 date; naive times are read in tz. None when absent or unparsable."""
    if not text:
        return None
    text = text.strip()
    if _ISO_DAY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        return day_hint(kind, day, tz)
    value = _parse_instant(text)
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return DateHint(kind=kind, value=value)


def _parse_instant(text: str) -> datetime | None:
    try:
        # Python 3.11 reads every W3C datetime form, "Z" included.
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # RFC 822 "-0000" means UTC with unknown local zone: parsedate_to_datetime returns naive for it.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def day_hint(kind: str, day: date, tz: tzinfo) -> DateHint:
    """A hint covering one local calendar day in tz."""
    return DateHint(kind=kind, value=datetime.combine(day, time(0), tzinfo=tz), day_precision=True)


def date_from_url(url: str, tz: tzinfo) -> DateHint | None:
    """The /yyyy/mm/dd/ date in a URL path as a day hint in the site's timezone, or None."""
    match = _PATH_DATE.search(urlsplit(url).path)
    if match is None:
        return None
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day_hint("url", day, tz)


def best_hint(hints: list[DateHint | None]) -> DateHint | None:
    """The most trustworthy publication hint among hints (lastmod only when nothing else is known)."""
    known = [h for h in hints if h is not None]
    if not known:
        return None
    return min(known, key=lambda h: HINT_KINDS.index(h.kind) if h.kind in HINT_KINDS else len(HINT_KINDS))


@dataclass(frozen=True)
class Window:
    """The crawl window [start, end) (aware datetimes)."""

    start: datetime
    end: datetime

    def admits(self, hints: list[DateHint | None]) -> bool:
        """Whether a candidate with these hints may have been published in the window.

        The best publication hint (news > published > url) must overlap [start, end). A lastmod before the
        start excludes (nothing is modified before it is published); a later lastmod does not. With no hint
        at all the candidate is admitted (the extractor decides from the page).
        """
        known = [h for h in hints if h is not None]
        if any(self.before_start(h) for h in known if h.kind == "lastmod"):
            return False
        published = best_hint([h for h in known if h.kind != "lastmod"])
        if published is None:
            return True
        return self.overlaps(published)

    def overlaps(self, hint: DateHint) -> bool:
        """Whether the hint's instant (or local day) falls in [start, end)."""
        if hint.day_precision:
            return hint.earliest < self.end and hint.latest > self.start
        return self.start <= hint.value < self.end

    def before_start(self, lastmod: DateHint | None) -> bool:
        """True when a (sitemap) lastmod shows nothing inside was changed since the window started."""
        if lastmod is None:
            return False
        return lastmod.latest <= self.start if lastmod.day_precision else lastmod.value < self.start
