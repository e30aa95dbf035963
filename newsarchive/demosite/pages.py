"""Non-article HTML pages: home, section listings (paginated), tags, day archives, about, private, 404."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from newsarchive.demosite import broken
from newsarchive.demosite.content import SECTION_LABELS, SECTIONS, Article, load_articles
from newsarchive.demosite.layout import tag_slug
from newsarchive.demosite.markup import absolute, esc
from newsarchive.demosite.wording import FOOTER_NOTICE, SITE_NAME, WORDS, format_day

PAGE_SIZE = 5
HOME_SIZE = 12
# The one page under /private/ (disallowed by robots.txt), linked from this section's first page.
PRIVATE_PATH = "/private/fr/2024/11/14/budget-2025-version-de-travail.html"
PRIVATE_LINKED_FROM = "/section/politics/"
BROKEN_BOX_TITLE = "Dossiers et archives"


def _nav(base_url: str) -> str:
    links = "".join(
        f'<li><a href="{esc(absolute(base_url, f"/section/{s}/"))}">'
        f"{esc(SECTION_LABELS['fr'][s])} / {esc(SECTION_LABELS['en'][s])}</a></li>"
        for s in SECTIONS
    )
    home = f'<li><a href="{esc(absolute(base_url, "/"))}">{SITE_NAME}</a></li>'
    return f'<header class="site-header"><nav class="main-nav"><ul>{home}{links}</ul></nav></header>'


def shell(
    title: str, canonical: str, content: str, base_url: str, head_extra: str = "", og_type: str = "website"
) -> bytes:
    """A full non-article page around ``content`` (navigation, footer, canonical, og:type website)."""
    about = absolute(base_url, "/about.html")
    feed = absolute(base_url, "/rss.xml")
    page = f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{esc(title)} | {SITE_NAME}</title>
<link rel="canonical" href="{esc(canonical)}">
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="{esc(feed)}">
<meta property="og:type" content="{og_type}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="og:title" content="{esc(title)}">
{head_extra}</head>
<body>
{_nav(base_url)}
<main>
{content}
</main>
<footer class="site-footer"><p><a href="{esc(about)}">À propos / About</a></p>
<p>{esc(FOOTER_NOTICE["fr"])}</p></footer>
</body>
</html>
"""
    return page.encode("utf-8")


def river(articles: Sequence[Article], base_url: str) -> str:
    """A list of article teasers (title link, time, description)."""
    items = []
    for a in articles:
        items.append(
            f'<li class="river__item" lang="{a.lang}"><article><h2>'
            f'<a href="{esc(absolute(base_url, a.path))}">'
            f'{esc(a.title)}</a></h2><p class="river__meta">{esc(a.category)} • <time datetime="'
            f'{a.published.isoformat()}">{esc(format_day(a.lang, a.published))}</time></p>'
            f"<p>{esc(a.description)}</p></article></li>"
        )
    return '<ul class="river">\n' + "\n".join(items) + "\n</ul>"


def home(base_url: str) -> bytes:
    """The home page: sections and the latest articles."""
    latest = load_articles()[:HOME_SIZE]
    sections = "".join(
        f'<li><a href="{esc(absolute(base_url, f"/section/{s}/"))}">{esc(SECTION_LABELS["en"][s])}</a></li>'
        for s in SECTIONS
    )
    content = (
        f"<h1>{SITE_NAME}</h1>\n<section><h2>Sections</h2><ul>{sections}</ul></section>\n"
        f"<section><h2>{WORDS['fr']['latest']} / {WORDS['en']['latest']}</h2>\n"
        f"{river(latest, base_url)}</section>"
    )
    return shell(SITE_NAME, absolute(base_url, "/"), content, base_url)


