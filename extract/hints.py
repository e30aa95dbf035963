"""Per-site extraction hints (built by the pipeline from sites/<site>.toml)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

# Short news items (brèves, briefs) run to 30 words; below this it is a teaser or an empty shell.
DEFAULT_MIN_WORDS = 25
# Extraction time grows with the element count (a 200,000-element page took 13 s of CPU). The largest
# of the 990 development-set pages has about 10,000 elements (median ~700): 5x that is still a page.
DEFAULT_MAX_ELEMENTS = 50_000
# The crawl's default max_response_bytes: the most bytes a page may have, raw or inflated from gzip.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Attributes one element keeps (extract.parse: parse time grows with their square past a few hundred).
DEFAULT_MAX_ATTRIBUTES = 256


@dataclass(frozen=True)
class ExtractHints:
    """What a site's config tells the extractor.

    ``prune_xpaths``: XPath expressions whose matches are removed before extraction.
    ``languages``: the site's languages (ISO 639-1), a fallback when detection is unsure.
    ``timezone``: IANA zone name used to place dates the page gives without an offset.
    ``min_words``: bodies shorter than this are rejected as too short.
    ``max_elements``: pages with more parsed elements are rejected as too complex, unextracted.
    ``max_bytes``: pages larger than this, raw or once a gzip body is inflated, are rejected as too large.
    ``max_attributes``: an element keeps its first this many attributes (the parse stays linear).
    """

    prune_xpaths: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    timezone: str | None = None
    min_words: int = DEFAULT_MIN_WORDS
    max_elements: int = DEFAULT_MAX_ELEMENTS
    max_bytes: int = DEFAULT_MAX_BYTES
    max_attributes: int = DEFAULT_MAX_ATTRIBUTES

    def __post_init__(self) -> None:
        # A bad XPath in a site's config is a config error: fail when the hints are built, not per page.
        for expr in self.prune_xpaths:
            etree.XPath(expr)
        if self.min_words < 0:
            raise ValueError(f"min_words must be >= 0, got {self.min_words}")
        for name in ("max_elements", "max_bytes", "max_attributes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")


DEFAULT_HINTS = ExtractHints()
