"""Access: paywalled and metered pages are archived with their visible text, metadata and ``access``."""

from __future__ import annotations

from types import ModuleType

import pytest

from extract import ExtractHints, extract_article
from extract.access import AccessMarkup, page_access
from newsarchive.archive import validate_article

URL = "https://news.example.org/fr/2024/11/13/page.html"
LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Réforme des retraites",
    "datePublished": "2024-11-13T09:00:00+01:00",
    "author": [{"@type": "Person", "name": "Jeanne Martin"}],
}


@pytest.mark.parametrize("flag", ["False", False, "false"])
def test_declared_not_free_is_archived_paywalled_with_metadata(pages: ModuleType, flag: object) -> None:
    html = pages.news_article(title="Réforme des retraites", body_lines=pages.FR_BODY[:1],
                              ld={**LD, "isAccessibleForFree": flag})
    # Shorter than the site's minimum: a teaser is short by design, and still an article.
    record = extract_article(html, URL, hints=ExtractHints(min_words=200))
    assert record.access == "paywalled"
    assert record.text == pages.FR_BODY[0]
    assert record.title == "Réforme des retraites"
    assert record.authors == ("Jeanne Martin",)
    assert record.published == "2024-11-13T09:00:00+01:00"
    assert record.to_dict()["access"] == "paywalled"


def test_haspart_not_free_is_paywalled(pages: ModuleType) -> None:
    ld = {**LD, "isAccessibleForFree": "True",
          "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": "False", "cssSelector": ".paywall"}}
    html = pages.news_article(body_lines=pages.FR_BODY, ld=ld)
    assert extract_article(html, URL).access == "paywalled"


@pytest.mark.parametrize(("tier", "access"), [("locked", "paywalled"), ("metered", "metered"), ("free", "free")])
def test_content_tier_meta(pages: ModuleType, tier: str, access: str) -> None:
    html = pages.news_article(body_lines=pages.FR_BODY, ld=LD,
                              head_extra=f'<meta property="article:content_tier" content="{tier}">')
    record = extract_article(html, URL)
    assert record.access == access
    assert record.text.split("\n") == pages.FR_BODY


def test_subscription_prompt_makes_a_teaser_paywalled_and_is_dropped(pages: ModuleType) -> None:
    prompt = "Cet article est réservé aux abonnés. Déjà abonné ? Connectez-vous"
    html = pages.news_article(body_lines=[*pages.FR_BODY[:1], prompt], ld=LD)
    record = extract_article(html, URL)
    assert record.access == "paywalled"
    assert record.text == pages.FR_BODY[0]
    assert record.dropped.get("subscription") == 1


@pytest.mark.parametrize(
    ("lang", "prompt"),
    [
        ("en", "You have 2 free articles left this month."),
        ("en", "You have reached your limit of free articles."),
        ("fr", "Il vous reste 3 articles gratuits ce mois-ci."),
        ("de", "Sie haben 4 von 5 kostenlosen Artikeln gelesen."),
        ("es", "Te quedan 2 artículos gratis este mes."),
        ("pl", "Pozostało ci 2 darmowych artykułów."),
    ],
)
def test_meter_prompt_makes_the_article_metered(pages: ModuleType, lang: str, prompt: str) -> None:
    body = {"fr": pages.FR_BODY, "de": pages.DE_BODY}.get(lang, pages.EN_BODY)
    html = pages.news_article(lang=lang, body_lines=[*body, prompt], ld={**LD, "inLanguage": lang})
    record = extract_article(html, URL)
    assert record.access == "metered"
    assert prompt not in record.text.split("\n")
    assert record.dropped.get("meter") == 1


def test_meter_markup_with_a_not_free_declaration_is_metered(pages: ModuleType) -> None:
    html = pages.news_article(body_lines=pages.FR_BODY, ld={**LD, "isAccessibleForFree": False},
                              after_body='<div class="article-meter" data-left="2"></div>')
    assert extract_article(html, URL).access == "metered"


def test_paywall_markup_with_cut_text_is_paywalled_and_whole_text_free(pages: ModuleType) -> None:
    cut = pages.FR_BODY[0][:120]
    html = pages.news_article(body_lines=[cut], after_body='<div class="paywall-box"><a href="/abo">Offre</a></div>')
    record = extract_article(html, URL, hints=ExtractHints(min_words=200))
    assert record.access == "paywalled"
    assert record.text.split("\n")[0] == cut
    # The same markup with a complete text is a free article (the box is an offer, not a wall).
    whole = pages.news_article(body_lines=pages.FR_BODY[:2], after_body='<div class="paywall-box"></div>')
    assert extract_article(whole, URL).access == "free"


def test_weak_markup_words_alone_do_not_make_a_paywall(pages: ModuleType) -> None:
    cut = pages.FR_BODY[0][:120]
    html = pages.news_article(body_lines=[cut], after_body='<div class="menu-premium"><a href="/p">Premium</a></div>')
    with pytest.raises(Exception, match="too_short"):
        extract_article(html, URL, hints=ExtractHints(min_words=200))


def test_plain_article_is_free_and_valid(pages: ModuleType) -> None:
    record = extract_article(pages.news_article(), URL, site="news", fetched_at="2024-11-13T10:00:00Z")
    assert record.access == "free"
    validate_article(record.to_dict())


def test_access_rules_table() -> None:
    none = AccessMarkup()
    assert page_access(declared_free=None, content_tier=None, markup=none, text="x.", words=300, dropped={}) == "free"
    assert page_access(declared_free=True, content_tier=None, markup=AccessMarkup(paywall=True), text="x",
                       words=300, dropped={}) == "free"  # long text: markup alone is no wall
    assert page_access(declared_free=False, content_tier=None, markup=AccessMarkup(meter=True), text="x.",
                       words=900, dropped={}) == "metered"
    assert page_access(declared_free=None, content_tier="LOCKED", markup=none, text="x.", words=900,
                       dropped={}) == "paywalled"
    assert page_access(declared_free=None, content_tier=None, markup=none, text="x.", words=100,
                       dropped={"subscription": 1}) == "paywalled"
    assert page_access(declared_free=None, content_tier=None, markup=none, text="x.", words=400,
                       dropped={"subscription": 1}) == "free"  # a prompt under a whole article: a sales pitch
