"""Article pages of the soup site: div soup whose class names are hashes that change on every page.

Nothing in the markup names a role: no <article>, <figure>, <figcaption>, <aside>, <nav> or <footer>, no
class or id a rule could read ("c3f9a1e" on one page is "c07b2d4" on the next), no aria labels. Captions and
credits are <p> elements like the body's: in a small box with their image, loose in the body beside its
paragraphs (same tag, same class as a body paragraph), both in one paragraph, or under an image set inside
a body paragraph. The metadata in <head> is ordinary (JSON-LD, Open Graph).
"""

from __future__ import annotations

import hashlib
import json

from newsarchive.demosite.markup import esc
from newsarchive.demosite.soup.corpus import Block, Media, SoupArticle, all_articles, wording

SITE_NAME = "Soup Daily"
SECTIONS = ("world", "politics", "economy", "culture", "science", "sport")
MOST_READ = 5


class _Names:
    """Class names for one page: a hash of the page and the role, so they change from page to page."""

    def __init__(self, slug: str) -> None:
        self.slug = slug

    def __call__(self, role: str) -> str:
        digest = hashlib.sha256(f"{self.slug}:{role}".encode()).hexdigest()
        return f"{'abcdefghjk'[int(digest[0], 16) % 10]}{digest[1:7]}"


def article_url(base_url: str, article: SoupArticle) -> str:
    """The canonical URL of an article on a site served at base_url."""
    return base_url.rstrip("/") + article.path


def _caption_paragraphs(media: Media, cls: str, credit_cls: str) -> str:
    caption = f'<p class="{cls}">{esc(media.caption)}</p>'
    credit = f'<p class="{credit_cls}">{esc(media.credit)}</p>' if media.credit else ""
    return caption + credit


def media_html(media: Media, c: _Names) -> str:
    """One media block as the CMS sets it (see corpus.MEDIA_KINDS)."""
    img = f'<img class="{c("img")}" src="{esc(media.src)}" alt="{esc(media.alt)}" width="800" height="450">'
    if media.kind == "box":
        return (f'<div class="{c("media")}"><div class="{c("frame")}">{img}</div>'
                f'{_caption_paragraphs(media, c("cap"), c("credit"))}</div>')
    if media.kind == "loose":
        # The caption and credit carry the body paragraphs' own class: only their place tells them apart.
        return f'<div class="{c("frame")}">{img}</div>{_caption_paragraphs(media, c("text"), c("text"))}'
    if media.kind == "merged":
        credit = f' <span class="{c("credit")}">{esc(media.credit)}</span>' if media.credit else ""
        return (f'<div class="{c("media")}"><div class="{c("frame")}"><picture>{img}</picture></div>'
                f'<p class="{c("cap")}">{esc(media.caption)}{credit}</p></div>')
    if media.kind == "inline":
        text = f"{media.caption} {media.credit}".strip()
        return f'<p class="{c("text")}">{img}</p><p class="{c("text")}">{esc(text)}</p>'
    video = (f'<iframe class="{c("video")}" src="{esc(media.src)}" width="800" height="450" '
             'allowfullscreen></iframe>')
    return f'<div class="{c("frame")}">{video}</div>{_caption_paragraphs(media, c("cap"), c("credit"))}'


def block_html(block: Block, c: _Names) -> str:
    """A body block."""
    if block.kind == "h":
        return f'<h2 class="{c("sub")}">{esc(block.lines[0])}</h2>'
    if block.kind == "quote":
        return f'<div class="{c("quote")}"><blockquote><p>{esc(block.lines[0])}</p></blockquote></div>'
    if block.kind == "list":
        items = "".join(f'<li class="{c("li")}">{esc(line)}</li>' for line in block.lines)
        return f'<ul class="{c("list")}">{items}</ul>'
    return f'<p class="{c("text")}">{esc(block.lines[0])}</p>'


def _body(article: SoupArticle, c: _Names) -> str:
    after = dict(article.inline)
    parts = []
    if article.lead.kind in ("loose", "inline"):
        parts.append(media_html(article.lead, c))  # set in the body, before its first paragraph
    for n, block in enumerate(article.blocks, start=1):
        parts.append(block_html(block, c))
        if n in after:
            parts.append(media_html(after[n], c))
    return f'<div class="{c("body")}">\n' + "\n".join(parts) + "\n</div>"


def _date_text(article: SoupArticle) -> str:
    if article.lang == "fr":
        return f"Publié le {article.published:%d/%m/%Y} à {article.published:%H:%M}"
    return f"{article.published:%d %B %Y, %H:%M}"


