"""Text normalisation shared by the passes that compare lines (captions, titles, site-wide repeats)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Control characters (but tab and newlines, which are whitespace) and format characters (Cf).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_EDGE_PUNCT = " \t\n\r\xa0.,;:!?…-–—•·|*\"'“”‘’«»()[]"


def printable(text: str) -> str:
    """Drop invisible format and control characters (soft hyphens, zero-width spaces and joiners,
    bidi marks, stray controls): they split words for search and comparison and carry no text."""
    return _INVISIBLE.sub("", text)


def collapse(text: str) -> str:
    """Unicode NFC (one encoding per character, as archives and search expect), invisible characters
    dropped, whitespace runs (including non-breaking spaces) to one space, trimmed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", printable(text))
    return " ".join(text.split())


def norm_key(text: str) -> str:
    """A comparison key: NFKC, case-folded, whitespace collapsed, edge punctuation stripped,
    typographic apostrophes unified."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return collapse(text).casefold().strip(_EDGE_PUNCT)
