"""Captions and credits found by structure, for markup whose names say nothing (hashed class names, no
<figure>): part of the pre-clean, run before figures and embeds are removed.

For every media element (img, picture, video, iframe; icons and pixels aside) the pass climbs to the
largest wrapper that holds nothing but the media (its *unit*), then looks at the unit's container:

- a *media box* (the container holds a few short text blocks and little else) is dropped whole: its
  text is the caption and the credit;
- in a larger container (the body, where captions sit beside the paragraphs), the text blocks right after
  the unit are captions when something says so: the text repeats the image's alt or title, it is a credit
  (the residue rules' photo credits: ©, "Photo:", "/AFP", "Copyright 2024 ... All rights reserved"), a
  credit follows it, or its class differs from the class the body paragraphs share. A block before the
  unit is dropped only when it is a credit.

Blocks beside media that nothing confirms are kept, and marked (``MEDIA_MARK``) so the site-level pass can
decide from many pages whether that position of the template carries captions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml.etree import XPath
from lxml.html import HtmlElement

from extract.patterns import markup
from extract.positions import MEDIA_MARK, signature
from extract.residue import credit_line
from extract.textnorm import collapse, norm_key

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NOT_CAPTIONS = frozenset({"ul", "ol", "table", "tbody", "thead", "tr", "td", "th", "dl", "form", "nav", "header",
                           "footer", "main", "article", "body", "blockquote"})
_HAS_TEXT = XPath("boolean(descendant::text()[normalize-space()][1])")  # [1]: libxml2 stops at the first
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
_INLINE_BOXES = frozenset({"p", "span", "a", "em", "i", "small", "strong", "b"})
_WORDS = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")


@dataclass
class CaptionResult:
    """What the caption pass removed and learnt."""

    captions: set[str] = field(default_factory=set)  # comparison keys of the caption and credit texts dropped
    dropped: Counter[str] = field(default_factory=Counter)
    dropped_elements: list[HtmlElement] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)  # their template positions (extract.positions)


def _pixels(value: str | None) -> int | None:
    match = _NUMBER.match((value or "").strip())
    return int(match.group()) if match else None


def is_media(el: HtmlElement) -> bool:
    """Whether an element shows a picture or a video (not an icon, emoji or tracking pixel)."""
    if el.tag == "img":
        sizes = [p for p in (_pixels(el.get("width")), _pixels(el.get("height"))) if p is not None]
        if sizes and min(sizes) < markup.MEDIA_MIN_PIXELS:
            return False
        hint = f"{el.get('src') or ''} {el.get('class') or ''}".lower()
        return not any(word in hint for word in markup.ICON_WORDS)
    if el.tag == "iframe":
        sizes = [p for p in (_pixels(el.get("width")), _pixels(el.get("height"))) if p is not None]
        return not sizes or min(sizes) >= markup.MEDIA_MIN_PIXELS
    return True


def _has_text(el: HtmlElement) -> bool:
    return bool(_HAS_TEXT(el))


def _words_upto(el: HtmlElement, limit: int) -> int:
    """The element's word count, counting stops past ``limit`` (a body container is not read whole)."""
    count = 0
    for text in el.itertext():
        count += len(text.split())
        if count > limit:
            break
    return count


def _unit(media: HtmlElement, stop: HtmlElement) -> HtmlElement:
    """The largest ancestor-or-self of ``media`` below ``stop`` that holds no text (only the media)."""
    unit = media
    parent = unit.getparent()
    while parent is not None and parent is not stop and not (unit.tail or "").strip() and not _has_text(parent):
        unit = parent
        parent = unit.getparent()
    return unit


def _alt_texts(unit: HtmlElement) -> list[set[str]]:
    texts = []
    for el in unit.iter("img", "video", "iframe"):
        for name in ("alt", "title", "aria-label"):
            words = set(_WORDS.findall(norm_key(el.get(name) or "")))
            if len(words) >= 3:
                texts.append(words)
    return texts


def repeats_alt(text: str, alts: list[set[str]]) -> bool:
    """Whether ``text`` says what an alt/title says (word overlap at least markup.ALT_SIMILARITY)."""
    words = set(_WORDS.findall(norm_key(text)))
    if not words or len(words) > markup.CAPTION_MAX_WORDS:
        return False
    return any(len(words & alt) / len(words | alt) >= markup.ALT_SIMILARITY for alt in alts)


