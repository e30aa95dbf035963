"""Per-site extraction hints (built by the pipeline from sites/<site>.toml)."""

from __future__ import annotations

from dataclasses import dataclass

# Short news items (brèves, briefs) run to 30 words; below this it is a teaser or an empty shell.
DEFAULT_MIN_WORDS = 25


@dataclass(frozen=True)
class ExtractHints:
    """What a site's config tells the extractor.

    ``prune_xpaths``: XPath expressions whose matches are removed before extraction.
    ``languages``: the site's languages (ISO 639-1), a fallback when detection is unsure.
    ``timezone``: IANA zone name used to place dates the page gives without an offset.
    ``min_words``: bodies shorter than this are rejected as too short.
    """

    prune_xpaths: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    min_words: int = DEFAULT_MIN_WORDS


DEFAULT_HINTS = ExtractHints()
