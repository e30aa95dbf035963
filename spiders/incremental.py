"""Incremental crawling, the spider's side: which candidates the archive already holds, and whether the
site reports a modification after the archived copy (sitemap lastmod, feed updated/modified)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spiders.dates import DateHint


class ArchivedCopies:
    """The archive's articles for this crawl (spec ``archived``), by the spider's dedup key."""

    def __init__(self, archived: Iterable[tuple[str, DateHint]], key: Callable[[str], str | None]) -> None:
        self._known: dict[str, DateHint] = {}
        for url, hint in archived:
            k = key(url)
            if k is None:
                continue
            # Several URLs of one article (fetched URL, canonical URL) may map to one key: keep the newest.
            if k not in self._known or hint.latest > self._known[k].latest:
                self._known[k] = hint

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __len__(self) -> int:
        return len(self._known)

    def modified_since(self, key: str, hints: Iterable[DateHint]) -> bool:
        """Whether some lastmod hint is strictly after the archived copy of key.

        The copy's time is its latest instant (a bare date: the end of that day); a day-precision lastmod
        counts from the start of its day, so only a later day says "modified since".
        """
        copy = self._known[key]
        return any(h.kind == "lastmod" and h.earliest >= copy.latest and h.earliest > copy.value
                   for h in hints)
