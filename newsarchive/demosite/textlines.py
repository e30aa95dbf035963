"""Visible text lines of an HTML element, the way a naive text scraper (like the samples') reads a page.

Block elements start and end lines, inline elements join their text into the current line, whitespace
collapses to single spaces, empty lines are dropped; scripts, styles, the head and ``hidden`` elements
show nothing; image alt text is not text.
"""

from __future__ import annotations

from lxml import html as lxml_html

BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "dd", "details", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th",
        "tr", "ul",
    }
)  # fmt: skip
SKIP_TAGS = frozenset({"head", "script", "style", "noscript", "template", "svg", "iframe", "title"})


def visible_lines(element: lxml_html.HtmlElement) -> list[str]:
    """The non-empty visible text lines under ``element``, in document order."""
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        buffer.clear()
        if text:
            lines.append(text)

    def walk(node: lxml_html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag and tag not in SKIP_TAGS and node.get("hidden") is None:
            block = tag in BLOCK_TAGS
            if block:
                flush()
            buffer.append(node.text or "")
            for child in node:
                walk(child)
            if block:
                flush()
        buffer.append(node.tail or "")

    walk(element)
    flush()
    return lines


def page_lines(page: bytes | str) -> list[str]:
    """Visible lines of a whole HTML page's body."""
    root = lxml_html.document_fromstring(page)
    body = root.find("body")
    return visible_lines(body if body is not None else root)