def caption_sized(text: str) -> bool:
    """Short enough for a caption: at most CAPTION_MAX_WORDS words in at most CAPTION_MAX_SENTENCES
    sentences, or a credit (which may carry sentence stops of its own)."""
    if len(text.split()) > markup.CAPTION_MAX_WORDS:
        return False
    return len(_SENTENCE_END.findall(text)) <= markup.CAPTION_MAX_SENTENCES or credit_line(text)


def _text_blocks(box: HtmlElement, unit: HtmlElement) -> list[HtmlElement] | None:
    """The box's children (other than the unit) that hold text, or None when one of them cannot be a
    caption (a heading, a list, a table, prose)."""
    blocks = []
    for child in box:
        if child is unit or not isinstance(child.tag, str):
            continue
        if not _has_text(child):
            continue
        if child.tag in _HEADINGS or child.tag in _NOT_CAPTIONS or child.find(".//h2") is not None:
            return None
        if _words_upto(child, markup.CAPTION_MAX_WORDS) > markup.CAPTION_MAX_WORDS:
            return None
        if not caption_sized(collapse(child.text_content())):
            return None
        blocks.append(child)
    return blocks


def _body_class(el: HtmlElement) -> str | None:
    """The class most same-tag siblings of ``el`` holding a paragraph's worth of text share, when enough of
    them do (the body's paragraphs)."""
    parent = el.getparent()
    if parent is None:
        return None
    classes = Counter(c.get("class") or "" for c in parent
                      if c.tag == el.tag and _words_upto(c, markup.BODY_PARAGRAPH_WORDS) >= markup.BODY_PARAGRAPH_WORDS)
    if not classes:
        return None
    common, count = classes.most_common(1)[0]
    return common if count >= markup.BODY_CLASS_MIN_SIBLINGS else None


def _following(unit: HtmlElement) -> Iterator[HtmlElement]:
    for sibling in unit.itersiblings():
        if not isinstance(sibling.tag, str) or not _has_text(sibling):
            continue
        yield sibling


_CONNECTORS = frozenset(markup.CREDIT_CONNECTORS)


def credit_shaped(text: str) -> bool:
    """A short line naming a photographer and an outlet ("Jane Doe for The Daily", "Jean Roux pour Le
    Journal"): 2-3 capitalised words, a connector, a capitalised name; no closing stop. Only ever asked of a
    block right beside media, after a caption or before a credit."""
    words = text.split()
    if not 3 <= len(words) <= markup.CREDIT_MAX_WORDS or _SENTENCE_END.search(text):
        return False
    at = next((n for n, w in enumerate(words) if w.lower() in _CONNECTORS), None)
    if at is None or not 2 <= at <= 3 or at == len(words) - 1:
        return False
    return all(w[:1].isupper() for w in words[:at]) and words[at + 1][:1].isupper()


def _candidate(el: HtmlElement) -> bool:
    return (el.tag in markup.CAPTION_BLOCK_TAGS and el.tag not in _HEADINGS and el.find(".//img") is None
            and _words_upto(el, markup.CAPTION_MAX_WORDS) <= markup.CAPTION_MAX_WORDS
            and caption_sized(collapse(el.text_content())))


