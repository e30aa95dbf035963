"""JSON-LD blocks of a page: parsed leniently, flattened, and the main article object picked out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

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


def _loads(raw: str) -> Any:
    """Parse one JSON-LD block; many sites ship trailing commas or raw newlines inside strings."""
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    for candidate in (
        raw,
        _TRAILING_COMMA.sub(r"\1", raw),
        _CONTROL.sub(" ", _TRAILING_COMMA.sub(r"\1", raw)),
    ):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


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
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _loads(script.text or "")
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
