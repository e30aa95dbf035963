"""Plans an article page: which items go where, chosen deterministically per article.

A plan has four regions rendered in this order: ``top`` (navigation, maybe the cookie banner), ``column``
(the article itself: title, body and the clutter around it, i.e. the residue), ``aside`` (sidebar) and
``bottom`` (share, newsletter, related, footer, maybe the cookie banner). Choices come from a hash of the
slug, so a page is the same on every run and pages differ from one another the way real sites do.
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass

from newsarchive.demosite.content import SECTION_LABELS, SECTIONS, Article, load_articles
from newsarchive.demosite.items import (
    AdSlot,
    BodyBlock,
    Box,
    BulletList,
    Figure,
    Item,
    LinkList,
    MetaLine,
    Paragraph,
    Partner,
    PartnerEntry,
    Teaser,
    TextLine,
    Title,
)
from newsarchive.demosite.markup import slugify
from newsarchive.demosite.samples import sample_column
from newsarchive.demosite.wording import (
    AD_LABELS,
    COUNTER_FORMATS,
    FOOTER_LINKS,
    FOOTER_NOTICE,
    PARTNER_LABELS,
    PARTNER_LOGOS,
    SHARE_BUTTONS,
    SITE_NAME,
    TEASER_LABELS,
    WORDS,
    format_date,
    join_names,
)

TEMPLATES = ("a", "b")
WORDS_PER_MINUTE = 120  # slow on purpose: pages show "2 min" to "4 min", like real sites


@dataclass(frozen=True)
class PagePlan:
    """Everything an article page shows, region by region."""

    article: Article
    template: str
    top: tuple[Item, ...]
    column: tuple[Item, ...]
    aside: tuple[Item, ...]
    bottom: tuple[Item, ...]


class _Dice:
    """Deterministic choices drawn from the hash of a slug (one byte per named choice)."""

    def __init__(self, slug: str) -> None:
        self._slug = slug

    def pick(self, name: str, count: int) -> int:
        digest = hashlib.sha256(f"{self._slug}/{name}".encode()).digest()
        return digest[0] % count


def template_for(article: Article) -> str:
    """The page template of an article: the one its data file names, else a hash-based choice."""
    if article.template:
        return article.template
    return TEMPLATES[_Dice(article.slug).pick("template", len(TEMPLATES))]


def _others(article: Article, same_section: bool) -> list[Article]:
    return [
        a
        for a in load_articles()
        if a.slug != article.slug and a.lang == article.lang and (a.section == article.section or not same_section)
    ]


def _partner(article: Article, dice: _Dice) -> Partner:
    labels = PARTNER_LABELS[article.lang]
    first = dice.pick("logo1", len(PARTNER_LOGOS))
    logos = [PARTNER_LOGOS[first]]
    if dice.pick("logos", 2):
        logos.append(PARTNER_LOGOS[(first + 1 + dice.pick("logo2", len(PARTNER_LOGOS) - 1)) % len(PARTNER_LOGOS)])
    entries = [PartnerEntry(labels[dice.pick("partner_label", len(labels))], logo=False)]
    entries += [PartnerEntry(logo, logo=True) for logo in logos]
    return Partner(tuple(entries))


def _teaser(article: Article, dice: _Dice) -> Teaser | None:
    candidates = _others(article, same_section=True) or _others(article, same_section=False)
    older = [a for a in candidates if a.published < article.published]  # teasers point back in time
    candidates = older or candidates
    if not candidates:
        return None
    target = candidates[dice.pick("teaser_target", len(candidates))]
    labels = TEASER_LABELS[article.lang]
    label = labels[dice.pick("teaser_label", len(labels))]
    return Teaser(path=target.path, text=target.title, label=label, label_inline=bool(dice.pick("inline", 2)))


def _counter(article: Article, dice: _Dice) -> TextLine:
    formats = COUNTER_FORMATS[article.lang]
    return TextLine("counter", formats[dice.pick("counter", len(formats))].format(n=dice.pick("comments", 40)))


def _newsletter(lang: str) -> Box:
    w = WORDS[lang]
    return Box("newsletter", (w["newsletter_title"], w["newsletter_text"]), (w["newsletter_button"],))


def _share(lang: str) -> LinkList:
    return LinkList("share", WORDS[lang]["share"], tuple((text, "") for text in SHARE_BUTTONS[lang]))


def _word_count(items: tuple[Item, ...] | list[Item]) -> int:
    return sum(len(line.split()) for item in items if item.role == "body" for line in item.lines)


def _header(article: Article, dice: _Dice, template: str, words: int) -> list[Item]:
    """Partner, meta line, title, byline, read time, update line, maybe the counter."""
    w = WORDS[article.lang]
    style = TEMPLATES.index(template)
    meta = MetaLine(
        category=article.category,
        category_path=f"/section/{article.section}/",
        date_text=format_date(article.lang, article.published, style),
        datetime=article.published.isoformat(),
    )
    title = Title(article.title)
    items: list[Item] = [meta, title] if dice.pick("meta_first", 2) else [title, meta]
    items.append(TextLine("byline", f"{w['by']} {join_names(article.lang, article.authors)}"))
    items.append(TextLine("readtime", w["readtime"].format(n=max(1, math.ceil(words / WORDS_PER_MINUTE)))))
    if (article.modified - article.published).total_seconds() >= 3600:
        date = format_date(article.lang, article.modified, style)
        items.append(TextLine("updated", w["updated"].format(date=date)))
    return items


def _newsletter_in_column(article: Article, dice: _Dice) -> bool:
    return not article.sample and dice.pick("newsletter_in_column", 4) == 0


def _inserts(article: Article, dice: _Dice) -> dict[int, list[Item]]:
    """What goes into the body, keyed by the number of paragraphs after which it goes."""
    labels = AD_LABELS[article.lang]
    inserts: dict[int, list[Item]] = {}
    ad = AdSlot(labels[dice.pick("ad", len(labels))], "mid")
    inserts.setdefault(2 + dice.pick("ad_at", 2), []).append(ad)
    teaser = _teaser(article, dice)
    if teaser is not None:
        inserts.setdefault(4 + dice.pick("teaser_at", 2), []).append(teaser)
    for n, (caption, credit) in enumerate(article.figures, start=1):
        fig = Figure(article.figure_src(n), caption, credit, credit_inline=bool(dice.pick(f"fig{n}", 2)))
        inserts.setdefault(1 + 3 * n, []).append(fig)
    if _newsletter_in_column(article, dice):
        inserts.setdefault(5, []).append(_newsletter(article.lang))
    return inserts


def _weave(blocks: tuple[BodyBlock, ...], inserts: dict[int, list[Item]]) -> list[Item]:
    """Body blocks with the inserts placed after their paragraph (never between a paragraph and its list)."""
    items: list[Item] = []
    pending: list[Item] = []
    paragraphs = 0
    for i, block in enumerate(blocks):
        items.append(block)
        if isinstance(block, Paragraph):
            paragraphs += 1
            pending += inserts.pop(paragraphs, [])
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        if pending and not isinstance(following, BulletList):
            items += pending
            pending = []
    items += pending
    for _, rest in sorted(inserts.items()):  # short bodies: what did not fit goes after the last block
        items += rest
    return items


def _generic_column(article: Article, dice: _Dice, template: str) -> tuple[Item, ...]:
    """Column of an ordinary article: header, lead figure, body with ad, teaser and figures inserted."""
    items: list[Item] = []
    if dice.pick("partner_in_column", 3) == 0:
        items.append(_partner(article, dice))
    items += _header(article, dice, template, _word_count(article.body))
    counter_on_top = bool(dice.pick("counter_top", 2))
    if counter_on_top:
        items.append(_counter(article, dice))
    items.append(
        Figure(
            src=article.image,
            caption=article.image_caption,
            credit=article.image_credit,
            credit_inline=bool(dice.pick("credit_inline", 2)),
        )
    )
    items += _weave(article.body, _inserts(article, dice))
    if dice.pick("tags_in_column", 2):
        links = tuple((tag, f"/tag/{tag_slug(tag)}/") for tag in article.tags)
        items.append(LinkList("tags", WORDS[article.lang]["tags"], links))
    if not counter_on_top:
        items.append(_counter(article, dice))
    return tuple(items)


def _header_bar(article: Article, dice: _Dice, column: tuple[Item, ...]) -> list[Item]:
    """For a sample article: the byline furniture its fixed column lacks, shown in a bar above the column."""
    if not article.sample:
        return []
    present = {"meta" for item in column if isinstance(item, MetaLine)}
    present |= {item.kind for item in column if isinstance(item, TextLine)}
    return [
        item
        for item in _header(article, dice, template_for(article), _word_count(column))
        if not isinstance(item, Title)
        and not (isinstance(item, MetaLine) and "meta" in present)
        and not (isinstance(item, TextLine) and item.kind in present)
    ]


def _chrome(article: Article, dice: _Dice, column: tuple[Item, ...]) -> tuple[list[Item], list[Item], list[Item]]:
    """Top, aside and bottom regions: navigation, sidebar, share, newsletter, related, footer, cookies."""
    lang = article.lang
    w = WORDS[lang]
    nav = LinkList("nav", "", ((SITE_NAME, "/"), *((SECTION_LABELS[lang][s], f"/section/{s}/") for s in SECTIONS)))
    cookies = Box("cookies", (w["cookie_text"],), (w["cookie_accept"], w["cookie_refuse"]))
    cookies_first = bool(dice.pick("cookies_first", 2))
    top: list[Item] = [cookies, nav] if cookies_first else [nav]
    top += _header_bar(article, dice, column)
    mostread = tuple((a.title, a.path) for a in _others(article, same_section=False)[:5])
    aside: list[Item] = [AdSlot(AD_LABELS[lang][0], "sidebar"), LinkList("mostread", w["mostread"], mostread)]
    if not any(isinstance(item, Partner) for item in column):
        aside.insert(1, _partner(article, dice))
    bottom: list[Item] = []
    if not any(isinstance(item, LinkList) and item.kind == "share" for item in column):
        bottom.append(_share(lang))
    if not _newsletter_in_column(article, dice):
        bottom.append(_newsletter(lang))
    related = tuple((a.title, a.path) for a in _others(article, same_section=True)[:3])
    if related:
        bottom.append(LinkList("related", w["related"], related))
    bottom.append(LinkList("footer", "", FOOTER_LINKS[lang]))
    bottom.append(Box("notice", (FOOTER_NOTICE[lang],)))
    if not cookies_first:
        bottom.append(cookies)
    return top, aside, bottom


@functools.cache
def plan_page(article: Article) -> PagePlan:
    """The full plan of an article's page (cached: plans are pure functions of the content)."""
    dice = _Dice(article.slug)
    template = template_for(article)
    column = sample_column(article) if article.sample else _generic_column(article, dice, template)
    if dice.pick("share_in_column", 3) == 0 and not article.sample:
        column = (*column[:-1], _share(article.lang), column[-1])
    top, aside, bottom = _chrome(article, dice, column)
    return PagePlan(article, template, tuple(top), column, tuple(aside), tuple(bottom))


def tag_slug(tag: str) -> str:
    """URL slug of a tag: lowercase ASCII words joined by hyphens ("Union européenne" -> union-europeenne)."""
    return slugify(tag)
