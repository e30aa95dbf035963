"""Ground truth against rendered pages (no HTTP): every visible line is accounted for, content is sane."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from langdetect import DetectorFactory, detect
from lxml import html as lxml_html

from newsarchive.demosite import truth
from newsarchive.demosite.content import SECTIONS, ContentError, load_articles, parse_article
from newsarchive.demosite.items import BulletList, Quote, Subheading
from newsarchive.demosite.render import COLUMN_XPATH
from newsarchive.demosite.textlines import page_lines, visible_lines

BASE = "http://127.0.0.1:8765"
ARTICLES = truth.articles()
PARIS = ZoneInfo("Europe/Paris")
DST_END = datetime(2024, 10, 27, 1, 0, tzinfo=UTC)  # 03:00 CEST -> 02:00 CET


def test_catalogue_shape() -> None:
    assert len(ARTICLES) >= 36
    langs = Counter(a.lang for a in ARTICLES)
    assert set(langs) == {"fr", "en"} and abs(langs["fr"] - langs["en"]) <= 2
    sections = Counter(a.section for a in ARTICLES)
    assert set(sections) == set(SECTIONS) and min(sections.values()) >= 6
    days = Counter(a.published_at.astimezone(PARIS).date().isoformat() for a in ARTICLES)
    assert days["2024-11-13"] >= 2 and days["2024-11-05"] >= 1
    assert min(days) >= "2024-10-01" and max(days) <= "2024-11-30"
    assert len({a.path for a in ARTICLES}) == len(ARTICLES)
    assert {a.template for a in ARTICLES} == {"a", "b"}
    assert sum(1 for a in ARTICLES if a.modified != a.published) >= len(ARTICLES) // 3


def test_offsets_follow_paris_dst() -> None:
    for a in ARTICLES:
        for stamp in (a.published, a.modified):
            when = datetime.fromisoformat(stamp)
            expected = "+02:00" if when < DST_END else "+01:00"
            assert stamp.endswith(expected), (a.slug, stamp)
        assert a.modified >= a.published or datetime.fromisoformat(a.modified) >= a.published_at


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_page_lines_are_title_body_residue_and_chrome(article: truth.TruthArticle) -> None:
    page = truth.render_article_page(article, BASE)
    doc = lxml_html.document_fromstring(page)
    (column,) = doc.xpath(COLUMN_XPATH[article.template])
    assert visible_lines(column) == list(article.lines)
    assert sorted(page_lines(page)) == sorted([*article.lines, *article.chrome])
    # lines is exactly title + body + residue, interleaved in page order
    assert sorted(article.lines) == sorted([article.title, *article.body, *article.residue])
    assert article.lines.count(article.title) == 1
    assert not set(article.body) & (set(article.residue) | set(article.chrome))


@pytest.mark.parametrize("article", [a for a in ARTICLES if a.sample is None], ids=lambda a: a.slug)
def test_body_prose(article: truth.TruthArticle) -> None:
    DetectorFactory.seed = 0
    paragraphs = [line for line in article.body if len(line) > 120]
    assert 4 <= len(paragraphs) <= 12, article.slug
    assert len(set(article.body)) == len(article.body)
    assert detect(article.text) == article.lang
    assert 1 <= len(article.authors) <= 2 and article.tags and article.description


def test_clutter_varies_and_is_complete() -> None:
    residue = [line for a in ARTICLES for line in a.residue]
    chrome = [line for a in ARTICLES for line in a.chrome]
    everything = " | ".join(residue + chrome)
    for needle in ("Publicité", "Advertisement", "Anzeige", "en partenariat avec", "in partnership with",
                   "sponsored by", "min de lecture", "min read", "À lire aussi", "Read more", "Partager",
                   "Share on Facebook", "Photo: ", "©", "commentaires", "comments", "Les plus lus"):  # fmt: skip
        assert needle in everything, needle
    assert any(line.isdigit() for line in residue)  # a bare comment counter
    # pages differ: not every article has the same residue shape
    shapes = {tuple(line.split(" ")[0] for line in a.residue[:4]) for a in ARTICLES}
    assert len(shapes) > 5


def test_body_structures_present() -> None:
    blocks = [b for a in load_articles() for b in a.body]
    assert sum(isinstance(b, Quote) for b in blocks) >= 3
    assert sum(isinstance(b, BulletList) for b in blocks) >= 3
    assert sum(isinstance(b, Subheading) for b in blocks) >= 20


def test_articles_between() -> None:
    start = datetime(2024, 11, 13, tzinfo=PARIS)
    got = truth.articles_between(start, start + timedelta(days=1))
    assert len(got) >= 2 and all(a.path.startswith(("/fr/2024/11/13/", "/en/2024/11/13/")) for a in got)
    first = min(ARTICLES, key=lambda a: a.published_at)
    assert truth.articles_between(first.published_at, first.published_at + timedelta(seconds=1))[0] == first
    assert first not in truth.articles_between(first.published_at - timedelta(hours=1), first.published_at)
    with pytest.raises(ValueError, match="timezone-aware"):
        truth.articles_between(datetime(2024, 11, 1), datetime(2024, 12, 1))


def test_url_and_render_helpers() -> None:
    a = ARTICLES[0]
    assert truth.url(a, "http://127.0.0.1:9/") == f"http://127.0.0.1:9{a.path}"
    assert truth.render_article_page(a.slug, BASE) == truth.render_article_page(a, BASE)
    with pytest.raises(KeyError):
        truth.render_article_page("no-such-article", BASE)


def test_bad_data_file_is_refused_with_a_reason() -> None:
    good = "slug: x\nlang: fr\nsection: world\ntitle: T\nauthors: A\npublished: 2024-11-01 10:00\n"
    good += "tags: t\ndescription: d\nimage: c | Photo: X\n\nUn paragraphe.\n"
    assert parse_article(good, "x.txt").slug == "x"
    with pytest.raises(ContentError, match=r"x\.txt: unknown lang"):
        parse_article(good.replace("lang: fr", "lang: de"), "x.txt")
    with pytest.raises(ContentError, match="bad time"):
        parse_article(good.replace("2024-11-01 10:00", "1 Nov"), "x.txt")
    with pytest.raises(ContentError, match="missing header keys"):
        parse_article(good.replace("title: T\n", ""), "x.txt")
    with pytest.raises(ContentError, match="out of range"):
        parse_article(good.replace("2024-11-01", "2025-01-01"), "x.txt")
