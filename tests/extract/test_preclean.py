"""Layer 1, the HTML pre-clean: furniture recognised by tag, role, aria-label and class words; captions
collected; link-only paragraphs to other pages of the site dropped; the article kept whatever its class."""

from __future__ import annotations

from types import ModuleType

import pytest
from lxml import etree
from lxml.html import tostring

from extract import ExtractHints, extract_article
from extract.article import parse_html
from extract.preclean import class_words, drop_reason, preclean

URL = "https://news.example.org/fr/2024/11/13/frappes.html"


def _clean(body: str, xpaths: tuple[str, ...] = ()) -> tuple[str, object]:
    tree = parse_html(f"<html><body>{body}</body></html>")
    result = preclean(tree, URL, xpaths)
    return tostring(tree, encoding="unicode"), result


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ('<div class="ad-slot">Publicité</div>', "ad_block"),
        ('<div id="taboola-below-article">Taboola</div>', "ad_block"),
        ('<div class="c-partner">in partnership with</div>', "ad_block"),
        ('<section class="newsletterSignup">Sign up</section>', "newsletter"),
        ('<div class="share-buttons">Share</div>', "share"),
        ('<ul class="social-links"><li>Facebook</li></ul>', "share"),
        ('<div class="related-articles">Read more</div>', "related"),
        ('<div class="lire-aussi">Lire aussi</div>', "related"),
        ('<span class="comments-count">12</span>', "comment_counter"),
        ('<span class="image-caption">Photo</span>', "caption"),
        ('<div class="c-article__readtime">5 min</div>', "byline_meta"),
        ('<div class="u-visually-hidden">Logo</div>', "hidden"),
        ('<div class="sr-only">Skip</div>', "hidden"),
        ("<div hidden>x</div>", "hidden"),
        ('<div role="complementary">x</div>', "navigation"),
        ('<div aria-label="Partager cet article">x</div>', "share"),
        ('<div class="cookie-banner">x</div>', "overlay"),
        ("<aside>x</aside>", "aside"),
        ("<figure><img alt='a'></figure>", "caption"),
        ("<iframe src='x'></iframe>", "embed"),
    ],
)
def test_drop_reason(markup: str, reason: str) -> None:
    tree = parse_html(f"<html><body>{markup}</body></html>")
    element = tree.find("body")[0]
    assert drop_reason(element) == reason


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="article-body">x</div>',
        '<div class="header">x</div>',  # "ad" inside a word is not the word "ad"
        '<div class="shadow readable">x</div>',
        '<div class="TestReport__Section--Ads">x</div>',  # BEM modifier: a variant, not the role
        '<div class="category-sponsored tag-newsletter">x</div>',  # taxonomy classes name topics
        '<div class="hidden-xs overflow-hidden">x</div>',  # responsive utilities still show content
        "<p>x</p>",
    ],
)
def test_kept_elements(markup: str) -> None:
    tree = parse_html(f"<html><body>{markup}</body></html>")
    assert drop_reason(tree.find("body")[0]) is None


def test_class_words_split() -> None:
    assert class_words("relatedArticles lire_aussi") == " related articles lire aussi "


def test_article_with_unlucky_class_is_kept(pages: ModuleType) -> None:
    body = '<div class="promo-article">' + pages.paragraphs(pages.EN_BODY * 2) + "</div><p>Short.</p>"
    html, result = _clean(body)
    assert pages.EN_BODY[0] in html
    assert not result.dropped  # type: ignore[attr-defined]


def test_prose_in_ad_classed_sections_is_kept(pages: ModuleType) -> None:
    # Each section is well under a third of the page but is prose (two long paragraphs), not an ad.
    pairs = [pages.EN_BODY[i : i + 2] for i in range(2)] * 3
    sections = "".join(f'<section class="report-section ads">{pages.paragraphs(pair)}</section>' for pair in pairs)
    html, _ = _clean(sections)
    assert all(line in html for line in pages.EN_BODY)


def test_captions_collected_before_figures_are_dropped() -> None:
    body = (
        '<figure><img src="a.jpg" alt="Antony Blinken avec Mark Rutte à Bruxelles">'
        "<figcaption>Antony Blinken avec Mark Rutte à Bruxelles, le 13 novembre. AP Photo</figcaption></figure>"
        "<p>Texte.</p>"
    )
    html, result = _clean(body)
    assert "figure" not in html
    assert "antony blinken avec mark rutte à bruxelles" in result.captions  # type: ignore[attr-defined]
    assert result.dropped["caption"] == 1  # type: ignore[attr-defined]


def test_link_only_paragraphs_to_the_same_site_are_dropped() -> None:
    body = (
        "<p>Le président a parlé mercredi devant les députés pendant une heure.</p>"
        '<p><a href="/fr/2024/11/04/zelensky-fuites.html">Le président ukrainien se plaint des fuites</a></p>'
        '<h3><a href="https://news.example.org/fr/2024/11/05/medvedev.html">L\'ancien président russe prédit</a></h3>'
        '<p>» <a href="/fr/autre.html">Autre article</a></p>'
        '<p><a href="https://www.elsewhere.example.com/report.pdf">The full report (PDF)</a></p>'
        '<p>Selon <a href="/fr/source.html">une source</a>, la réunion a duré deux heures.</p>'
        '<p><a href="#note1">1</a></p>'
    )
    html, result = _clean(body)
    assert "se plaint des fuites" not in html
    assert "prédit" not in html
    assert "Autre article" not in html
    assert "The full report" in html  # other site: a source, kept
    assert "une source" in html  # a link inside a sentence, kept
    assert result.dropped["related_link"] == 3  # type: ignore[attr-defined]


def test_site_prune_xpaths() -> None:
    body = '<div class="x-promo">Promo text</div><p>Body text here.</p>'
    html, result = _clean(body, ("//div[@class='x-promo']",))
    assert "Promo text" not in html and "Body text here." in html
    assert result.dropped["site_prune"] == 1  # type: ignore[attr-defined]


def test_invalid_prune_xpath_is_a_clear_error() -> None:
    with pytest.raises(etree.XPathSyntaxError):
        ExtractHints(prune_xpaths=("//div[",))


def test_layout_with_divs_and_br(pages: ModuleType) -> None:
    """A div-soup layout: text in divs with <br>, share bar and newsletter box inside the article."""
    body = (
        '<div id="content"><div class="title"><h1>Le conseil vote le tramway</h1></div>'
        '<div class="sharebar"><a href="#">Partager</a> <a href="#">Tweet</a></div>'
        '<div class="txt">' + "<br><br>".join(pages.FR_BODY) + "</div>"
        '<div class="newsletter-box">Inscrivez-vous à notre newsletter <form><input></form></div>'
        '<div class="txt">' + pages.FR_BODY[0].replace("La Russie", "Le Kremlin") + "</div></div>"
    )
    record = extract_article(pages.page(body), URL)
    assert "Partager" not in record.text and "newsletter" not in record.text
    assert all(line in record.text.split("\n") for line in pages.FR_BODY)
