"""Layer 1: clean the lxml tree before trafilatura sees it.

Drops page furniture by tag, ARIA role, aria-label and class/id words (rules in patterns/markup.py),
the site's prune XPaths, and in-body paragraphs that are only a link to another page of the site.
Caption and alt texts are collected first so that their repeats can be dropped from the text later.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from extract.captions import drop_captions
from extract.patterns import markup
from extract.textnorm import collapse, norm_key

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
_SEPARATORS = re.compile(r"[\s_\-]+")
_WORD_REASON: dict[str, str] = {w: reason for reason, words in markup.CLASS_WORDS.items() for w in words}
_PHRASES: tuple[tuple[str, str], ...] = tuple(
    (f" {phrase} ", reason) for reason, phrases in markup.CLASS_PHRASES.items() for phrase in phrases
)
_TAG_REASON = {
    "figure": "caption",
    "figcaption": "caption",
    "picture": "caption",
    "aside": "aside",
    "nav": "navigation",
}
_CAPTION_TAGS = ("figure", "figcaption", "picture")
# The tag and role lists as sets: drop_reason runs on every element of the page.
_DROP_TAGS = frozenset(markup.DROP_TAGS)
_NEVER_DROP_TAGS = frozenset(markup.NEVER_DROP_TAGS)
_DROP_ROLES = frozenset(markup.DROP_ROLES)
# Dropped even when they hold much text: figures are captions; the rest hold no body text.
# Text outside links, scripts and styles; and link text (plain strings: no element proxies built).
_PLAIN_TEXT = etree.XPath(
    ".//text()[not(ancestor::a or ancestor::script or ancestor::style or ancestor::noscript)]", smart_strings=False
)
_LINKED_TEXT = etree.XPath(".//a//text()", smart_strings=False)
_TEXT_LENGTH = etree.XPath("string-length(normalize-space())")
# A hidden class name, maybe behind a short namespace prefix ("u-visually-hidden", "is-hidden").
_HIDDEN_CLASS = re.compile(
    r"^(?:[a-z0-9]{1,4}[-_])?(?:" + "|".join(re.escape(n) for n in sorted(markup.HIDDEN_CLASSES)) + r")$"
)
# Reasons whose elements are dropped however much text they hold (comment threads are long prose).
_UNGUARDED_REASONS = frozenset({"comment_counter"})
_UNGUARDED_TAGS = frozenset(
    {
        "figure",
        "figcaption",
        "picture",
        "iframe",
        "svg",
        "canvas",
        "template",
        "audio",
        "video",
        "object",
        "embed",
        "select",
        "button",
    }
)


@dataclass
class PrecleanResult:
    """What the pre-clean learnt: caption/alt texts (comparison keys) and elements dropped by reason."""

    captions: set[str] = field(default_factory=set)
    dropped: Counter[str] = field(default_factory=Counter)
    # Keys of the texts of the links left in the page (to count teaser lines in the extracted text).
    link_keys: set[str] = field(default_factory=set)
    # Characters of the link-only paragraphs dropped (teasers: a section front is mostly those).
    teaser_chars: int = 0
    # Template positions of the caption and credit blocks the structural pass removed (for the site pass).
    caption_positions: list[str] = field(default_factory=list)


@lru_cache(maxsize=65536)
def class_words(value: str) -> str:
    """A class/id value as space-separated lower-case words, framed by spaces (" read more box ")."""
    # Taxonomy classes name topics; BEM modifiers ("Section--Ads") name a variant, not the role;
    # long slugs are anchors made from headings.
    tokens = [
        t.split("--", 1)[0]
        for t in value.split()
        if not t.lower().startswith(markup.TAXONOMY_CLASS_PREFIXES)
        and len(_SEPARATORS.split(_CAMEL.sub(r"\1 \2", t))) <= markup.MAX_CLASS_NAME_WORDS
    ]
    return " " + _SEPARATORS.sub(" ", _CAMEL.sub(r"\1 \2", " ".join(tokens))).lower().strip() + " "


@lru_cache(maxsize=65536)
def class_reason(value: str) -> str | None:
    """The furniture reason named by a class/id value, or None (cached: sites repeat their classes)."""
    words = class_words(value)
    for word in words.split():
        reason = _WORD_REASON.get(word)
        if reason:
            return reason
    for phrase, reason in _PHRASES:
        if phrase in words:
            return reason
    return None


@lru_cache(maxsize=65536)
def _has_hidden_class(classes: str) -> bool:
    return any(_HIDDEN_CLASS.match(name) for name in classes.lower().split())


def drop_reason(el: HtmlElement) -> str | None:
    """Why this element is furniture (a reason code), or None to keep it."""
    tag = el.tag
    if tag in _DROP_TAGS:
        if tag == "figure" and (el.find(".//table") is not None or el.find(".//blockquote") is not None):
            return None  # a table or quote set in a <figure> (as block editors do) is body
        return _TAG_REASON.get(tag, "embed")
    if tag in _NEVER_DROP_TAGS:
        return None
    attrib = el.attrib
    if not attrib:
        return None  # most elements: nothing to look at
    if attrib.get("hidden") is not None or attrib.get("aria-hidden") == "true":
        return "hidden"
    classes = attrib.get("class")
    if classes and _has_hidden_class(classes):
        return "hidden"
    role = attrib.get("role")
    if role and role.lower() in _DROP_ROLES:
        return "navigation"
    label = attrib.get("aria-label")
    if label and any(word in label.lower() for word in markup.ARIA_LABEL_WORDS):
        return "share"
    ident = attrib.get("id")
    if not classes and not ident:
        return None
    return class_reason(f"{classes or ''} {ident or ''}")


def _p_text_len(el: HtmlElement) -> int:
    return sum(len(p.text_content()) for p in el.iter("p"))


def _is_prose(el: HtmlElement) -> bool:
    """Holds long text that is mostly not links (article text, not furniture): either several long
    paragraphs, or enough plain text outside links, scripts and styles."""
    if _TEXT_LENGTH(el) < markup.GUARD_PROSE_CHARS:
        return False  # all its text is too short already (one C-level pass; most furniture stops here)
    plain = len("".join(_PLAIN_TEXT(el)).strip())
    if plain < markup.GUARD_PROSE_CHARS:
        return False
    linked = len("".join(_LINKED_TEXT(el)).strip())
    if linked > markup.GUARD_PROSE_MAX_LINK_SHARE * (plain + linked):
        return False
    if plain >= markup.GUARD_PROSE_TOTAL_CHARS:
        return True
    long_paragraphs = sum(1 for p in el.iter("p") if len(p.text_content()) >= markup.GUARD_PROSE_CHARS)
    return long_paragraphs >= markup.GUARD_PROSE_PARAGRAPHS


def _collect_captions(tree: HtmlElement, found: set[str]) -> None:
    for el in tree.iter("img", *_CAPTION_TAGS):
        texts = [el.get("alt") or "", el.get("title") or ""] if el.tag == "img" else [el.text_content()]
        for text in texts:
            key = norm_key(text)
            if len(key) >= markup.CAPTION_MIN_CHARS:
                found.add(key)


def _guarded(child: HtmlElement, reason: str, guard: float) -> bool:
    """Whether a furniture match must be kept: it holds the article (much of the page's paragraph
    text, or prose) behind an unlucky class name. Figures are kept only when they hold several
    paragraphs (gallery articles set their text in figures); comment threads never."""
    if reason in _UNGUARDED_REASONS:
        return False
    if child.tag in ("figure", "figcaption", "picture"):
        long_paragraphs = sum(1 for p in child.iter("p") if len(p.text_content()) >= markup.GUARD_PROSE_CHARS)
        return long_paragraphs >= markup.GUARD_PROSE_PARAGRAPHS
    if child.tag in _UNGUARDED_TAGS:
        return False
    return _p_text_len(child) > guard or _is_prose(child)


def _drop_furniture(root: HtmlElement, result: PrecleanResult, total_p: int) -> None:
    guard = max(markup.GUARD_MIN_CHARS, markup.GUARD_SHARE * total_p)
    # Top-down: a dropped element's subtree is never visited.
    stack = [root]
    while stack:
        parent = stack.pop()
        for child in list(parent):
            if not isinstance(child.tag, str):
                continue
            reason = drop_reason(child)
            if reason is None or _guarded(child, reason, guard):
                stack.append(child)
                continue
            if reason == "caption":
                key = norm_key(child.text_content())
                if len(key) >= markup.CAPTION_MIN_CHARS:
                    result.captions.add(key)
            if child.text_content().strip():
                result.dropped[reason] += 1
            child.drop_tree()


def _is_other_page_link(href: str | None, page_url: str) -> bool:
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return False
    target = urlsplit(urljoin(page_url, href))
    page = urlsplit(page_url)
    if target.scheme not in ("http", "https"):
        return False
    same_host = (target.hostname or "").removeprefix("www.") == (page.hostname or "").removeprefix("www.")
    return same_host and target.path.rstrip("/") != page.path.rstrip("/") and target.path not in ("", "/")


def _drop_link_only(root: HtmlElement, url: str, result: PrecleanResult) -> None:
    for el in list(root.iter(*markup.LINK_ONLY_TAGS)):
        links = el.findall(".//a")
        if not links:
            continue
        text = collapse(el.text_content())
        if not text or len(text.split()) > markup.LINK_ONLY_MAX_WORDS:
            continue
        link_text = "".join(collapse(a.text_content()) for a in links)
        rest = text
        for a in links:
            rest = rest.replace(collapse(a.text_content()), "", 1)
        if rest.strip(markup.LINK_ONLY_FILLER) or not link_text:
            continue
        if all(_is_other_page_link(a.get("href"), url) for a in links):
            result.dropped["related_link"] += 1
            result.teaser_chars += len(text)
            el.drop_tree()


def prune_xpaths(root: HtmlElement, xpaths: tuple[str, ...], result: PrecleanResult) -> None:
    """Remove every element matching the site's prune XPaths (counted as "site_prune")."""
    for expr in xpaths:
        for el in etree.XPath(expr)(root):
            if isinstance(el, HtmlElement) and el.getparent() is not None:
                if collapse(el.text_content()):
                    result.dropped["site_prune"] += 1
                el.drop_tree()


def preclean(root: HtmlElement, url: str, xpaths: tuple[str, ...] = ()) -> PrecleanResult:
    """Clean ``root`` in place (see the module docstring) and return what was learnt."""
    result = PrecleanResult()
    body = root.find("body")
    scope = body if body is not None else root
    prune_xpaths(root, xpaths, result)
    _collect_captions(scope, result.captions)
    total_p = _p_text_len(scope)
    # Captions by structure first: it needs the images, video and embeds that the furniture pass removes.
    found = drop_captions(scope, total_p)
    result.captions |= found.captions
    result.dropped.update(found.dropped)
    result.caption_positions = found.positions
    _drop_furniture(scope, result, total_p)
    _drop_link_only(scope, url, result)
    for a in scope.iter("a"):
        key = norm_key(a.text_content())
        if len(key) >= markup.TEASER_MIN_CHARS:
            result.link_keys.add(key)
    return result
