"""Template "a": a modern CMS with semantic HTML5 (<article>, <figure>, <aside>) and BEM class names."""

from __future__ import annotations

from collections.abc import Sequence

from newsarchive.demosite.items import (
    AdSlot,
    Box,
    BulletList,
    Figure,
    Item,
    LinkList,
    MetaLine,
    Paragraph,
    Partner,
    Quote,
    Subheading,
    Teaser,
    TextLine,
    Title,
)
from newsarchive.demosite.layout import PagePlan
from newsarchive.demosite.markup import absolute, esc, slugify
from newsarchive.demosite.wording import PARTNER_LOGO_BASE

COLUMN_XPATH = "//article[@class='article']"

TEXTLINE_CLASSES = {
    "placeholder": "teaser-loader",
    "readtime": "article__readtime",
    "byline": "article__byline",
    "updated": "article__updated",
}


def _textline(item: TextLine) -> str:
    if item.kind == "counter":
        return f'<p class="article__comments"><a href="#comments">{esc(item.text)}</a></p>'
    return f'<p class="{TEXTLINE_CLASSES.get(item.kind, item.kind)}">{esc(item.text)}</p>'


def _figure(item: Figure) -> str:
    title = f'<span class="figure__title">{esc(item.caption)}</span>' if item.title_line else ""
    credit = f'<span class="figure__credit">{esc(item.credit)}</span>' if item.credit else ""
    if item.credit and item.credit_inline:
        caption = f"<figcaption>{esc(item.caption)} {credit}</figcaption>"
    else:
        caption = f"<figcaption>{esc(item.caption)}</figcaption>" + (f"<small>{credit}</small>" if credit else "")
    img = f'<img src="{esc(item.src)}" alt="{esc(item.caption)}" loading="lazy" width="1200" height="675">'
    return f'<figure class="figure">{img}{title}{caption}</figure>'


def _teaser(item: Teaser, base_url: str) -> str:
    link = f'<a href="{esc(absolute(base_url, item.path))}">{esc(item.text)}</a>'
    if not item.label:
        return f'<aside class="read-also read-also--bare"><p>{link}</p></aside>'
    if item.label_inline:
        return f'<aside class="read-also"><p><strong>{esc(item.label)}</strong> {link}</p></aside>'
    return f'<aside class="read-also"><p class="read-also__label">{esc(item.label)}</p><p>{link}</p></aside>'


def _linklist(item: LinkList, base_url: str) -> str:
    def entry(text: str, href: str) -> str:
        if not href:
            return f'<li><button type="button">{esc(text)}</button></li>'
        return f'<li><a href="{esc(absolute(base_url, href))}">{esc(text)}</a></li>'

    entries = "".join(entry(text, href) for text, href in item.links)
    heading = f'<h2 class="{item.kind}__title">{esc(item.heading)}</h2>' if item.heading else ""
    if item.kind == "nav":
        return f'<nav class="main-nav" aria-label="Sections"><ul>{entries}</ul></nav>'
    if item.kind == "footer":
        return f'<footer class="site-footer"><ul class="site-footer__links">{entries}</ul></footer>'
    return f'<section class="{item.kind}">{heading}<ul>{entries}</ul></section>'


def _box(item: Box) -> str:
    texts = "".join(f"<p>{esc(text)}</p>" for text in item.texts)
    buttons = " ".join(f'<button type="button">{esc(b)}</button>' for b in item.buttons)
    if item.kind == "cookies":
        return f'<div class="cookie-banner" role="dialog" aria-modal="true">{texts}<div>{buttons}</div></div>'
    if item.kind == "newsletter":
        field = '<input type="email" name="email" autocomplete="email">'
        return f'<form class="newsletter" action="#newsletter">{texts}<div>{field} {buttons}</div></form>'
    return f'<div class="{item.kind}">{texts}</div>'


def item_html(item: Item, base_url: str) -> str:
    """One item as template-"a" markup."""
    match item:
        case Title():
            return f'<h1 class="article__title">{esc(item.text)}</h1>'
        case Paragraph():
            return f"<p>{esc(item.text)}</p>"
        case Subheading():
            return f"<h2>{esc(item.text)}</h2>"
        case Quote():
            return f"<blockquote><p>{esc(item.text)}</p></blockquote>"
        case BulletList():
            return "<ul>" + "".join(f"<li>{esc(text)}</li>" for text in item.items) + "</ul>"
        case Figure():
            return _figure(item)
        case Teaser():
            return _teaser(item, base_url)
        case AdSlot():
            return (
                f'<div class="ad ad--{item.slot}" data-ad-slot="{item.slot}">'
                f'<p class="ad__label">{esc(item.label)}</p><div class="ad__creative"></div></div>'
            )
        case Partner():
            lines = "".join(
                f'<p class="partner__logo"><img src="{PARTNER_LOGO_BASE}/{slugify(e.text)}.svg" alt="{esc(e.text)}">'
                f'<span class="sr-only">{esc(e.text)}</span></p>'
                if e.logo
                else f'<p class="partner__label">{esc(e.text)}</p>'
                for e in item.entries
            )
            return f'<div class="partner">{lines}</div>'
        case MetaLine():
            return (
                f'<p class="article__meta"><a href="{esc(absolute(base_url, item.category_path))}">'
                f'{esc(item.category)}</a> • <time datetime="{esc(item.datetime)}">'
                f"{esc(item.date_text)}</time></p>"
            )
        case TextLine():
            return _textline(item)
        case LinkList():
            return _linklist(item, base_url)
        case Box():
            return _box(item)
    raise TypeError(f"template a cannot render {item!r}")


def _column(items: Sequence[Item], base_url: str) -> str:
    """The column: header part, body part (first to last body block, inserts included), footer part."""
    body_at = [i for i, item in enumerate(items) if item.role == "body"]
    first, last = (body_at[0], body_at[-1]) if body_at else (len(items), len(items) - 1)

    def run(part: Sequence[Item]) -> str:
        return "\n".join(item_html(item, base_url) for item in part)

    return (
        f'<article class="article">\n<header class="article__header">\n{run(items[:first])}\n</header>\n'
        f'<div class="article__body">\n{run(items[first : last + 1])}\n</div>\n'
        f'<footer class="article__footer">\n{run(items[last + 1 :])}\n</footer>\n</article>'
    )


def body(plan: PagePlan, base_url: str) -> str:
    """The <body> of an article page."""

    def run(part: Sequence[Item]) -> str:
        return "\n".join(item_html(item, base_url) for item in part)

    return (
        f'<body class="tpl-a section-{plan.article.section}">\n'
        f'<header class="site-header">\n{run(plan.top)}\n'
        f'</header>\n<main class="layout">\n{_column(plan.column, base_url)}\n'
        f'<aside class="sidebar">\n{run(plan.aside)}\n</aside>\n</main>\n'
        f'<div class="below-article">\n{run(plan.bottom)}\n</div>\n</body>'
    )
