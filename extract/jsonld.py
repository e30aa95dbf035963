"""JSON-LD blocks of a page: parsed leniently, flattened, and the main article object picked out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

from extract.safetext import without_surrogates

# schema.org types that describe an article (the object whose metadata we want).
ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "socialmediaposting",
        "report",
        "scholarlyarticle",
        "techarticle",
        "liveblogposting",
        "posting",
    }
)
# Types that, as the page's main entity, mean the page is not a single article.
NON_ARTICLE_TYPES = frozenset(
    {
        "collectionpage",
        "itemlist",
        "imagegallery",
        "mediagallery",
        "videogallery",
        "videoobject",
        "searchresultspage",
        "profilepage",
    }
)

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL = re.compile(r"[\x00-\x1f]")
# Bounds on a page's JSON-LD: a block nested deeper than MAX_DEPTH (schema.org metadata is a few levels
# deep) or longer than MAX_BLOCK_CHARS is ignored, and so are blocks past MAX_PAGE_CHARS in all. A bad
# metadata source is skipped; the article is kept (a 100,000-level block used to reject it as an error).
MAX_DEPTH = 32
MAX_BLOCK_CHARS = 1_000_000
MAX_PAGE_CHARS = 2_000_000
# Brackets outside strings (a string token is skipped whole, escaped quotes included).
_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)


def nesting_depth(raw: str, limit: int = MAX_DEPTH) -> int:
    """How deep the brackets of a JSON text nest (counting stops once past ``limit``); linear, no recursion."""
    depth = deepest = 0
    for match in _STRUCTURE.finditer(raw):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif token in "]}":
            depth -= 1
    return deepest


def _loads(raw: str) -> Any:
    """Parse one JSON-LD block; many sites ship trailing commas or raw newlines inside strings.

    None for a block that is not JSON, too long or too deep (see MAX_DEPTH), so that decoding it cannot
    recurse without bound; strings come back valid Unicode (lone surrogate escapes become U+FFFD).
    """
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    if len(raw) > MAX_BLOCK_CHARS or nesting_depth(raw) > MAX_DEPTH:
        return None
    for candidate in (
        raw,
        _TRAILING_COMMA.sub(r"\1", raw),
        _CONTROL.sub(" ", _TRAILING_COMMA.sub(r"\1", raw)),
    ):
        try:
            return _valid_strings(json.loads(candidate, strict=False))
        except (ValueError, RecursionError):
            continue
    return None


def _valid_strings(value: Any) -> Any:
    """The decoded JSON with every string (keys too) free of lone surrogates (depth is bounded by _loads)."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [_valid_strings(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): _valid_strings(v) for k, v in value.items()}
    return value


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-LD value, @graph and nested mainEntity included."""
    if isinstance(node, list):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in node and isinstance(node[key], (list, dict)):
                yield from _walk(node[key])


def types_of(obj: dict[str, Any]) -> set[str]:
    """The lower-cased @type names of an object (schema.org URLs reduced to the name)."""
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if v}


def jsonld_objects(tree: HtmlElement) -> list[dict[str, Any]]:
    """All JSON-LD objects of the page, in document order."""
    objects: list[dict[str, Any]] = []
    budget = MAX_PAGE_CHARS
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = script.text or ""
        budget -= len(raw)
        if budget < 0:
            break
        data = _loads(raw)
        if data is not None:
            objects.extend(_walk(data))
    return objects


def main_article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The article object: the first of an article type that has a headline, else the first one."""
    articles = [o for o in objects if types_of(o) & ARTICLE_TYPES]
    for obj in articles:
        if obj.get("headline") or obj.get("name"):
            return obj
    return articles[0] if articles else None


def page_types(objects: list[dict[str, Any]]) -> set[str]:
    """Top-level @types present on the page (to tell listings and galleries from articles)."""
    found: set[str] = set()
    for obj in objects:
        found |= types_of(obj)
    return found


def text_value(value: Any) -> str | None:
    """A plain string from a JSON-LD value that may be a string, an object with a name, or a list."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        for key in ("name", "@value", "url", "@id"):
            if isinstance(value.get(key), str) and value[key].strip():
                return str(value[key]).strip()
        return None
    if isinstance(value, list):
        for item in value:
            found = text_value(item)
            if found:
                return found
    return None


def name_value(value: Any) -> str | None:
    """A name from a JSON-LD value (a string, an object's name, the first of a list); never a URL or
    @id, which name nothing a reader would recognise."""
    if isinstance(value, list):
        return next((n for n in (name_value(v) for v in value) if n), None)
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str) and value.strip() and not value.strip().startswith(("http://", "https://")):
        return value.strip()
    return None


def text_values(value: Any) -> list[str]:
    """All plain strings from a JSON-LD value (lists flattened)."""
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(text_values(item))
        return out
    found = text_value(value)
    return [found] if found else []
