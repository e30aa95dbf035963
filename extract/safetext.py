"""Valid, bounded Unicode: what every text that reaches an ArticleRecord is made into.

Pages bring lone surrogates (a JSON-LD ``"\\udfff"`` escape, a ``str`` handed in by a caller), control
characters and megabyte-long "titles". A lone surrogate cannot be encoded as UTF-8, so one such character
used to stop the whole window when its record was written. These helpers make any ``str`` safe to store:
surrogates become U+FFFD, control characters go (a single-line field's line breaks become spaces), and
field lengths are capped (the limits are data in ``extract.record.FIELD_LIMITS``).
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_SURROGATES = re.compile("[\ud800-\udfff]")
# C0/C1 controls and the two noncharacters XML refuses; tab and line feed are kept in multi-line text.
_CONTROLS_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\ufffe\uffff]")
_CONTROLS_ONE_LINE = re.compile("[\x00-\x1f\x7f\x80-\x9f\ufffe\uffff]")
_LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def without_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (so it always encodes as UTF-8)."""
    return _SURROGATES.sub(REPLACEMENT, text)


def valid_text(text: str, *, multiline: bool = False) -> str:
    """Valid Unicode for a record field: no surrogates, no control characters.

    ``multiline`` keeps tabs and line feeds (the article text); otherwise line breaks become a space.
    """
    text = without_surrogates(text)
    if multiline:
        return _CONTROLS_MULTILINE.sub("", text)
    return _CONTROLS_ONE_LINE.sub("", _LINE_BREAKS.sub(" ", text))


def bounded(text: str, max_chars: int) -> str:
    """``text`` cut to at most ``max_chars`` characters, at the last space of the final tenth when there is
    one (so a word is not split), trailing spaces dropped."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ", max_chars - max_chars // 10)
    return (cut[:space] if space > 0 else cut).rstrip()
