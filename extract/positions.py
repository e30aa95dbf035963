"""Template positions: where a text line sits in its page, in terms that survive hashed class names.

A position signature is made of the tag path from <body> to the block (tag names only, the last
``PATH_TAGS`` of them, and the depth), how the block's class relates to its same-tag siblings' (the one
most of them share, another one, or none to compare with) and whether it sits right beside media. Class
names themselves never enter it: a site that renames "c3f9a1" to "c07b2d" on every page keeps the same
positions. The site-level pass (extract/sitewide.py) learns from many pages which positions carry chrome.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence

from lxml.html import HtmlElement

from extract.record import LinePositions
from extract.textnorm import norm_key

# The last tags of the path that count (deeper wrappers vary with ads and widgets; the depth is kept).
PATH_TAGS = 6
# Suffix of the signature of a block right beside media (a caption when the site's pages agree).
MEDIA_SUFFIX = ":m"
# Attribute the caption pass sets on blocks beside media (harmless to trafilatura, read here).
MEDIA_MARK = "data-na-media"

__all__ = ["MEDIA_MARK", "MEDIA_SUFFIX", "LinePositions", "is_media_position", "line_positions", "signature"]


def _class_relation(el: HtmlElement, cache: dict[HtmlElement, tuple[str, int]]) -> str:
    parent = el.getparent()
    if parent is None:
        return "-"
    if parent not in cache:
        classes = Counter(c.get("class") or "" for c in parent if c.tag == el.tag)
        cache[parent] = classes.most_common(1)[0]
    common, count = cache[parent]
    if count < 2:
        return "-"
    return "same" if (el.get("class") or "") == common else "own"


def signature(el: HtmlElement, cache: dict[HtmlElement, tuple[str, int]] | None = None) -> str:
    """The position signature of a block element (a short hash, plus MEDIA_SUFFIX beside media)."""
    tags = [el.tag]
    for ancestor in el.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        tags.append(ancestor.tag)
    path = "/".join(reversed(tags[:PATH_TAGS]))
    media = el.get(MEDIA_MARK) is not None
    raw = f"{len(tags)}|{path}|{_class_relation(el, cache if cache is not None else {})}"
    digest = hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()
    return digest + (MEDIA_SUFFIX if media else "")


def is_media_position(position: str) -> bool:
    """Whether a signature is that of a block beside media."""
    return position.endswith(MEDIA_SUFFIX)


def line_positions(lines: Sequence[str], blocks: Iterable[tuple[str, HtmlElement]],
                   captions: Iterable[str] = ()) -> LinePositions:
    """The signature of each text line (by the block whose comparison key, ``norm_key`` of its text, is the
    line's; "" when it is no one block's text, e.g. merged or split by the extractor), with the signatures
    of the removed caption blocks."""
    by_key: dict[str, HtmlElement] = {}
    for key, el in blocks:
        by_key.setdefault(key, el)
    cache: dict[HtmlElement, tuple[str, int]] = {}
    found = []
    for line in lines:
        el = by_key.get(norm_key(line))
        found.append(signature(el, cache) if el is not None else "")
    return LinePositions(tuple(found), tuple(captions))
