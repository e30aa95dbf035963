"""The soup site's articles: the demo site's articles (headings, quotes, lists, real captions) and the
generated site's articles of December and January (paragraphs only), each given a lead image and a few
inline media with captions and credits, all drawn deterministically from the article's slug.

About one page in five illustrates its story with a stock caption ("Archive image used to illustrate this
story."), the same words on many pages, as sites that reuse archive images do.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

from newsarchive.demosite.content import load_articles
from newsarchive.demosite.generated.corpus import lexicon
from newsarchive.demosite.generated.truth import articles as generated_articles
from newsarchive.demosite.items import BulletList, Paragraph, Quote, Subheading

IMAGE_BASE = "https://img.soupdaily.example"
VIDEO_BASE = "https://www.youtube.com/embed"
# The generated articles taken: those published in this span (local dates), about 230 of them.
GENERATED_FROM, GENERATED_UNTIL = date(2024, 12, 1), date(2025, 1, 31)
STOCK_CHANCE = 0.2  # share of pages whose lead image carries a stock caption (the first one most often)
# How the CMS sets a media block, with weights: in a small box with its caption and credit, loose in the
# body (caption and credit as paragraphs beside the body's, same tag, same class), caption and credit in
# one paragraph of the box, image inside a body paragraph, or a video embed.
MEDIA_KINDS = (("box", 3), ("loose", 3), ("merged", 2), ("inline", 2), ("video", 1))
# Alt text: the caption itself, empty, or other words.
ALT_KINDS = (("caption", 3), ("empty", 4), ("other", 3))


@dataclass(frozen=True)
class Media:
    """An image or video block: how it is set (``kind``), what it shows and says."""

    kind: str
    src: str
    alt: str
    caption: str
    credit: str

    @property
    def lines(self) -> tuple[str, ...]:
        """The caption and credit texts (none of them belongs in an archived text)."""
        return tuple(text for text in (self.caption, self.credit) if text)


@dataclass(frozen=True)
class Block:
    """A body block: a paragraph ("p"), subheading ("h"), quote ("quote") or list ("list", one line per item)."""

    kind: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class SoupArticle:
    """One article of the soup site. ``inline`` places media after the n-th body block (1-based)."""

    slug: str
    lang: str
    section: str
    title: str
    authors: tuple[str, ...]
    published: datetime
    modified: datetime
    description: str
    blocks: tuple[Block, ...]
    lead: Media
    inline: tuple[tuple[int, Media], ...]

    @property
    def path(self) -> str:
        """Site path: /{yyyy}/{mm}/{dd}/{slug} (local publication date)."""
        return f"/{self.published:%Y/%m/%d}/{self.slug}"

    @property
    def body(self) -> tuple[str, ...]:
        """The body lines an archive should hold, in order."""
        return tuple(line for block in self.blocks for line in block.lines)

    @property
    def media(self) -> tuple[Media, ...]:
        """Every media block of the page, lead first."""
        return (self.lead, *(m for _, m in self.inline))


@functools.cache
def wording() -> dict[str, Any]:
    """Caption, credit and chrome wording (media.json)."""
    text = resources.files("newsarchive.demosite.soup").joinpath("media.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _person(rng: random.Random) -> str:
    names = lexicon()["names"]
    return f"{rng.choice(names['first'])} {rng.choice(names['last'])}"


def _fill(rng: random.Random, template: str, lang: str, year: int) -> str:
    words = lexicon()[lang]
    return template.format(name=_person(rng), place=rng.choice(words["place"]), weekday=rng.choice(words["weekday"]),
                           year=year)


def _media(rng: random.Random, slug: str, n: int, lang: str, year: int, caption: str | None = None,
           credit: str | None = None, stock: bool = False) -> Media:
    words = wording()[lang]
    if stock:
        # The first stock caption is the site's favourite; the others are rarer.
        caption = words["stock"][0] if rng.random() < 0.7 else rng.choice(words["stock"][1:])
    elif caption is None:
        caption = _fill(rng, rng.choice(words["captions"]), lang, year)
    if credit is None:
        credit = _fill(rng, rng.choice(words["credits"]), lang, year) if rng.random() < 0.85 else ""
    kind = _weighted(rng, MEDIA_KINDS)
    alt_kind = _weighted(rng, ALT_KINDS)
    alt = {"caption": caption, "empty": "", "other": _fill(rng, rng.choice(words["alt_other"]), lang, year)}[alt_kind]
    src = f"{VIDEO_BASE}/{slug[:11]}{n}" if kind == "video" else f"{IMAGE_BASE}/{year}/{slug}-{n}.jpg"
    return Media(kind, src, alt, caption, credit)


def _demo_blocks(body: tuple[Any, ...]) -> tuple[Block, ...]:
    blocks = []
    for item in body:
        if isinstance(item, Paragraph):
            blocks.append(Block("p", (item.text,)))
        elif isinstance(item, Subheading):
            blocks.append(Block("h", (item.text,)))
        elif isinstance(item, Quote):
            blocks.append(Block("quote", (item.text,)))
        elif isinstance(item, BulletList):
            blocks.append(Block("list", tuple(item.items)))
    return tuple(blocks)


def _place_inline(rng: random.Random, blocks: tuple[Block, ...], media: list[Media]) -> tuple[tuple[int, Media], ...]:
    """After which paragraphs the inline media go (never right after a heading: captions follow text)."""
    spots = [i + 1 for i, block in enumerate(blocks[:-1]) if block.kind == "p" and i >= 1]
    chosen = sorted(rng.sample(spots, min(len(media), len(spots))))
    return tuple(zip(chosen, media, strict=False))


def _article(slug: str, lang: str, section: str, title: str, authors: tuple[str, ...], published: datetime,
             modified: datetime, description: str, blocks: tuple[Block, ...],
             figures: tuple[tuple[str, str], ...]) -> SoupArticle:
    rng = random.Random(f"soup/{slug}")
    year = published.year
    stock = rng.random() < STOCK_CHANCE
    if figures and not stock:
        lead = _media(rng, slug, 0, lang, year, caption=figures[0][0], credit=figures[0][1])
    else:
        lead = _media(rng, slug, 0, lang, year, stock=stock)
    extra = [_media(rng, slug, n, lang, year, caption=c, credit=k) for n, (c, k) in enumerate(figures[1:], start=1)]
    while len(extra) < rng.randint(1, 2):
        extra.append(_media(rng, slug, len(extra) + 1, lang, year))
    return SoupArticle(slug, lang, section, title, authors, published, modified, description, blocks, lead,
                       _place_inline(rng, blocks, extra))


@functools.cache
def all_articles() -> tuple[SoupArticle, ...]:
    """Every article of the soup site, newest first."""
    found = []
    for a in load_articles():
        if a.sample:
            continue  # the sample articles' bodies are fixed page columns, not blocks
        figures = ((a.image_caption, a.image_credit), *a.figures)
        found.append(_article(a.slug, a.lang, a.section, a.title, a.authors, a.published, a.modified, a.description,
                              _demo_blocks(a.body), figures))
    for g in generated_articles():
        if GENERATED_FROM <= g.day <= GENERATED_UNTIL:
            blocks = tuple(Block("p", (p,)) for p in g.paragraphs)
            found.append(_article(g.slug, g.lang, g.section, g.title, g.authors, g.published, g.modified,
                                  g.description, blocks, ()))
    return tuple(sorted(found, key=lambda a: (a.published, a.slug), reverse=True))


@functools.cache
def by_path() -> dict[str, SoupArticle]:
    """Articles by path."""
    return {a.path: a for a in all_articles()}
