"""Date hints for candidate articles (feed, sitemap, URL path) and the window test applied to them.

ISO 8601 dates are read by the one parser (``newsarchive.instants``: a bare date is a day hint in the site's
zone, a naive time is read in it); RFC 822 dates (RSS ``pubDate``) are read here, into the same aware
datetimes. The window is ``newsarchive.instants.Window``; what a hint means for it is ``admits``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from newsarchive.instants import Window, is_bare_date, parse_instant

# Where a hint came from, most trustworthy first (a lower rank wins when several are known).
HINT_KINDS = ("news", "published", "url", "lastmod")
# /2024/11/05/ in a path; the year range keeps IDs such as /1234/56/78/ out.
_PATH_DATE = re.compile(r"/((?:19|20)\d{2})/(\d{2})/(\d{2})(?:/|$)")


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

    def overlaps(self, window: Window) -> bool:
        """Whether the hint's instant (or local day) falls in the window."""
        if self.day_precision:
            return window.overlaps(self.earliest, self.latest)
        return window.contains(self.value)

    def before(self, window: Window) -> bool:
        """Whether the hint is wholly before the window starts (for a lastmod: nothing inside was changed
        since the window started)."""
        return self.latest <= window.start if self.day_precision else self.value < window.start


def parse_date(text: str | None, kind: str, tz: tzinfo) -> DateHint | None:
    """Parse a W3C/ISO 8601 or RFC 822 date; naive times are read in tz. None when absent or unparsable."""
    if not text:
        return None
    try:
        # A bare date covers the whole local day in tz (a day hint), a naive time is read in tz.
        return DateHint(kind=kind, value=parse_instant(text, bare=tz, naive=tz), day_precision=is_bare_date(text))
    except ValueError:
        pass
    value = _rfc822(text.strip())
    return None if value is None else DateHint(kind=kind, value=value)


def _rfc822(text: str) -> datetime | None:
    """An RFC 822 / HTTP date (RSS pubDate) as an aware datetime, or None."""
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


def admits(window: Window, hints: list[DateHint | None]) -> bool:
    """Whether a candidate with these hints may have been published in the window.

    The best publication hint (news > published > url) must overlap [start, end). A lastmod before the
    start excludes (nothing is modified before it is published); a later lastmod does not. With no hint
    at all the candidate is admitted (the extractor decides from the page).
    """
    known = [h for h in hints if h is not None]
    if any(h.before(window) for h in known if h.kind == "lastmod"):
        return False
    published = best_hint([h for h in known if h.kind != "lastmod"])
    return True if published is None else published.overlaps(window)
