"""The demo site's articles, loaded from the text files in ``newsarchive/demosite/data/articles``.

File format (UTF-8): a header of ``key: value`` lines, a blank line, then body blocks separated by blank
lines. A block is ``## text`` (subheading), ``> text`` (blockquote), ``- item`` lines (bulleted list) or
a paragraph (its lines are joined with spaces, so long paragraphs may wrap). Header keys are in
``HEADER_KEYS``; list values (authors, tags) are separated by ``;``; ``figure`` may repeat; times are
wall-clock times in Europe/Paris (``YYYY-MM-DD HH:MM``). An article with ``sample:`` takes its body from
the embedded sample file (see ``samples``) and has no body blocks in its file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from zoneinfo import ZoneInfo

from newsarchive.demosite.items import BodyBlock, BulletList, Paragraph, Quote, Subheading

TZ = ZoneInfo("Europe/Paris")
# Every article falls in this span of publication (wall-clock dates in Europe/Paris).
FIRST_DAY = "2024-10-01"
LAST_DAY = "2024-11-30"
LANGS = ("fr", "en")
SECTIONS = ("world", "politics", "economy", "culture")
# Images live on a CDN host of their own, as on real sites; nothing fetches them.
IMAGE_BASE = "https://static.demonews.example/img"

# key -> required?
HEADER_KEYS: dict[str, bool] = {
    "slug": True,
    "lang": True,
    "section": True,
    "category": False,  # displayed category, defaults to the section's label in the article's language
    "title": True,
    "authors": True,
    "published": True,
    "modified": False,
    "tags": True,
    "description": True,
    "image": True,  # caption | credit of the lead image
    "figure": False,  # caption | credit of another image, placed in the body by the layout
    "template": False,  # force a page template ("a" or "b") instead of the hash-based choice
    "sample": False,  # name of the embedded sample file holding the body
}


class ContentError(ValueError):
    """An article data file is malformed (the message names the file and the reason)."""


@dataclass(frozen=True)
class Article:
    """One article of the demo site, as written in its data file."""

    slug: str
    lang: str
    section: str
    category: str
    title: str
    authors: tuple[str, ...]
    published: datetime
    modified: datetime
    tags: tuple[str, ...]
    description: str
    image_caption: str
    image_credit: str
    figures: tuple[tuple[str, str], ...]
    body: tuple[BodyBlock, ...]
    template: str | None
    sample: str | None

    @property
    def path(self) -> str:
        """Site path: /{lang}/{yyyy}/{mm}/{dd}/{slug}.html, the date being the Paris publication date."""
        return f"/{self.lang}/{self.published:%Y/%m/%d}/{self.slug}.html"

    @property
    def image(self) -> str:
        """Absolute URL of the lead image."""
        return f"{IMAGE_BASE}/{self.published:%Y/%m/%d}/{self.slug}.jpg"

    def figure_src(self, index: int) -> str:
        """Absolute URL of the index-th extra figure (1-based)."""
        return f"{IMAGE_BASE}/{self.published:%Y/%m/%d}/{self.slug}-{index}.jpg"


# Section labels shown in navigation and bylines.
SECTION_LABELS: dict[str, dict[str, str]] = {
    "fr": {"world": "Monde", "politics": "Politique", "economy": "Économie", "culture": "Culture"},
    "en": {"world": "World", "politics": "Politics", "economy": "Business", "culture": "Culture"},
}


def parse_time(value: str, where: str) -> datetime:
    """A ``YYYY-MM-DD HH:MM`` Paris wall-clock time as an aware datetime."""
    try:
        naive = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError as exc:
        raise ContentError(f"{where}: bad time {value!r} (want YYYY-MM-DD HH:MM)") from exc
    return naive.replace(tzinfo=TZ)


def _split_header(text: str, where: str) -> tuple[dict[str, list[str]], str]:
    head, _, rest = text.partition("\n\n")
    fields: dict[str, list[str]] = {}
    for line in head.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in HEADER_KEYS:
            raise ContentError(f"{where}: bad header line {line!r}")
        fields.setdefault(key, []).append(value.strip())
    missing = [k for k, required in HEADER_KEYS.items() if required and k not in fields]
    if missing:
        raise ContentError(f"{where}: missing header keys {missing}")
    return fields, rest


def parse_blocks(text: str, where: str) -> tuple[BodyBlock, ...]:
    """Body blocks from the block syntax described in the module docstring."""
    blocks: list[BodyBlock] = []
    for chunk in text.split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        joined = " ".join(lines)
        if joined.startswith("## "):
            blocks.append(Subheading(joined[3:].strip()))
        elif joined.startswith("> "):
            blocks.append(Quote(joined[2:].strip()))
        elif all(line.startswith("- ") for line in lines):
            blocks.append(BulletList(tuple(line[2:].strip() for line in lines)))
        elif any(line.startswith("- ") for line in lines):
            raise ContentError(f"{where}: list block mixes items and text: {lines[0]!r}")
        else:
            blocks.append(Paragraph(joined))
    return tuple(blocks)


def _caption(value: str) -> tuple[str, str]:
    caption, _, credit = value.partition("|")
    return caption.strip(), credit.strip()


def parse_article(text: str, where: str) -> Article:
    """One Article from the text of its data file; ``where`` names the file in errors."""
    fields, rest = _split_header(text.replace("\r\n", "\n"), where)

    def one(key: str) -> str:
        return fields[key][0] if key in fields else ""

    lang, section = one("lang"), one("section")
    if lang not in LANGS or section not in SECTIONS:
        raise ContentError(f"{where}: unknown lang {lang!r} or section {section!r}")
    published = parse_time(one("published"), where)
    modified = parse_time(one("modified"), where) if "modified" in fields else published
    if not FIRST_DAY <= f"{published:%Y-%m-%d}" <= LAST_DAY or modified < published:
        raise ContentError(f"{where}: published {published} out of range or after modified {modified}")
    body = parse_blocks(rest, where)
    sample = one("sample") or None
    if bool(body) == bool(sample):
        raise ContentError(f"{where}: an article has either body blocks or a sample, exactly one")
    image_caption, image_credit = _caption(one("image"))
    return Article(
        slug=one("slug"),
        lang=lang,
        section=section,
        category=one("category") or SECTION_LABELS[lang][section],
        title=one("title"),
        authors=tuple(a.strip() for a in one("authors").split(";") if a.strip()),
        published=published,
        modified=modified,
        tags=tuple(t.strip() for t in one("tags").split(";") if t.strip()),
        description=one("description"),
        image_caption=image_caption,
        image_credit=image_credit,
        figures=tuple(_caption(v) for v in fields.get("figure", [])),
        body=body,
        template=one("template") or None,
        sample=sample,
    )


@functools.cache
def load_articles() -> tuple[Article, ...]:
    """Every article of the site, newest first (ties broken by slug), validated once and cached."""
    folder = resources.files("newsarchive.demosite") / "data" / "articles"
    articles = [
        parse_article(entry.read_text(encoding="utf-8"), f"data/articles/{entry.name}")
        for entry in folder.iterdir()
        if entry.name.endswith(".txt")
    ]
    slugs = [a.slug for a in articles]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise ContentError(f"duplicate slugs: {sorted(duplicates)}")
    return tuple(sorted(articles, key=lambda a: (a.published, a.slug), reverse=True))


def article_by_slug(slug: str) -> Article:
    """The article with this slug (KeyError naming the slug if there is none)."""
    for article in load_articles():
        if article.slug == slug:
            return article
    raise KeyError(f"no demo article with slug {slug!r}")


def article_by_path(path: str) -> Article | None:
    """The article served at this site path, or None."""
    for article in load_articles():
        if article.path == path:
            return article
    return None
