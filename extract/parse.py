"""Parse a page once, with its cost bounded: decoded text to one lxml tree that every layer shares.

libxml2 checks each new attribute of an element against all the earlier ones, so one element with 100,000
attributes (a 1.5 MB page) took a minute to parse, and readability parses the kept part again. Start tags
are therefore scanned first, in one linear pass that tokenises them as HTML5 does (quoted values, raw text
elements, comments), and an element keeps only its first ``max_attributes`` attributes. The parse itself
is trafilatura's (same options, same repairs) with libxml2's huge-tree mode, so a page nested deeper than
256 elements is read whole in the same single parse.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html
from lxml.html import HtmlElement
from trafilatura.utils import is_dubious_html, repair_faulty_html

from extract.errors import NotHTML, TooComplex
from extract.hints import DEFAULT_MAX_ATTRIBUTES

# (The largest of the 990 development-set pages has 38 attributes on one element; parse time stays linear
# up to a few hundred per element and grows with their square beyond.)

# trafilatura's HTML_PARSER, plus huge_tree (no 256-level depth limit, no 10 MB text node limit).
PARSER = lxml.html.HTMLParser(huge_tree=True, collect_ids=False, default_doctype=False, encoding="utf-8",
                              remove_comments=True, remove_pis=True)

# One attribute as the HTML5 tokenizer reads it: a name (anything up to space, "/", ">" or "="), then
# maybe "=" and a value, quoted (to the closing quote, or the end of the page) or not. Every pattern below
# can always match, so scanning never backtracks across the page: it is linear in the page length.
_ATTRIBUTE = r"""[\s/]*+[^\s/>][^\s/>=]*+(?:\s*+=\s*+(?:"[^"]*+"?+|'[^']*+'?+|[^\s>]*+))?+"""
_RAW_TEXT = "script|style|textarea|title|xmp|iframe|noembed|noframes"
# After "<": a comment (to "-->"), a raw-text element's start tag and its content (to its end tag: what looks
# like markup in a script is not), or any other start tag. Possessive quantifiers: nothing is retried.
_MARKUP = re.compile(
    r"<(?:(?P<comment>!--[^-]*+(?:-(?!->)[^-]*+)*+(?:-->)?+)"
    rf"|(?P<raw>(?i:(?P<rawname>{_RAW_TEXT}))(?![^\s/>])(?:{_ATTRIBUTE})*+[\s/]*+>?+)"
    r"[^<]*+(?:<(?!/(?i:(?P=rawname))(?![^\s/>]))[^<]*+)*+"
    rf"|(?P<tag>[a-zA-Z][^\s/>]*+(?:{_ATTRIBUTE})*+[\s/]*+>?+))"
)
_ONE_ATTRIBUTE = re.compile(_ATTRIBUTE)
_TAG_NAME = re.compile(r"<[a-zA-Z][^\s/>]*")


def bound_attributes(text: str, max_attributes: int = DEFAULT_MAX_ATTRIBUTES) -> str:
    """``text`` with every start tag cut to its first ``max_attributes`` attributes (unchanged when none has
    more: the common case costs one regex pass)."""
    # A tag with more attributes than the bound is at least two characters per attribute long.
    shortest = 2 * max_attributes
    pieces: list[str] = []
    done = 0
    for match in _MARKUP.finditer(text):
        if match.end() - match.start() <= shortest:  # most tags: one cheap test
            continue
        group = "tag" if match.group("tag") is not None else "raw" if match.group("raw") is not None else None
        if group is None:
            continue
        start, end = match.span(group)
        start -= 1  # the "<" before the group
        if end - start <= shortest:
            continue
        cut = _first_attributes(text, start, end, max_attributes)
        if cut is not None:
            pieces.append(text[done:start])
            pieces.append(cut)
            done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _first_attributes(text: str, start: int, end: int, max_attributes: int) -> str | None:
    """The start tag text[start:end] with only its first attributes, or None when it has few enough."""
    name = _TAG_NAME.match(text, start)
    assert name is not None  # the markup pattern matched a start tag here
    position = name.end()
    for count, attribute in enumerate(_ONE_ATTRIBUTE.finditer(text, position, end), start=1):
        if count > max_attributes:
            return text[start:position] + (">" if text[end - 1] == ">" else "")
        position = attribute.end()
    return None


def parse_html(text: str, max_attributes: int = DEFAULT_MAX_ATTRIBUTES) -> HtmlElement:
    """Parse decoded text once, as trafilatura's ``load_html`` does but in huge-tree mode and with start tags
    bounded to ``max_attributes`` attributes; NotHTML when it is not an HTML document."""
    head = text.lstrip()[:1024]
    if "<" not in head:
        raise NotHTML("no markup at the start of the document")
    text = bound_attributes(text, max_attributes)
    beginning = text[:50].lower()
    dubious = is_dubious_html(beginning)
    text = repair_faulty_html(text, beginning)
    tree: HtmlElement | None
    try:
        tree = lxml.html.fromstring(text, parser=PARSER)
    except lxml.etree.ParserError:  # "Document is empty": markup that holds no element ("</ ")
        tree = None
    except ValueError:  # "Unicode strings with encoding declaration are not supported": parse the bytes
        tree = _parse_bytes(text)
    else:
        if tree is None or len(tree) < 1:
            tree = _parse_bytes(text)
    if tree is None or (dubious and len(tree) < 2):
        raise NotHTML("not parseable as an HTML document")
    return tree


def _parse_bytes(text: str) -> HtmlElement | None:
    try:
        return lxml.html.fromstring(text.encode("utf-8", "surrogatepass"), parser=PARSER)
    except (lxml.etree.ParserError, ValueError):
        return None


_COUNT_ELEMENTS = lxml.etree.XPath("count(//*)")


def check_size(tree: HtmlElement, max_elements: int) -> None:
    """TooComplex when the tree has more than ``max_elements`` elements (counted inside libxml2: no Python
    object per element)."""
    count = int(_COUNT_ELEMENTS(tree))
    if count > max_elements:
        raise TooComplex(f"{count} elements > {max_elements}")
