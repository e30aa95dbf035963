"""Access: whether an article is free to read, behind a paywall, or metered (a few free articles a month).

A paywalled or metered page is still an article: it is archived with the text the page shows and its full
metadata, and its ``access`` says what a reader without a subscription gets. The decision combines what
the publisher declares (JSON-LD ``isAccessibleForFree``, also on a ``hasPart`` section, and the
``article:content_tier`` meta tag), the page's markup (class/id words naming a paywall or a meter) and
what the residue pass dropped (subscription and meter prompts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.etree import XPath
from lxml.html import HtmlElement

FREE, PAYWALLED, METERED = "free", "paywalled", "metered"
ACCESS_VALUES = (FREE, PAYWALLED, METERED)

# Class/id words of paywall and meter markup (whole words of the attribute value). Markup alone never
# makes a page paywalled: only together with a declaration, a prompt or a cut short text.
PAYWALL_CLASS_WORDS = ("paywall", "paywalled", "premium", "subscriber", "subscribers", "abonne", "abonnes", "paid",
                       "locked", "restricted", "regwall")
METER_CLASS_WORDS = ("meter", "metered", "metering", "freemium")
# article:content_tier values (Open Graph article namespace) and what they mean here.
CONTENT_TIERS = {"free": FREE, "locked": PAYWALLED, "metered": METERED}
# A short text with a subscription prompt, or with paywall markup and a cut end, is a paywalled teaser.
TEASER_MAX_WORDS = 150

_CLASS_AND_ID = XPath("//@class | //@id", smart_strings=False)
# Any access word as a whole word of a class/id value (letters on neither side).
_ACCESS_WORD = re.compile(
    r"(?<![a-z])(" + "|".join(sorted(PAYWALL_CLASS_WORDS + METER_CLASS_WORDS, key=len, reverse=True)) + r")(?![a-z])"
)
_COMPLETE_END = re.compile(r"[.!?:;»\"”)\]]\s*$")
_PAYWALL_WORDS = frozenset(PAYWALL_CLASS_WORDS)
_METER_WORDS = frozenset(METER_CLASS_WORDS)
# Words that name a paywall only beside another paywall word (a "premium" menu entry, a "locked" icon).
_WEAK_PAYWALL_WORDS = frozenset({"premium", "paid", "locked", "restricted"})


@dataclass(frozen=True)
class AccessMarkup:
    """Which access words the page's class and id values carry."""

    paywall: bool = False
    meter: bool = False


NO_MARKUP = AccessMarkup()


def access_markup(root: HtmlElement) -> AccessMarkup:
    """Scan the page's class and id values once for paywall and meter words."""
    words = set(_ACCESS_WORD.findall(" ".join(_CLASS_AND_ID(root)).lower()))
    strong = words & (_PAYWALL_WORDS - _WEAK_PAYWALL_WORDS)
    weak = words & _WEAK_PAYWALL_WORDS
    return AccessMarkup(paywall=bool(strong) or len(weak) >= 2, meter=bool(words & _METER_WORDS))


def truncated(text: str) -> bool:
    """Whether a text stops like a cut teaser: an ellipsis, or no closing punctuation."""
    return text.rstrip().endswith(("…", "...")) or not _COMPLETE_END.search(text)


def page_access(
    *,
    declared_free: bool | None,
    content_tier: str | None,
    markup: AccessMarkup,
    text: str,
    words: int,
    dropped: dict[str, int],
) -> str:
    """``free``, ``paywalled`` or ``metered`` for a page (see the module docstring).

    Declarations win: ``content_tier`` metered/locked, or ``isAccessibleForFree`` false (metered when
    the page also shows a meter). Without one, a meter prompt means metered; a short text with a
    subscription prompt, or with paywall markup and a cut end, is a paywalled teaser.
    """
    tier = CONTENT_TIERS.get((content_tier or "").strip().lower())
    metered = markup.meter or dropped.get("meter", 0) > 0
    if tier in (PAYWALLED, METERED):
        return METERED if metered or tier == METERED else PAYWALLED
    if declared_free is False:
        return METERED if metered else PAYWALLED
    if dropped.get("meter", 0):
        return METERED
    teaser = words < TEASER_MAX_WORDS and (
        dropped.get("subscription", 0) > 0 or (markup.paywall and truncated(text))
    )
    if teaser:
        return METERED if metered else PAYWALLED
    return FREE
