"""Put back structure trafilatura lost: merged blocks split again, and subheadings, list items and
quotes between kept paragraphs restored.

On short pages trafilatura's rescue path can return a whole article column as one line (title, byline,
paragraphs and prompts run together), which hides residue from the line pass: such a line is cut
back into the page's blocks it is made of.

trafilatura sometimes swaps its own result for a fallback algorithm's (justext keeps paragraphs only)
or drops short blocks; subheadings and list items of the body then vanish although the paragraphs
around them are kept. A block of the pre-cleaned page that sits between two blocks present in the
output, and is a heading, list item or quote that is not mostly links, is put back at its place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.etree import XPath
from lxml.html import HtmlElement

from extract.textnorm import collapse, norm_key

# Blocks compared with the output, in document order; only RESTORABLE ones are ever put back.
BLOCK_TAGS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt")
RESTORABLE_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "li", "blockquote", "dd", "dt"})
# At most this many consecutive missing blocks are put back between two present ones.
MAX_GAP_BLOCKS = 12
# Blocks whose text is more than this share links are navigation or teasers: never put back.
MAX_LINK_SHARE = 0.5
MAX_BLOCK_WORDS = 80
# Only lines this long are checked for merged blocks, and only blocks this long are looked for.
MIN_SPLIT_LINE_CHARS = 100
MIN_SPLIT_BLOCK_CHARS = 12

# Leaf blocks (containing no other block), in document order, selected in one C-level pass.
_NOT_NESTED = " or ".join(f"descendant::{tag}" for tag in BLOCK_TAGS)
_BLOCKS = XPath(" | ".join(f"//body//{tag}[not({_NOT_NESTED})]" for tag in BLOCK_TAGS))


@dataclass(frozen=True)
class Block:
    """A leaf block of the page: its tag ("x" when it may never be restored), text, container
    (the parent element; for list items, the list's parent) and the element itself."""

    tag: str
    text: str
    container: HtmlElement | None
    element: HtmlElement | None = None
    key: str = ""  # norm_key(text), computed once (restore and the positions both compare by it)


def _container(el: HtmlElement) -> HtmlElement | None:
    parent = el.getparent()
    if el.tag in ("li", "dd", "dt") and parent is not None:
        return parent.getparent()
    return parent


def leaf_blocks(root: HtmlElement) -> list[Block]:
    """Block elements that contain no other block, in document order."""
    out: list[Block] = []
    for el in _BLOCKS(root):
        text = collapse(el.text_content())
        if not text:
            continue
        tag = el.tag
        if tag in RESTORABLE_TAGS:
            linked = sum(len(a.text_content().strip()) for a in el.iter("a"))
            if linked > MAX_LINK_SHARE * len(text) or len(text.split()) > MAX_BLOCK_WORDS:
                tag = "x"  # present or not, never restored
        out.append(Block(tag, text, _container(el), el, norm_key(text)))
    return out


def resegment(lines: list[str], blocks: list[Block]) -> list[str]:
    """Cut lines that run several page blocks together back into those blocks (in their order)."""
    texts = [block.text for block in blocks if len(block.text) >= MIN_SPLIT_BLOCK_CHARS]
    out: list[str] = []
    for line in lines:
        if len(line) < MIN_SPLIT_LINE_CHARS:
            out.append(line)
            continue
        pieces: list[str] = []
        position = matched = 0
        for text in texts:
            index = line.find(text, position)
            if index < 0:
                continue
            if line[position:index].strip():
                pieces.append(line[position:index].strip())
            pieces.append(text)
            position = index + len(text)
            matched += 1
        if line[position:].strip():
            pieces.append(line[position:].strip())
        out.extend(pieces if matched >= 2 else [line])
    return out


def restore_blocks(root: HtmlElement, lines: list[str], blocks: list[Block] | None = None) -> tuple[list[str], int]:
    """``lines`` with merged blocks split, and dropped headings/list items/quotes put back between kept
    blocks; and how many blocks were put back. ``blocks``: ``leaf_blocks(root)`` when already computed."""
    if not lines:
        return lines, 0
    if blocks is None:
        blocks = leaf_blocks(root)
    lines = resegment(lines, blocks)
    keys = [norm_key(line) for line in lines]
    position: dict[str, int] = {}
    for index, key in enumerate(keys):
        position.setdefault(key, index)
    inserts: dict[int, list[str]] = {}
    gap: list[Block] = []
    previous: Block | None = None
    for block in blocks:
        found = position.get(block.key or norm_key(block.text))
        if found is None:
            if previous is not None:
                gap.append(block)
            continue
        if gap and len(gap) <= MAX_GAP_BLOCKS and previous is not None:
            # Only blocks set among the kept ones (same container before, inside and after the gap):
            # a heading between the article's end and a sidebar paragraph is not body.
            home = previous.container
            if home is not None and block.container is home and all(g.container is home for g in gap):
                restorable = [g.text for g in gap if g.tag in RESTORABLE_TAGS]
                if restorable:
                    inserts.setdefault(found, []).extend(restorable)
        gap = []
        previous = block
    if not inserts:
        return lines, 0
    out: list[str] = []
    for index, line in enumerate(lines):
        out.extend(inserts.get(index, ()))
        out.append(line)
    return out, sum(len(v) for v in inserts.values())


# The standfirst (the summary under the headline) is often the page's description, set apart from the body
# where the extractor does not look. An element before the first kept block whose text is the description
# (the same words, or its start when one was cut) is put back in front, when it sits near the body: its
# element and the first kept block's share an ancestor at most STANDFIRST_MAX_LEVELS up, or at most
# STANDFIRST_MAX_BLOCKS blocks separate them (a header above the body column).
STANDFIRST_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "dd", "div", "span", "section", "header"})
STANDFIRST_MIN_WORDS = 6
STANDFIRST_SIMILARITY = 0.8
STANDFIRST_MAX_LEVELS = 4
STANDFIRST_MAX_BLOCKS = 8
STANDFIRST_NEEDLE_CHARS = 24  # the description's start looked for in the page's text nodes
_WORD = re.compile(r"\w+")
_MARKUP = re.compile(r"<[^>]{0,200}>")
_TEXT_WITH = XPath("//body//text()[contains(., $needle)]")  # smart strings: they know their element


