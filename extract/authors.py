"""Author names as pages give them (JSON-LD objects, meta tags, bylines) cleaned into a list."""

from __future__ import annotations

import re

# Byline prefixes to drop, per language ("By", "Par", "Von"...): data, extend for new languages.
BYLINE_PREFIXES = (
    "by",
    "par",
    "von",
    "por",
    "door",
    "written by",
    "texte",
    "text",
    "auteur",
    "author",
    "autor",
)
# Name particles that follow a byline prefix word when it is really part of the name ("von der Leyen").
NAME_PARTICLES = ("der", "den", "dem", "zu", "und")
# Words joining several names.
NAME_JOINERS = ("and", "et", "und", "y", "e", "en", "&")
# Values that are not people (site names, roles, placeholders).
NOT_NAMES = frozenset(
    {"admin", "administrator", "redaktion", "rédaction", "editor", "staff", "unknown", "null", "none"}
)
MAX_NAME_WORDS = 6

_PREFIX = re.compile(
    r"^(?:" + "|".join(re.escape(p) for p in BYLINE_PREFIXES) + r")\s*:?\s+"
    r"(?!(?:" + "|".join(NAME_PARTICLES) + r")\b)",
    re.I,
)
# Host names and obfuscated e-mail addresses are not people.
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+$|\[at\]|\(at\)")
_INITIAL_END = re.compile(r"(?:^|\s)\w\.$")
_SPLIT = re.compile(r"\s*(?:,|;|\||/|\s(?:" + "|".join(re.escape(j) for j in NAME_JOINERS) + r")\s)\s*", re.I)


def _names(value: str) -> list[str]:
    value = re.sub(r"\s+", " ", value).strip()
    if not value or value.startswith(("http://", "https://", "www.")):
        return []
    value = _PREFIX.sub("", value)
    # Separators at the ends go; a final period too, unless it closes an initial ("Gutierrez C.").
    names = [p.strip(" ,;-|") for p in _SPLIT.split(value) if p.strip(" ,;-|.")]
    return [n if _INITIAL_END.search(n) else n.rstrip(".") for n in names]


def _person_names(value: str) -> list[str]:
    """The names in one byline value; when some have several words, one-word pieces are places or
    desks ("Markus M. Haefliger, London, Beat Bumbacher"), not people."""
    names = [n for n in _names(value) if not _DOMAIN.search(n)]
    if any(len(n.split()) > 1 for n in names):
        names = [n for n in names if len(n.split()) > 1]
    return names


def clean_authors(raw: list[str], site_name: str | None = None) -> tuple[str, ...]:
    """Distinct person names in page order; URLs, site names and role placeholders left out."""
    out: list[str] = []
    seen: set[str] = set()
    site = (site_name or "").strip().lower()
    for value in raw:
        for name in _person_names(value):
            key = name.lower()
            if key in seen or key in NOT_NAMES or key == site or len(name.split()) > MAX_NAME_WORDS:
                continue
            if "@" in name or any(ch.isdigit() for ch in name):
                continue
            seen.add(key)
            out.append(name)
    return tuple(out)
