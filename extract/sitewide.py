"""The site-level pass: lines that recur on many distinct pages of one site are boilerplate.

Pure: learn from the texts (lists of lines) of many pages of a site, get a cleaner that drops those
lines from any page's text, counting them under "sitewide_recurring".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from extract.textnorm import norm_key

SITEWIDE_REASON = "sitewide_recurring"
# Defaults: a line is boilerplate when it is on at least MIN_PAGES distinct pages and on at least
# MIN_SHARE of the pages seen, and is short (long recurring paragraphs are more likely syndicated
# body text, or the same article seen twice, than a prompt).
MIN_PAGES = 3
MIN_SHARE = 0.2
MAX_WORDS = 30
# Below this many pages the share means little; learn nothing.
MIN_CORPUS = 3


@dataclass(frozen=True)
class SitewideCleaner:
    """Drops learnt boilerplate lines (compared by normalised key) from a page's lines."""

    keys: frozenset[str] = field(default_factory=frozenset)
    pages_seen: int = 0

    def clean(self, lines: Sequence[str]) -> tuple[list[str], dict[str, int]]:
        """The lines that are not boilerplate, and {"sitewide_recurring": n} when n > 0 were dropped."""
        kept = [line for line in lines if norm_key(line) not in self.keys]
        dropped = len(lines) - len(kept)
        return kept, ({SITEWIDE_REASON: dropped} if dropped else {})

    def clean_text(self, text: str) -> tuple[str, dict[str, int]]:
        """Same as ``clean`` on a record's text (lines separated by "\\n")."""
        kept, dropped = self.clean(text.split("\n") if text else [])
        return "\n".join(kept), dropped


@dataclass(frozen=True)
class LineStats:
    """How many distinct pages each short line appeared on, out of how many pages: what a run learnt.

    Stored per crawl window by the pipeline, so later runs of the site learn from recent history too.
    """

    pages: int
    counts: dict[str, int]

    def merged(self, other: LineStats) -> LineStats:
        """Both corpora together (page totals and per-line page counts add up)."""
        counts = Counter(self.counts)
        counts.update(other.counts)
        return LineStats(self.pages + other.pages, dict(counts))

    def to_json(self, min_count: int = 2) -> dict[str, object]:
        """A compact JSON form: lines seen on a single page carry no evidence of recurrence and are left out."""
        return {"pages": self.pages, "counts": {k: n for k, n in sorted(self.counts.items()) if n >= min_count}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LineStats:
        """Read the form written by to_json."""
        counts = data.get("counts") or {}
        return cls(int(data.get("pages", 0)), {str(k): int(v) for k, v in dict(counts).items()})  # type: ignore[call-overload]


def line_stats(pages: Iterable[Sequence[str]], *, max_words: int = MAX_WORDS) -> LineStats:
    """Count, for every short line, the distinct pages it is on (each page counted once per line).

    Pass distinct pages (deduplicate by article id first): the same article twice would make its
    whole text look recurring.
    """
    counts: Counter[str] = Counter()
    total = 0
    for lines in pages:
        total += 1
        keys = {norm_key(line) for line in lines if line.strip() and len(line.split()) <= max_words}
        counts.update(k for k in keys if k)
    return LineStats(total, dict(counts))


def cleaner_from_stats(
    stats: LineStats, *, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> SitewideCleaner:
    """The cleaner for lines on at least min_pages pages and min_share of all pages of the corpus."""
    if stats.pages < MIN_CORPUS:
        return SitewideCleaner(frozenset(), stats.pages)
    needed = max(min_pages, min_share * stats.pages)
    return SitewideCleaner(frozenset(k for k, n in stats.counts.items() if n >= needed), stats.pages)


def learn(
    pages: Iterable[Sequence[str]],
    *,
    min_pages: int = MIN_PAGES,
    min_share: float = MIN_SHARE,
    max_words: int = MAX_WORDS,
) -> SitewideCleaner:
    """Learn the recurring lines of a site from its pages' lines (see line_stats and cleaner_from_stats)."""
    return cleaner_from_stats(line_stats(pages, max_words=max_words), min_pages=min_pages, min_share=min_share)