def section_page_count(section: str) -> int:
    """Number of listing pages of a section."""
    count = sum(1 for a in load_articles() if a.section == section)
    return max(1, -(-count // PAGE_SIZE))


def _extra_links(path: str, base_url: str) -> str:
    """First-page box of links to broken cases and the private page listed for this section."""
    links = [(case.path, case.link_text) for case in broken.linked_from(path)]
    if path == PRIVATE_LINKED_FROM:
        links.append((PRIVATE_PATH, "Budget 2025 : la version de travail"))
    if not links:
        return ""
    items = "".join(f'<li><a href="{esc(absolute(base_url, p))}">{esc(text)}</a></li>' for p, text in links)
    return f'<aside class="more-links"><h2>{BROKEN_BOX_TITLE}</h2><ul>{items}</ul></aside>'


def section(name: str, page: int, base_url: str) -> bytes | None:
    """Page ``page`` (1-based) of a section listing, newest first; None if there is no such page."""
    total = section_page_count(name)
    if name not in SECTIONS or not 1 <= page <= total:
        return None
    path = f"/section/{name}/"
    chosen = [a for a in load_articles() if a.section == name][(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

    def page_url(n: int) -> str:
        return absolute(base_url, path if n == 1 else f"{path}?page={n}")

    head_links, nav_links = [], []
    if page > 1:
        head_links.append(f'<link rel="prev" href="{esc(page_url(page - 1))}">\n')
        nav_links.append(f'<a rel="prev" href="{esc(page_url(page - 1))}">{WORDS["fr"]["prev"]}</a>')
    nav_links.append(f'<span class="pagination__current">Page {page} / {total}</span>')
    if page < total:
        head_links.append(f'<link rel="next" href="{esc(page_url(page + 1))}">\n')
        nav_links.append(f'<a rel="next" href="{esc(page_url(page + 1))}">{WORDS["fr"]["next"]}</a>')
    title = f"{SECTION_LABELS['fr'][name]} / {SECTION_LABELS['en'][name]}"
    content = (
        f"<h1>{esc(title)}</h1>\n{river(chosen, base_url)}\n"
        f'<nav class="pagination">{" ".join(nav_links)}</nav>\n' + (_extra_links(path, base_url) if page == 1 else "")
    )
    return shell(title, page_url(page), content, base_url, "".join(head_links))


def tag(slug: str, base_url: str) -> bytes | None:
    """The page of a tag (by tag slug): every article carrying it, newest first; None if unknown."""
    chosen = [a for a in load_articles() if any(tag_slug(t) == slug for t in a.tags)]
    if not chosen:
        return None
    name = next(t for t in chosen[0].tags if tag_slug(t) == slug)
    canonical = absolute(base_url, f"/tag/{slug}/")
    return shell(name, canonical, f"<h1>{esc(name)}</h1>\n{river(chosen, base_url)}", base_url)


def day_archive(date: str, base_url: str) -> bytes | None:
    """Articles published on a Paris date (YYYY-MM-DD), maybe none; None if the date is not a real date."""
    try:
        datetime.date.fromisoformat(date)
    except ValueError:
        return None
    chosen = [a for a in load_articles() if f"{a.published:%Y-%m-%d}" == date]
    listing = river(chosen, base_url) if chosen else '<p class="empty">Aucun article ce jour-là.</p>'
    canonical = absolute(base_url, f"/archive/{date.replace('-', '/')}/")
    return shell(f"Archives {date}", canonical, f"<h1>Archives : {date}</h1>\n{listing}", base_url)


def about(base_url: str) -> bytes:
    """The about page (not an article)."""
    content = f"""<h1>À propos de {SITE_NAME}</h1>
<p>{SITE_NAME} est un site d'information de démonstration, servi localement pour tester un pipeline
d'archivage. Ses articles, en français et en anglais, ont été rédigés pour les tests.</p>
<p>{SITE_NAME} is a demonstration news site served locally to test an archiving pipeline.</p>
<h2 id="legal">Mentions légales / Legal notice</h2>
<p>Directeur de la publication : rédaction de {SITE_NAME}.</p>
<h2 id="contact">Contact</h2>
<p>redaction@demonews.example</p>
<ul><li><a href="{esc(absolute(base_url, "/rss.xml"))}">RSS</a></li>
<li><a href="{esc(absolute(base_url, "/sitemap.xml"))}">Sitemap</a></li></ul>"""
    return shell(f"À propos / About {SITE_NAME}", absolute(base_url, "/about.html"), content, base_url)


def private(base_url: str) -> bytes:
    """The article-like page under /private/ that robots.txt disallows."""
    content = """<article class="article">
<h1 class="article__title">Budget 2025 : la version de travail du projet de loi de finances</h1>
<p class="article__meta">Politique • 14 nov. 2024 à 08h00</p>
<div class="article__body">
<p>Document interne, non publié. Cette page ne doit jamais être archivée ni visitée par un robot.</p>
<p>Les arbitrages présentés ici sont provisoires et réservés à la rédaction.</p>
</div>
</article>"""
    head_extra = (
        '<meta name="robots" content="noindex, nofollow">\n'
        '<meta property="article:published_time" content="2024-11-14T08:00:00+01:00">\n'
    )
    return shell("Budget 2025 (brouillon)", absolute(base_url, PRIVATE_PATH), content, base_url, head_extra, "article")


def not_found(base_url: str) -> bytes:
    """The 404 page."""
    content = "<h1>Page introuvable / Page not found</h1>\n<p>Cette page n'existe pas ou plus.</p>"
    return shell("Page introuvable", absolute(base_url, "/404.html"), content, base_url)