class _Pass:
    def __init__(self, body: HtmlElement, total_p_chars: int) -> None:
        self.body = body
        self.guard = markup.CAPTION_BOX_MAX_SHARE * total_p_chars
        self.result = CaptionResult()
        self.dropping: set[HtmlElement] = set()

    def drop(self, el: HtmlElement, why: str) -> None:
        """Remove ``el`` as a caption (``why`` names the evidence, for debugging)."""
        if el in self.dropping:
            return
        self.dropping.add(el)
        el.set(MEDIA_MARK, "1")  # the position of a caption is a position beside media, confirmed or not
        self.result.positions.append(signature(el))
        key = norm_key(el.text_content())
        if len(key) >= markup.CAPTION_MIN_CHARS:
            self.result.captions.add(key)
        self.result.dropped["caption"] += 1
        self.result.dropped_elements.append(el)

    def media_box(self, box: HtmlElement, unit: HtmlElement) -> bool:
        """Drop the box's caption and credit when the box is a media box; whether it was."""
        if box is self.body or box.tag in _NOT_CAPTIONS or box.tag in _INLINE_BOXES:
            return False
        if _words_upto(box, markup.CAPTION_BOX_MAX_WORDS) > markup.CAPTION_BOX_MAX_WORDS:
            return False
        blocks = _text_blocks(box, unit)
        if not blocks or len(blocks) > markup.CAPTION_BOX_MAX_BLOCKS:
            return False
        if sum(len(p.text_content()) for p in box.iter("p")) > self.guard:
            return False
        for block in blocks:
            self.drop(block, "box")
        return True

    def beside(self, unit: HtmlElement) -> None:
        """Captions and credits among the blocks right after the unit (and a credit right before it)."""
        followers: list[HtmlElement] = []
        for sibling in _following(unit):
            if len(followers) == markup.CAPTION_SIBLINGS or not _candidate(sibling):
                break
            followers.append(sibling)
        self.confirm(followers, _alt_texts(unit))
        previous = unit.getprevious()
        if (previous is not None and isinstance(previous.tag, str) and _candidate(previous)
                and credit_line(collapse(previous.text_content()))):
            self.drop(previous, "credit_before")

    def in_paragraph(self, box: HtmlElement, unit: HtmlElement) -> bool:
        """An image leading a short paragraph, the text after it (``<p><img><br>Caption</p>``): the paragraph
        is a caption when something confirms it, as a block after the image would be. Whether this applied."""
        if box.tag not in _INLINE_BOXES or box is self.body or (box.text or "").strip():
            return False
        if any(_has_text(s) or (s.tail or "").strip() for s in unit.itersiblings(preceding=True)):
            return False  # text before the image: the image sits inside a body paragraph
        text = collapse(box.text_content())
        if len(text.split()) > markup.CAPTION_MAX_WORDS or not caption_sized(text):
            return False
        self.confirm([box], _alt_texts(unit))
        return True

    def confirm(self, followers: list[HtmlElement], alts: list[set[str]]) -> None:
        """Drop the blocks (right after media, in order) that something confirms as caption or credit; mark
        the first one when nothing does."""
        texts = [collapse(f.text_content()) for f in followers]
        credits = [credit_line(text) for text in texts]
        body_class = _body_class(followers[0]) if followers else None
        for n, el in enumerate(followers):
            text = texts[n]
            # A class of its own marks a caption, not a subheading (short, no closing stop) set after an image.
            own_class = (body_class is not None and (el.get("class") or "") != body_class
                         and (len(text.split()) >= markup.HEADING_MAX_WORDS or _SENTENCE_END.search(text) is not None))
            credit_next = n + 1 < len(followers) and (credits[n + 1] or credit_shaped(texts[n + 1]))
            after_caption = n > 0 and credit_shaped(text)  # the block before was a caption (else: no loop here)
            why = ("credit" if credits[n] or after_caption else "alt" if repeats_alt(text, alts)
                   else "class" if own_class else "credit_next" if credit_next else "")
            if why:
                self.drop(el, why)
                continue
            if n == 0:
                el.set(MEDIA_MARK, "1")  # right beside the media: the site-level pass may know better
            break  # an unconfirmed block ends the caption: what follows is body


def _media_elements(scope: HtmlElement) -> list[HtmlElement]:
    found = []
    for el in scope.iter(*markup.MEDIA_TAGS):
        if el.tag == "img" and next(el.iterancestors("picture", "video"), None) is not None:
            continue  # the picture/video is the media
        if is_media(el):
            found.append(el)
    return found


def drop_captions(scope: HtmlElement, total_p_chars: int) -> CaptionResult:
    """Find and remove captions and credits by structure in ``scope`` (the page body); see the module
    docstring. Returns their comparison keys and counts (reason "caption")."""
    work = _Pass(scope, total_p_chars)
    seen: set[HtmlElement] = set()  # units done (elements kept referenced, so their proxies stay the same)
    for media in _media_elements(scope):
        unit = _unit(media, scope)
        box = unit.getparent()
        if box is None or unit in seen:
            continue
        seen.add(unit)
        if not work.media_box(box, unit) and not work.in_paragraph(box, unit):
            work.beside(unit)
    for el in work.result.dropped_elements:
        if el.getparent() is not None:
            el.drop_tree()
    return work.result
