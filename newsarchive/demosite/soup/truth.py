"""Ground truth of the soup site: for every article, its metadata, body lines, caption and credit texts and
chrome lines (derived from the same objects the pages are rendered from, so they cannot drift)."""

from __future__ import annotations

from newsarchive.demosite.soup.corpus import SoupArticle, all_articles, wording
from newsarchive.demosite.soup.page import article_page, article_url, chrome_lines

__all__ = ["SoupArticle", "articles", "captions_and_credits", "chrome_lines", "render", "stock_captions", "url"]


def articles() -> list[SoupArticle]:
    """Every article of the site, newest first."""
    return list(all_articles())


def captions_and_credits(article: SoupArticle) -> tuple[str, ...]:
    """The caption and credit texts of the page (none may reach an archived text, not even inside a line)."""
    return tuple(text for media in article.media for text in media.lines)


def stock_captions() -> tuple[str, ...]:
    """The stock captions the site reuses across pages."""
    return tuple(text for lang in ("en", "fr") for text in wording()[lang]["stock"])


def url(article: SoupArticle, base_url: str) -> str:
    """The article's URL on a site served at base_url."""
    return article_url(base_url, article)


def render(article: SoupArticle, base_url: str) -> bytes:
    """The HTML bytes of the article's page, without HTTP."""
    return article_page(article, base_url)
