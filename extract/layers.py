"""The cleaning layers in order, on one parsed page: pre-clean (furniture, captions by structure), trafilatura,
restore, residue; returns the text, what was dropped by reason, the gates' signals and the lines' template
positions (for the site-level pass)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from lxml.html import HtmlElement

from extract.access import access_markup
from extract.body import BodyOptions, extract_lines
from extract.gates import PageSignals, teaser_signals
from extract.hints import ExtractHints
from extract.metadata import PageMeta
from extract.positions import line_positions
from extract.preclean import preclean
from extract.record import LinePositions
from extract.residue import LineContext, clean_lines
from extract.restore import leaf_blocks, restore_blocks, restore_standfirst


@dataclass(frozen=True)
class CleanText:
    """What the layers made of a page."""

    text: str
    dropped: dict[str, int]
    signals: PageSignals
    positions: LinePositions


def clean_text(tree: HtmlElement, url: str, meta: PageMeta, hints: ExtractHints, options: BodyOptions) -> CleanText:
    """Run the cleaning layers on ``tree`` (modified in place)."""
    markup = access_markup(tree)
    pre = preclean(tree, url, hints.prune_xpaths)
    blocks = leaf_blocks(tree)
    lines, _ = restore_blocks(tree, extract_lines(tree, url, options), blocks)
    lines, _ = restore_standfirst(tree, lines, blocks, meta.description)
    kept, dropped = clean_lines(lines, LineContext(titles=meta.title_variants, captions=pre.captions))
    total: Counter[str] = Counter(pre.dropped)
    total.update(dropped)
    signals = teaser_signals(kept, pre.link_keys, total["related_link"], pre.teaser_chars, markup)
    positions = line_positions(kept, ((b.key, b.element) for b in blocks if b.element is not None),
                               pre.caption_positions)
    return CleanText("\n".join(kept), dict(sorted(total.items())), signals, positions)
