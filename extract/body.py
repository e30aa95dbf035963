"""Layer 2: trafilatura on the pre-cleaned tree, its XML body flattened to lines in reading order.

Paragraphs, headings, list items, quotes and table rows each become one or more lines (a <lb/>
inside a paragraph starts a new line); table cells are joined with " | ".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.etree import _Element
from lxml.html import HtmlElement

from extract.textnorm import collapse

CELL_SEPARATOR = " | "


@dataclass(frozen=True)
class BodyOptions:
    """trafilatura settings (measured on the dev set, see benchmarks/).

    trafilatura's fallback comparison (readability, jusText) costs about as much as its own pass and helps
    only where that pass found little: it is run when the fast pass returned less than ``fallback_below``
    of the page's paragraph text (0: never; ``fast=True``: never either).
    """

    favor_precision: bool = False
    favor_recall: bool = False
    fast: bool = False
    include_tables: bool = True
    fallback_below: float = 0.5


DEFAULT_BODY_OPTIONS = BodyOptions()


def _split_text(el: _Element, skip: tuple[str, ...] = ()) -> list[str]:
    """The element's text split at <lb/>, leaving out nested elements named in ``skip``."""
    parts: list[str] = []

    def walk(node: _Element) -> None:
        parts.append(node.text or "")
        for child in node:
            if child.tag == "lb" or child.tag in skip:
                parts.append("\n")
            else:
                walk(child)
            parts.append(child.tail or "")

    walk(el)
    return [line for line in (collapse(piece) for piece in "".join(parts).split("\n")) if line]


def _emit(el: _Element, lines: list[str]) -> None:
    tag = el.tag
    if tag == "list":
        for item in el:
            if item.tag == "item":
                lines.extend(_split_text(item, skip=("list", "table")))
                for nested in item:
                    if nested.tag in ("list", "table"):
                        _emit(nested, lines)
            else:
                _emit(item, lines)
    elif tag == "table":
        for row in el.iter("row"):
            cells = [collapse(" ".join(cell.itertext())) for cell in row if cell.tag == "cell"]
            line = CELL_SEPARATOR.join(c for c in cells if c)
            if line:
                lines.append(line)
    elif tag in ("quote", "div", "section") and any(child.tag in ("p", "list", "head", "table") for child in el):
        _emit_children(el, lines)
    else:
        lines.extend(_split_text(el))


def _emit_children(parent: _Element, lines: list[str]) -> None:
    """The parent's own leading text, then each child and the loose text after it (trafilatura
    leaves text that followed a block as that block's tail)."""
    lines.extend(_plain_lines(parent.text))
    for child in parent:
        if isinstance(child.tag, str):
            _emit(child, lines)
        lines.extend(_plain_lines(child.tail))


def _plain_lines(text: str | None) -> list[str]:
    if not text or not text.strip():
        return []
    return [line for line in (collapse(piece) for piece in text.split("\n")) if line]


def body_lines(body: _Element) -> list[str]:
    """Lines of trafilatura's XML body, in order."""
    lines: list[str] = []
    _emit_children(body, lines)
    return lines


def _run(tree: HtmlElement, url: str, options: BodyOptions, fast: bool) -> list[str]:
    kwargs: dict[str, Any] = {
        "url": url,
        "include_comments": False,
        "include_tables": options.include_tables,
        "favor_precision": options.favor_precision,
        "favor_recall": options.favor_recall,
        "fast": fast,
        "with_metadata": False,
    }
    document = trafilatura.bare_extraction(tree, **kwargs)
    if document is None or isinstance(document, dict):
        return []
    body = getattr(document, "body", None)
    return body_lines(body) if body is not None else []


def extract_lines(tree: HtmlElement, url: str, options: BodyOptions = DEFAULT_BODY_OPTIONS) -> list[str]:
    """Run trafilatura (no comments, no metadata) on ``tree`` and return the main text as lines: its fast
    pass, and its full pass with the fallback comparison when the fast one kept too little (see BodyOptions)."""
    lines = _run(tree, url, options, fast=True)
    if options.fast or options.fallback_below <= 0:
        return lines
    page = sum(len(p.text_content()) for p in tree.iter("p"))
    if sum(len(line) for line in lines) >= options.fallback_below * page:
        return lines
    return _run(tree, url, options, fast=False)
