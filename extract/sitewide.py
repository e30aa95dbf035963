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


def learn(
    pages: Iterable[Sequence[str]],
    *,
    min_pages: int = MIN_PAGES,
    min_share: float = MIN_SHARE,
    max_words: int = MAX_WORDS,
) -> SitewideCleaner:
    """Learn the recurring lines of a site from its pages' lines (each page counted once per line).

    Pass distinct pages (deduplicate by article id first): the same article twice would make its
    whole text look recurring.
    """
    counts: Counter[str] = Counter()
    total = 0
    for lines in pages:
        total += 1
        keys = {norm_key(line) for line in lines if line.strip() and len(line.split()) <= max_words}
        counts.update(k for k in keys if k)
    if total < MIN_CORPUS:
        return SitewideCleaner(frozenset(), total)
    needed = max(min_pages, min_share * total)
    return SitewideCleaner(frozenset(k for k, n in counts.items() if n >= needed), total)
