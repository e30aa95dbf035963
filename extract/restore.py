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
