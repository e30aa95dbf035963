"""Template "b": an older CMS: nested divs, utility classes, data-attributes, no semantic sectioning."""

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

COLUMN_XPATH = "//div[@data-component='article']"


def _figure(item: Figure) -> str:
    title = f'<div class="c-media__title" aria-hidden="true">{esc(item.caption)}</div>' if item.title_line else ""
    credit = f'<span class="c-media__credit">{esc(item.credit)}</span>' if item.credit else ""
    if item.credit and item.credit_inline:
        caption = f'<div class="c-media__caption"><span>{esc(item.caption)}</span> {credit}</div>'
    else:
        caption = f'<div class="c-media__caption"><span>{esc(item.caption)}</span></div>'
        caption += f'<div class="c-media__copyright">{credit}</div>' if credit else ""
    img = f'<picture><img class="u-img" data-src="{esc(item.src)}" src="{esc(item.src)}" alt=""></picture>'
    return f'<div class="c-media" data-type="image"><div class="c-media__img">{img}</div>{title}{caption}</div>'


def _teaser(item: Teaser, base_url: str) -> str:
    link = f'<a class="c-inline-related__link" href="{esc(absolute(base_url, item.path))}">{esc(item.text)}</a>'
    if not item.label:
        inner = f"<div>{link}</div>"
    elif item.label_inline:
        inner = f'<div><span class="c-inline-related__label">{esc(item.label)}</span> {link}</div>'
    else:
        inner = f'<div class="c-inline-related__label">{esc(item.label)}</div><div>{link}</div>'
    return f'<div class="c-inline-related" data-tracking="inline-teaser">{inner}</div>'


def _textline(item: TextLine) -> str:
    if item.kind == "counter":
        return (
            f'<div class="c-comments-count" data-comments><a href="#comments" class="u-link">{esc(item.text)}</a></div>'
        )
    if item.kind == "placeholder":
        return f'<div class="c-loader" data-placeholder="teaser">{esc(item.text)}</div>'
    return f'<div class="c-article__{item.kind}" data-field="{item.kind}">{esc(item.text)}</div>'


def _linklist(item: LinkList, base_url: str) -> str:
    def entry(text: str, href: str) -> str:
        if not href:
            return f'<div class="c-btn" role="button" data-action="share">{esc(text)}</div>'
        return f'<div class="c-list__item"><a href="{esc(absolute(base_url, href))}">{esc(text)}</a></div>'

    entries = "".join(entry(text, href) for text, href in item.links)
    heading = f'<div class="c-block__title">{esc(item.heading)}</div>' if item.heading else ""
    return f'<div class="c-block c-block--{item.kind}" data-block="{item.kind}">{heading}{entries}</div>'


def _box(item: Box) -> str:
    texts = "".join(f'<div class="c-box__text">{esc(text)}</div>' for text in item.texts)
    buttons = " ".join(f'<a class="c-btn" href="#{item.kind}">{esc(b)}</a>' for b in item.buttons)
    buttons_html = f'<div class="c-box__actions">{buttons}</div>' if buttons else ""
    return f'<div class="c-box c-box--{item.kind}" id="{item.kind}">{texts}{buttons_html}</div>'


def _partner(item: Partner) -> str:
    entries = "".join(
        f'<div class="c-partner__logo"><img src="{PARTNER_LOGO_BASE}/{slugify(e.text)}.png" alt="{esc(e.text)}">'
        f'<span class="u-visually-hidden">{esc(e.text)}</span></div>'
        if e.logo
        else f'<div class="c-partner__label">{esc(e.text)}</div>'
        for e in item.entries
    )
    return f'<div class="c-partner" data-partner="true">{entries}</div>'


def item_html(item: Item, base_url: str) -> str:
    """One item as template-"b" markup."""
    match item:
        case Title():
            return f'<div class="c-article__head"><h1 class="c-article__title">{esc(item.text)}</h1></div>'
        case Paragraph():
            return f'<p class="c-text">{esc(item.text)}</p>'
        case Subheading():
            return f'<h2 class="c-text c-text--sub">{esc(item.text)}</h2>'
        case Quote():
            return f'<div class="c-quote" data-block="quote"><blockquote>{esc(item.text)}</blockquote></div>'
        case BulletList():
            return '<ul class="c-list">' + "".join(f"<li>{esc(text)}</li>" for text in item.items) + "</ul>"
        case Figure():
            return _figure(item)
        case Teaser():
            return _teaser(item, base_url)
        case AdSlot():
            return (
                f'<div class="ad-slot" data-ad-unit="/2231/demonews/{item.slot}">'
                f'<div class="ad-slot__label">{esc(item.label)}</div>'
                '<div class="ad-slot__creative"></div></div>'
            )
        case Partner():
            return _partner(item)
        case MetaLine():
            return (
                f'<div class="c-article__meta"><a href="{esc(absolute(base_url, item.category_path))}" '
                f'class="u-link">{esc(item.category)}</a> • <time datetime="{esc(item.datetime)}">'
                f"{esc(item.date_text)}</time></div>"
            )
        case TextLine():
            return _textline(item)
        case LinkList():
            return _linklist(item, base_url)
        case Box():
            return _box(item)
    raise TypeError(f"template b cannot render {item!r}")


def body(plan: PagePlan, base_url: str) -> str:
    """The <body> of an article page."""

    def run(part: Sequence[Item]) -> str:
        return "\n".join(item_html(item, base_url) for item in part)

    article = plan.article
    return (
        f'<body>\n<div id="app" data-page="article">\n<div class="l-top">\n{run(plan.top)}\n</div>\n'
        f'<div class="l-wrap"><div class="l-main">\n'
        f'<div class="c-article" data-component="article" data-id="{esc(article.slug)}" '
        f'data-section="{article.section}">\n{run(plan.column)}\n</div>\n</div>\n'
        f'<div class="l-side" data-region="sidebar">\n{run(plan.aside)}\n</div></div>\n'
        f'<div class="l-bottom">\n{run(plan.bottom)}\n</div>\n</div>\n</body>'
    )