def _same_words(a: str, b: str) -> bool:
    wa, wb = set(_WORD.findall(a)), set(_WORD.findall(b))
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= STANDFIRST_SIMILARITY


def _is_description(key: str, description: str) -> bool:
    if len(key) < STANDFIRST_MIN_WORDS * 3 or len(key.split()) < STANDFIRST_MIN_WORDS:
        return False
    cut = description.rstrip(".…").strip()
    if key == description or key.startswith(cut) or description.startswith(key):
        return True
    # The same words in another order or spelling: only texts of about the same length can be.
    return 0.7 * len(description) <= len(key) <= 1.4 * len(description) and _same_words(key, description)


def _near(el: HtmlElement | None, other: HtmlElement | None) -> bool:
    if el is None or other is None:
        return False
    ancestors = set(list(other.iterancestors())[:STANDFIRST_MAX_LEVELS])
    return any(a in ancestors for a in list(el.iterancestors())[:STANDFIRST_MAX_LEVELS])


def _description_element(root: HtmlElement, description: str, wanted: str) -> HtmlElement | None:
    """The innermost element (of STANDFIRST_TAGS) whose text is the description, found from the text node
    holding its start (one C-level pass over the text nodes, no string value of every element)."""
    needle = collapse(description)[:STANDFIRST_NEEDLE_CHARS]
    if len(needle) < STANDFIRST_NEEDLE_CHARS // 2:
        return None
    for text in _TEXT_WITH(root, needle=needle):
        el = text.getparent()
        if el is not None and text.is_tail:
            el = el.getparent()
        for _ in range(STANDFIRST_MAX_LEVELS):
            if el is None:
                break
            if el.tag in STANDFIRST_TAGS and _is_description(norm_key(el.text_content()), wanted):
                return el
            el = el.getparent()
    return None


def restore_standfirst(root: HtmlElement, lines: list[str], blocks: list[Block],
                       description: str | None) -> tuple[list[str], int]:
    """``lines`` with the standfirst put back in front when the extractor left it out (see above); and 1
    when it was, else 0."""
    if not lines or not description:
        return lines, 0
    description = _MARKUP.sub(" ", description)  # some sites put HTML in their description
    wanted = norm_key(description)
    if len(wanted.split()) < STANDFIRST_MIN_WORDS:
        return lines, 0
    present = {norm_key(line) for line in lines}
    if any(_is_description(key, wanted) for key in present):
        return lines, 0
    first = next((b for b in blocks if (b.key or norm_key(b.text)) in present), None)
    if first is None or first.element is None:
        return lines, 0
    el = _description_element(root, description, wanted)
    if el is None or el in first.element.iterancestors() or not _precedes(el, first, blocks):
        return lines, 0
    return [collapse(el.text_content()), *lines], 1


def _precedes(el: HtmlElement, first: Block, blocks: list[Block]) -> bool:
    """Whether ``el`` comes before the first kept block, near it (see above)."""
    assert first.element is not None
    if _near(el, first.element):
        return _document_order(el, first.element)
    seen_el, between = False, 0
    for block in blocks:
        if block is first:
            return seen_el and between <= STANDFIRST_MAX_BLOCKS
        inside = block.element is not None and (block.element is el or el in block.element.iterancestors()
                                                or block.element in el.iterancestors())
        if inside:
            seen_el, between = True, 0
        elif seen_el:
            between += 1
    return False


def _document_order(a: HtmlElement, b: HtmlElement) -> bool:
    """Whether ``a`` starts before ``b`` in the document (one walk, only ever for one pair per page)."""
    for el in a.getroottree().iter():
        if el is a:
            return True
        if el is b:
            return False
    return False
