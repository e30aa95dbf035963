"""extract_article end to end on small pages: the record's fields, and what must not reach the text."""

from __future__ import annotations

from types import ModuleType

import pytest

from extract import ArticleRecord, ExtractHints, RawRef, article_id, extract_article
from extract.version import EXTRACTOR_VERSION

URL = "https://news.example.org/fr/2024/11/13/frappes.html?utm_source=feed"


def test_well_marked_up_french_article(pages: ModuleType) -> None:
    html = pages.news_article()
    record = extract_article(html, URL, site="demo", fetched_at="2024-11-14T00:00:00+00:00", raw=RawRef("k", 12))
    assert isinstance(record, ArticleRecord)
    assert record.title == "Des frappes massives sur huit régions"
    assert record.canonical_url == "https://news.example.org/fr/2024/11/13/frappes.html"
    assert record.id == article_id(record.canonical_url)
    assert record.url == URL
    assert record.site == "demo"
    assert record.authors == ("Jeanne Martin",)
    assert record.published == "2024-11-13T15:07:00+01:00"
    assert record.modified == "2024-11-13T16:30:00+01:00"
    assert record.language == "fr"
    assert record.language_source == "detected"
    assert record.language_confidence > 0.9
    assert record.section == "Europe"
    assert record.tags == ("Ukraine", "Russie")
    assert record.description == "Un résumé."
    assert record.image == "https://news.example.org/img/photo.jpg"
    assert record.site_name == "Demo News"
    assert record.raw == RawRef("k", 12)
    assert record.fetched_at == "2024-11-14T00:00:00+00:00"
    assert record.extractor["newsarchive-extract"] == EXTRACTOR_VERSION
    assert set(record.extractor) == {"newsarchive-extract", "trafilatura", "langdetect"}
    assert record.text.split("\n") == pages.FR_BODY
    assert record.title not in record.text


def test_bytes_and_str_give_the_same_record(pages: ModuleType) -> None:
    html = pages.news_article()
    assert extract_article(html, URL) == extract_article(html.encode("utf-8"), URL)


def test_deterministic(pages: ModuleType) -> None:
    html = pages.news_article(lang="en", title="Council expands the tram network")
    first = extract_article(html, URL).to_json()
    for _ in range(3):
        assert extract_article(html, URL).to_json() == first


@pytest.mark.parametrize("lang", ["fr", "en", "de"])
def test_languages(pages: ModuleType, lang: str) -> None:
    record = extract_article(pages.news_article(lang=lang, title="Titre"), URL)
    assert record.language == lang
    assert record.text.split("\n") == {"fr": pages.FR_BODY, "en": pages.EN_BODY, "de": pages.DE_BODY}[lang]


def test_site_defaults_to_host_and_hints_are_used(pages: ModuleType) -> None:
    html = pages.news_article(ld={"@type": "NewsArticle", "headline": "X", "datePublished": "2024-11-13T15:07:00"})
    record = extract_article(html, "https://www.news.example.org/a.html", hints=ExtractHints(timezone="Europe/Paris"))
    assert record.site == "news.example.org"
    assert record.published == "2024-11-13T15:07:00+01:00"


def test_to_json_round_trip(pages: ModuleType) -> None:
    record = extract_article(pages.news_article(), URL)
    assert ArticleRecord.from_dict(record.to_dict()) == record
