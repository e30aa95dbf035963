"""The site-level pass: what many pages of one site agree is chrome, dropped from every page's text.

Pure: learn from the texts (lines, and where each line sits in its page's template: extract.positions) of
many pages of a site, get a cleaner that drops from any page's text

- ``sitewide_recurring``: short lines on many distinct pages (at least MIN_PAGES and MIN_SHARE of them);
- ``sitewide_position``: every line at a template position where most lines are recurring texts (the
  position is the template's chrome, so its rarer texts are chrome too);
- ``sitewide_caption``: every line at a position beside media where the page pass mostly found captions
  (the site sets its captions there), and recurring texts beside media (stock captions such as "Archive
  image used to illustrate this story.", too rare for the share rule).

Learning is bounded: a window's statistics keep lines seen on two pages or more and the MAX_POSITIONS
most frequent positions; the pipeline merges a bounded number of recent windows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from extract.positions import is_media_position
from extract.record import LinePositions
from extract.textnorm import norm_key

SITEWIDE_REASON = "sitewide_recurring"
POSITION_REASON = "sitewide_position"
CAPTION_REASON = "sitewide_caption"
# Defaults: a line is boilerplate when it is on at least MIN_PAGES distinct pages and on at least
# MIN_SHARE of the pages seen, and is short (long recurring paragraphs are more likely syndicated
# body text, or the same article seen twice, than a prompt).
MIN_PAGES = 3
MIN_SHARE = 0.2
MAX_WORDS = 30
# Below this many pages the share means little; learn nothing.
MIN_CORPUS = 3
# A position is judged once it was seen on this many pages: chrome when at least CHROME_SHARE of its lines
# are recurring texts; a caption position (beside media) when the page pass removed captions there at least
# MIN_CAPTIONS times, making CAPTION_SHARE of what it held.
MIN_POSITION_PAGES = 5
CHROME_SHARE = 0.6
MIN_CAPTIONS = 3
CAPTION_SHARE = 0.5
# A window's statistics keep at most this many positions and lines (the most frequent). A line seen on one
# page is kept only when short (prompts and chrome are short; a sparse site needs several windows to show
# a line three times), longer ones from two pages on.
MAX_POSITIONS = 2000
MAX_STORED_LINES = 20000
SINGLETON_MAX_WORDS = 12


@dataclass(frozen=True)
class PositionStats:
    """What the pages showed at one template position."""

    pages: int = 0  # pages showing a line or a removed caption there
    lines: int = 0  # text lines kept there
    recurring: int = 0  # of which texts found on MIN_PAGES pages of the site or more
    captions: int = 0  # caption and credit blocks the page pass removed there

    def merged(self, other: PositionStats) -> PositionStats:
        """Both together."""
        return PositionStats(self.pages + other.pages, self.lines + other.lines, self.recurring + other.recurring,
                             self.captions + other.captions)


@dataclass(frozen=True)
class LineStats:
    """What a run learnt: how many distinct pages each short line appeared on, out of how many pages, and what
    each template position held.

    Stored per crawl window by the pipeline, so later runs of the site learn from recent history too.
    """

    pages: int
    counts: dict[str, int]
    positions: dict[str, PositionStats] = field(default_factory=dict)

    def merged(self, other: LineStats) -> LineStats:
        """Both corpora together (page totals, per-line page counts and position figures add up)."""
        counts = Counter(self.counts)
        counts.update(other.counts)
        positions = dict(self.positions)
        for key, value in other.positions.items():
            positions[key] = positions[key].merged(value) if key in positions else value
        return LineStats(self.pages + other.pages, dict(counts), positions)

    def to_json(self, min_count: int = 2) -> dict[str, object]:
        """A compact, bounded JSON form: lines on ``min_count`` pages or more, and short lines seen once (see
        SINGLETON_MAX_WORDS), at most MAX_STORED_LINES of them; the MAX_POSITIONS most frequent positions."""
        lines = [(k, n) for k, n in self.counts.items()
                 if n >= min_count or len(k.split()) <= SINGLETON_MAX_WORDS]
        lines = sorted(lines, key=lambda kv: (-kv[1], kv[0]))[:MAX_STORED_LINES]
        top = sorted(self.positions.items(), key=lambda kv: (-(kv[1].lines + kv[1].captions), kv[0]))[:MAX_POSITIONS]
        return {
            "pages": self.pages,
            "counts": dict(sorted(lines)),
            "positions": {k: [v.pages, v.lines, v.recurring, v.captions] for k, v in sorted(top)},
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LineStats:
        """Read the form written by to_json (positions are absent from older windows' files)."""
        counts = data.get("counts") or {}
        positions = data.get("positions") or {}
        return cls(
            int(data.get("pages", 0)),  # type: ignore[call-overload]
            {str(k): int(v) for k, v in dict(counts).items()},  # type: ignore[call-overload]
            {str(k): PositionStats(*(int(n) for n in v)) for k, v in dict(positions).items()},  # type: ignore[call-overload]
        )


@dataclass(frozen=True)
class SitewideCleaner:
    """Drops what the site's pages agree is chrome (see the module docstring) from a page's lines."""

    keys: frozenset[str] = field(default_factory=frozenset)
    pages_seen: int = 0
    recurring: frozenset[str] = field(default_factory=frozenset)  # on MIN_PAGES pages or more, any share
    chrome_positions: frozenset[str] = field(default_factory=frozenset)
    caption_positions: frozenset[str] = field(default_factory=frozenset)

    def reason(self, line: str, position: str) -> str | None:
        """Why the line goes (a reason code), or None to keep it."""
        key = norm_key(line)
        if key in self.keys:
            return SITEWIDE_REASON
        if not position:
            return None
        if position in self.chrome_positions:
            return POSITION_REASON
        if is_media_position(position) and (position in self.caption_positions or key in self.recurring):
            return CAPTION_REASON
        return None

    def clean(
        self, lines: Sequence[str], positions: LinePositions | None = None
    ) -> tuple[list[str], dict[str, int]]:
        """The lines that are not chrome, and the dropped counts by reason."""
        kept, _, dropped = self.clean_with_positions(lines, positions)
        return kept, dropped

    def clean_with_positions(
        self, lines: Sequence[str], positions: LinePositions | None = None
    ) -> tuple[list[str], LinePositions | None, dict[str, int]]:
        """Same as ``clean``, also returning the kept lines' positions (None when none were given)."""
        where = _aligned(lines, positions)
        kept: list[str] = []
        kept_positions: list[str] = []
        dropped: Counter[str] = Counter()
        for line, position in zip(lines, where, strict=True):
            reason = self.reason(line, position)
            if reason is None:
                kept.append(line)
                kept_positions.append(position)
            else:
                dropped[reason] += 1
        new_positions = None if positions is None else LinePositions(tuple(kept_positions), positions.captions)
        return kept, new_positions, dict(sorted(dropped.items()))

    def clean_text(self, text: str) -> tuple[str, dict[str, int]]:
        """Same as ``clean`` on a record's text (lines separated by "\\n"), without positions."""
        kept, dropped = self.clean(text.split("\n") if text else [])
        return "\n".join(kept), dropped


def _aligned(lines: Sequence[str], positions: LinePositions | None) -> Sequence[str]:
    """The positions of the lines, or "" for each when they are unknown or do not match the lines."""
    if positions is None or len(positions.lines) != len(lines):
        return [""] * len(lines)
    return positions.lines


def _short_keys(lines: Iterable[str], max_words: int) -> set[str]:
    return {k for k in (norm_key(line) for line in lines if line.strip() and len(line.split()) <= max_words) if k}


def line_stats(pages: Iterable[Sequence[str]], *, max_words: int = MAX_WORDS) -> LineStats:
    """Count, for every short line, the distinct pages it is on (each page counted once per line).

    Pass distinct pages (deduplicate by article id first): the same article twice would make its
    whole text look recurring.
    """
    counts: Counter[str] = Counter()
    total = 0
    for lines in pages:
        total += 1
        counts.update(_short_keys(lines, max_words))
    return LineStats(total, dict(counts))


def position_stats(
    pages: Iterable[tuple[Sequence[str], LinePositions | None]], known: Mapping[str, int], *,
    min_pages: int = MIN_PAGES, max_words: int = MAX_WORDS,
) -> dict[str, PositionStats]:
    """What each template position held over ``pages``; a line is recurring when ``known`` (per-line page
    counts of the site: this run's and recent ones) puts it on ``min_pages`` pages or more."""
    found: dict[str, list[int]] = {}
    for lines, positions in pages:
        seen: set[str] = set()
        for line, position in zip(lines, _aligned(lines, positions), strict=True):
            if not position:
                continue
            entry = found.setdefault(position, [0, 0, 0, 0])
            entry[1] += 1
            if len(line.split()) <= max_words and known.get(norm_key(line), 0) >= min_pages:
                entry[2] += 1
            seen.add(position)
        for position in positions.captions if positions is not None else ():
            found.setdefault(position, [0, 0, 0, 0])[3] += 1
            seen.add(position)
        for position in seen:
            found[position][0] += 1
    return {k: PositionStats(*v) for k, v in found.items()}


def site_stats(pages: Sequence[tuple[Sequence[str], LinePositions | None]], history: LineStats | None = None, *,
               max_words: int = MAX_WORDS) -> LineStats:
    """A run's statistics: its lines' page counts, and its positions judged with the run's and the recent
    history's line counts together (``history`` is what earlier windows stored)."""
    run = line_stats((lines for lines, _ in pages), max_words=max_words)
    known = run.merged(history).counts if history is not None else run.counts
    return LineStats(run.pages, run.counts, position_stats(pages, known, max_words=max_words))


def cleaner_from_stats(
    stats: LineStats, *, min_pages: int = MIN_PAGES, min_share: float = MIN_SHARE
) -> SitewideCleaner:
    """The cleaner for a corpus's statistics (thresholds in the module constants)."""
    if stats.pages < MIN_CORPUS:
        return SitewideCleaner(frozenset(), stats.pages)
    needed = max(min_pages, min_share * stats.pages)
    chrome, captions = set(), set()
    for position, seen in stats.positions.items():
        if seen.pages < MIN_POSITION_PAGES:
            continue
        if seen.lines and seen.recurring >= CHROME_SHARE * seen.lines:
            chrome.add(position)
        elif (is_media_position(position) and seen.captions >= MIN_CAPTIONS
              and seen.captions >= CAPTION_SHARE * (seen.captions + seen.lines)):
            captions.add(position)
    return SitewideCleaner(
        keys=frozenset(k for k, n in stats.counts.items() if n >= needed),
        pages_seen=stats.pages,
        recurring=frozenset(k for k, n in stats.counts.items() if n >= min_pages),
        chrome_positions=frozenset(chrome),
        caption_positions=frozenset(captions),
    )


def learn(
    pages: Iterable[Sequence[str]],
    *,
    min_pages: int = MIN_PAGES,
    min_share: float = MIN_SHARE,
    max_words: int = MAX_WORDS,
) -> SitewideCleaner:
    """Learn the recurring lines of a site from its pages' lines alone (see line_stats and cleaner_from_stats)."""
    return cleaner_from_stats(line_stats(pages, max_words=max_words), min_pages=min_pages, min_share=min_share)


def learn_site(pages: Sequence[tuple[Sequence[str], LinePositions | None]], history: LineStats | None = None,
               ) -> tuple[LineStats, SitewideCleaner]:
    """The run's statistics (to store for later runs) and the cleaner learnt from them plus ``history``."""
    return learn_site_from(lambda: pages, history)


def learn_site_from(read_pages: Callable[[], Iterable[tuple[Sequence[str], LinePositions | None]]],
                    history: LineStats | None = None) -> tuple[LineStats, SitewideCleaner]:
    """Same as ``learn_site``, over pages read twice through ``read_pages`` (each call yields them afresh, e.g.
    from a file): the positions are judged with the whole run's line counts, so they need a second look.
    Only the statistics are held, never the pages."""
    run = line_stats((lines for lines, _ in read_pages()))
    known = run.merged(history).counts if history is not None else run.counts
    run = LineStats(run.pages, run.counts, position_stats(read_pages(), known))
    return run, cleaner_from_stats(run.merged(history) if history is not None else run)
