"""Text normalisation shared by the passes that compare lines (captions, titles, site-wide repeats)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = " \t\n\r\xa0.,;:!?…-–—•·|*\"'“”‘’«»()[]"


def printable(text: str) -> str:
    """Drop invisible format and control characters (soft hyphens, zero-width spaces and joiners,
    bidi marks, stray controls): they split words for search and comparison and carry no text."""
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch.isprintable() or ch.isspace())


def collapse(text: str) -> str:
    """Invisible characters dropped, whitespace runs (including non-breaking spaces) to one space,
    trimmed."""
    return _SPACES.sub(" ", printable(text)).strip()


def norm_key(text: str) -> str:
    """A comparison key: NFKC, case-folded, whitespace collapsed, edge punctuation stripped,
    typographic apostrophes unified."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return collapse(text).casefold().strip(_EDGE_PUNCT)