def chrome_lines(article: SoupArticle) -> tuple[str, ...]:
    """The page's text outside the article body and its media: navigation, kicker, byline, share,
    most read, newsletter and footer (none of it belongs in an archived text)."""
    words = wording()["chrome"][article.lang]
    return (words["site"], *words["nav"], words["nav"][SECTIONS.index(article.section)],
            f"{words['by']} {' & '.join(article.authors)}", _date_text(article), *words["share"],
            words["most_read"], *(a.title for a in most_read(article)), *words["newsletter"], *words["footer"])


def most_read(article: SoupArticle) -> list[SoupArticle]:
    """The five other articles of the same language the sidebar lists."""
    others = [a for a in all_articles() if a.lang == article.lang and a.slug != article.slug]
    start = int(hashlib.sha256(article.slug.encode()).hexdigest()[:4], 16) % max(1, len(others) - MOST_READ)
    return others[start:start + MOST_READ]


def _head(article: SoupArticle, url: str) -> str:
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "mainEntityOfPage": url,
        "headline": article.title, "description": article.description,
        "datePublished": article.published.isoformat(), "dateModified": article.modified.isoformat(),
        "author": [{"@type": "Person", "name": name} for name in article.authors],
        "image": [article.lead.src] if article.lead.kind != "video" else [],
        "inLanguage": article.lang, "publisher": {"@type": "Organization", "name": SITE_NAME},
    }
    ld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    metas = [("og:title", article.title), ("og:type", "article"), ("og:url", url), ("og:site_name", SITE_NAME),
             ("article:published_time", article.published.isoformat()),
             ("article:modified_time", article.modified.isoformat())]
    tags = "".join(f'<meta property="{k}" content="{esc(v)}">\n' for k, v in metas)
    return (f'<head>\n<meta charset="utf-8">\n<title>{esc(article.title)} - {SITE_NAME}</title>\n'
            f'<link rel="canonical" href="{esc(url)}">\n'
            f'<meta name="description" content="{esc(article.description)}">\n'
            f'{tags}<script type="application/ld+json">{ld}</script>\n</head>')


def article_page(article: SoupArticle, base_url: str) -> bytes:
    """The HTML of an article page."""
    c = _Names(article.slug)
    words = wording()["chrome"][article.lang]
    base = base_url.rstrip("/")
    url = article_url(base, article)
    nav = "".join(f'<div class="{c("navitem")}"><a href="{base}/{s}/">{esc(label)}</a></div>'
                  for s, label in zip(SECTIONS, words["nav"], strict=True))
    share = "".join(f'<a class="{c("sharebtn")}" href="#">{esc(label)}</a>' for label in words["share"])
    read = "".join(f'<div class="{c("readitem")}"><a href="{esc(article_url(base, a))}">{esc(a.title)}</a></div>'
                   for a in most_read(article))
    footer = "".join(f'<a class="{c("footlink")}" href="{base}/p/{n}">{esc(label)}</a>'
                     for n, label in enumerate(words["footer"]))
    lead = "" if article.lead.kind in ("loose", "inline") else media_html(article.lead, c)
    body = (
        f'<body>\n<div class="{c("top")}"><div class="{c("logo")}"><a href="{base}/">{SITE_NAME}</a></div>'
        f'<div class="{c("nav")}">{nav}</div></div>\n'
        f'<div class="{c("wrap")}">\n<div class="{c("col")}">\n'
        f'<div class="{c("kicker")}"><a href="{base}/{article.section}/">'
        f'{esc(words["nav"][SECTIONS.index(article.section)])}</a></div>\n'
        f'<h1 class="{c("title")}">{esc(article.title)}</h1>\n'
        f'<div class="{c("meta")}"><div>{esc(words["by"])} {esc(" & ".join(article.authors))}</div>'
        f'<div>{esc(_date_text(article))}</div></div>\n'
        f"{lead}\n{_body(article, c)}\n"
        f'<div class="{c("share")}">{share}</div>\n</div>\n'
        f'<div class="{c("side")}"><div class="{c("sidehead")}">{esc(words["most_read"])}</div>{read}</div>\n'
        f'</div>\n<div class="{c("letter")}"><p class="{c("lettertext")}">{esc(words["newsletter"][0])}</p>'
        f'<a class="{c("letterbtn")}" href="{base}/newsletter">{esc(words["newsletter"][1])}</a></div>\n'
        f'<div class="{c("bottom")}"><div>{footer}</div><div>© {article.published.year} {SITE_NAME}</div></div>\n'
        "</body>"
    )
    page = f'<!DOCTYPE html>\n<html lang="{article.lang}">\n{_head(article, url)}\n{body}\n</html>\n'
    return page.encode("utf-8")
