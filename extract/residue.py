"""Layer 3: drop residue lines from the extracted body, each counted by reason.

Rules are data (extract/patterns/*.toml); this module only applies them, plus three checks that
need context: repeats of the title, repeats of image captions/alt texts, and date/byline lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extract.patterns import REASON_ORDER, RULES, ReasonRules, Rulebook
from extract.textnorm import collapse, norm_key

# Date/byline lines: at most this many words, and at most this many words that are neither
# date words, labels ("published", "mis à jour", "Uhr") nor numbers (a category, a name).
DATE_LINE_MAX_WORDS = 16
DATE_LINE_MAX_OTHER = 3
# A caption repeat may carry a trailing credit of at most this many words.
CAPTION_CREDIT_MAX_WORDS = 14
# A credit ending a caption spans at most this many sentence-like segments ("Name/Copyright 2024 The AP.
# All rights reserved" is two).
CREDIT_TAIL_SEGMENTS = 3
# Words in a caption's trailing remainder that mark it as a picture credit.
CREDIT_MARKERS = (
    "/",
    "©",
    "copyright",
    "photo",
    "foto",
    "crédit",
    "credit",
    "getty",
    "afp",
    "reuters",
    "dpa",
    "reserved",
)

_NUMERIC_DATE = re.compile(r"(?<!\d)(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2})\b")
_TOKENS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+")
_LEADING_LABEL = re.compile(r"^([^\W\d_]+)\s*:")
_SENTENCE_END = re.compile(r"[.!?]$")


@dataclass
class LineContext:
    """What the residue pass knows about the page: its headline (every form the page gives) and its
    caption/alt texts (comparison keys)."""

    titles: tuple[str, ...] = ()
    captions: set[str] = field(default_factory=set)


def rule_reason(line: str, book: Rulebook = RULES) -> str | None:
    """The reason a line is residue by the language rules alone, or None if it is body text."""
    text = collapse(line)
    key = norm_key(text)
    words = len(text.split())
    ends_sentence = bool(_SENTENCE_END.search(text)) and not text.endswith("...")
    for reason in REASON_ORDER:
        rules = book.reasons.get(reason)
        if rules is None or words > rules.max_words:
            continue
        if not rules.sentence and ends_sentence:
            continue
        if rules.matches(key):
            return reason
    if is_date_line(key, words, ends_sentence, book):
        return "date_byline"
    return None


def is_date_line(key: str, words: int, ends_sentence: bool, book: Rulebook = RULES) -> bool:
    """A short line that is a date (and time), maybe with a label, a category or an author name."""
    if words > DATE_LINE_MAX_WORDS or ends_sentence:
        return False
    label = _LEADING_LABEL.match(key)
    if label and label.group(1) not in book.date_labels:
        return False  # "Termin: 29.02.2020", "Deadline: ..." state a date as content
    tokens = _TOKENS.findall(key)
    has_month = any(t in book.months for t in tokens) and any(t.isdigit() for t in tokens)
    if not (has_month or _NUMERIC_DATE.search(key)):
        return False
    others = [t for t in tokens if not t.isdigit() and t not in book.months and t not in book.date_labels]
    return len(others) <= DATE_LINE_MAX_OTHER


def _caption_repeat(key: str, captions: set[str]) -> bool:
    if key in captions:
        return True
    for caption in captions:
        if caption.startswith(key) and len(key) >= 20:
            return True  # the caption without its credit
        if key.startswith(caption):
            rest = key[len(caption) :]
            if len(rest.split()) <= CAPTION_CREDIT_MAX_WORDS and (
                any(m in rest for m in CREDIT_MARKERS) or rule_reason(rest) == "photo_credit"
            ):
                return True
    return False


_CREDIT_SPLIT = re.compile(r"(?<=[.!?»”)])\s+|\s+[|–—]\s+")


def _is_credit(text: str, rules: ReasonRules) -> bool:
    return len(text.split()) <= rules.max_words and rules.matches(norm_key(text))


def credit_line(text: str, book: Rulebook = RULES) -> bool:
    """Whether a text is a picture credit, or ends with one ("Caption. Name/Copyright 2024 The AP. All
    rights reserved"): the photo-credit rules of every language, on the whole text or its last segments."""
    rules = book.reasons.get("photo_credit")
    if rules is None:
        return False
    if _is_credit(text, rules):
        return True
    pieces = _CREDIT_SPLIT.split(text)
    for start in range(1, min(len(pieces), CREDIT_TAIL_SEGMENTS + 1)):
        if _is_credit(" ".join(pieces[-start:]), rules):
            return True
    return False


def line_reason(line: str, context: LineContext) -> str | None:
    """Why a body line must not reach the text (a reason code), or None to keep it."""
    key = norm_key(line)
    if not key:
        return "stray"
    if any(key == norm_key(title) for title in context.titles):
        return "title_repeat"
    if context.captions and _caption_repeat(key, context.captions):
        return "caption_repeat"
    return rule_reason(line)


def clean_lines(lines: list[str], context: LineContext) -> tuple[list[str], Counter[str]]:
    """Keep the body lines, drop residue; returns the kept lines and drop counts by reason."""
    kept: list[str] = []
    dropped: Counter[str] = Counter()
    for line in lines:
        reason = line_reason(line, context)
        if reason is None:
            kept.append(line)
        else:
            dropped[reason] += 1
    return kept, dropped
