"""Article pages: the <head> (canonical, Open Graph, JSON-LD) and the body from a template.

Two templates render the same plan differently, like two CMSs: ``tpl_semantic`` (<article>, <figure>,
<aside>, BEM class names) and ``tpl_divsoup`` (nested divs, data-attributes, utility classes).
"""

from __future__ import annotations

import json
from typing import Any

from newsarchive.demosite import tpl_divsoup, tpl_semantic
from newsarchive.demosite.content import Article
from newsarchive.demosite.layout import PagePlan, plan_page
from newsarchive.demosite.markup import absolute, attrs, esc
from newsarchive.demosite.wording import PUBLISHER_LOGO, SITE_NAME

OG_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
TEMPLATE_MODULES = {"a": tpl_semantic, "b": tpl_divsoup}
# Where each template puts the article column (tests and tools read the column with these).
COLUMN_XPATH = {"a": tpl_semantic.COLUMN_XPATH, "b": tpl_divsoup.COLUMN_XPATH}

STYLE = (
    "body{font-family:Georgia,serif;margin:0}nav ul,.share ul{list-style:none;display:flex;gap:1em}"
    ".sr-only{position:absolute;width:1px;height:1px;overflow:hidden}"
    ".ad-slot__creative,.ad__creative{min-height:90px;background:#eee}"
)


def json_ld(article: Article, url: str, template: str) -> dict[str, Any]:
    """The NewsArticle JSON-LD object (the two templates spell keywords and image differently)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "description": article.description,
        "datePublished": article.published.isoformat(),
        "dateModified": article.modified.isoformat(),
        "author": [{"@type": "Person", "name": name} for name in article.authors],
        "articleSection": article.section,
        "inLanguage": article.lang,
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": PUBLISHER_LOGO},
        },
    }
    if template == "a":
        data["keywords"] = list(article.tags)
        data["image"] = {"@type": "ImageObject", "url": article.image, "width": 1200, "height": 675}
    else:
        data["keywords"] = ", ".join(article.tags)
        data["image"] = [article.image]
    return data


def head(article: Article, url: str, base_url: str, template: str) -> str:
    """The <head> of an article page."""
    metas = [
        ("name", "description", article.description),
        ("property", "og:site_name", SITE_NAME),
        ("property", "og:locale", OG_LOCALES[article.lang]),
        ("property", "og:type", "article"),
        ("property", "og:title", article.title),
        ("property", "og:description", article.description),
        ("property", "og:url", url),
        ("property", "og:image", article.image),
        ("property", "article:published_time", article.published.isoformat()),
        ("property", "article:modified_time", article.modified.isoformat()),
        ("property", "article:section", article.section),
        *(("property", "article:tag", tag) for tag in article.tags),
    ]
    if template == "b":
        metas.append(("name", "author", ", ".join(article.authors)))
    ld = json.dumps(json_ld(article, url, template), ensure_ascii=False, indent=1).replace("</", "<\\/")
    lines = [
        '<meta charset="utf-8">',
        f"<title>{esc(article.title)} | {SITE_NAME}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<link rel="canonical" href="{esc(url)}">',
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME}" href="{esc(base_url)}/rss.xml">',
        *(f"<meta{attrs(**{kind: name, 'content': value})}>" for kind, name, value in metas),
        f'<script type="application/ld+json">\n{ld}\n</script>',
        f"<style>{STYLE}</style>",
        '<script>window.dataLayer=window.dataLayer||[];dataLayer.push({"page":"article"});</script>',
    ]
    return "<head>\n" + "\n".join(lines) + "\n</head>"


def render_plan(plan: PagePlan, base_url: str) -> bytes:
    """The full HTML page of a plan, with absolute URLs on ``base_url`` (e.g. "http://127.0.0.1:8765")."""
    base_url = base_url.rstrip("/")
    article = plan.article
    url = absolute(base_url, article.path)
    body = TEMPLATE_MODULES[plan.template].body(plan, base_url)
    page = (
        f'<!DOCTYPE html>\n<html lang="{article.lang}">\n{head(article, url, base_url, plan.template)}\n'
        f"{body}\n</html>\n"
    )
    return page.encode("utf-8")


def render_article(article: Article, base_url: str) -> bytes:
    """The HTML page of an article."""
    return render_plan(plan_page(article), base_url)
