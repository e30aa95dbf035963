"""Ground truth of the demo site: what each article page is, says, and shows around its text.

Golden tests compare an extractor's output with these records; they are derived from the same page plans
the server renders, so they cannot drift from the pages.

Line classes of an article page (every visible line is in exactly one of them):

- ``title``: the headline line;
- ``body``: the article text, blocks in order (headings included, list items one per entry);
- ``residue``: the other lines inside the article column: captions, credits, teasers, counters, partner
  lines, ad labels, read time, byline, "category • date"... (for the sample articles: exactly the sample
  files' non-body lines);
- ``chrome``: lines outside the article column: navigation, cookie banner, sidebar, share, newsletter,
  related list, footer.

None of residue or chrome belongs in an archived article text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from newsarchive.demosite import broken
from newsarchive.demosite.content import Article, article_by_slug, load_articles
from newsarchive.demosite.items import item_lines
from newsarchive.demosite.layout import plan_page
from newsarchive.demosite.render import render_article


@dataclass(frozen=True)
class TruthArticle:
    """What an article page is: metadata, body lines, and the clutter lines around them.

    ``published``/``modified`` are ISO 8601 with the Europe/Paris offset; ``path`` is the site path
    (join it to a base URL with ``url``); ``lines`` is the article column in page order (title, body and
    residue interleaved); ``template`` is the page template ("a" or "b").
    """

    path: str
    lang: str
    section: str
    title: str
    authors: tuple[str, ...]
    published: str
    modified: str
    tags: tuple[str, ...]
    description: str
    image: str
    body: tuple[str, ...]
    residue: tuple[str, ...]
    sample: str | None
    slug: str
    template: str
    lines: tuple[str, ...]
    chrome: tuple[str, ...]

    @property
    def published_at(self) -> datetime:
        """The publication instant as an aware datetime."""
        return datetime.fromisoformat(self.published)

    @property
    def text(self) -> str:
        """The body as an archived text: blocks joined by newlines."""
        return "\n".join(self.body)


def _truth(article: Article) -> TruthArticle:
    plan = plan_page(article)
    chrome = item_lines([*plan.top, *plan.aside, *plan.bottom])
    return TruthArticle(
        path=article.path,
        lang=article.lang,
        section=article.section,
        title=article.title,
        authors=article.authors,
        published=article.published.isoformat(),
        modified=article.modified.isoformat(),
        tags=article.tags,
        description=article.description,
        image=article.image,
        body=item_lines([item for item in plan.column if item.role == "body"]),
        residue=item_lines([item for item in plan.column if item.role == "residue"]),
        sample=article.sample,
        slug=article.slug,
        template=plan.template,
        lines=item_lines(plan.column),
        chrome=chrome,
    )


@functools.cache
def _all() -> tuple[TruthArticle, ...]:
    return tuple(_truth(article) for article in load_articles())


def articles() -> list[TruthArticle]:
    """Every article of the site, newest first."""
    return list(_all())


def article(slug: str) -> TruthArticle:
    """The truth of one article, by slug (KeyError if unknown)."""
    return _truth(article_by_slug(slug))


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def articles_between(start: datetime, end: datetime) -> list[TruthArticle]:
    """Articles whose publication instant is in [start, end) (aware datetimes; ValueError otherwise)."""
    start, end = _aware(start, "start"), _aware(end, "end")
    return [a for a in articles() if start <= a.published_at < end]


def url(article: TruthArticle, base_url: str) -> str:
    """The absolute URL of an article on a site served at base_url (e.g. DemoSite.url)."""
    return base_url.rstrip("/") + article.path


def broken_cases() -> tuple[broken.BrokenCase, ...]:
    """The deliberately broken URLs of the site and how each behaves (see ``newsarchive.demosite.broken``)."""
    return broken.BROKEN_CASES


def render_article_page(article_slug_or_truth: str | TruthArticle, base_url: str) -> bytes:
    """The HTML bytes an article page is served with at base_url, without HTTP."""
    slug = article_slug_or_truth if isinstance(article_slug_or_truth, str) else article_slug_or_truth.slug
    return render_article(article_by_slug(slug), base_url)
