"""Language: langdetect when sure (deterministic), the page's declared language when the text is short or
detection unsure, the site's only language as the last hint."""

from __future__ import annotations

from types import ModuleType

from extract import ExtractHints, extract_article
from extract.language import choose_language

URL = "https://news.example.org/a.html"


def test_detected_language_overrides_a_wrong_declaration(pages: ModuleType) -> None:
    html = pages.news_article(lang="de", title="Titel")
    # The page says French everywhere, the text is German and long: detection wins.
    html = html.replace('lang="de"', 'lang="fr"').replace('"inLanguage": "de"', '"inLanguage": "fr"')
    record = extract_article(html, URL)
    assert (record.language, record.language_source) == ("de", "detected")
    assert record.language_confidence > 0.9


def test_short_text_falls_back_to_declared_language() -> None:
    result = choose_language("Die Preise steigen.", declared="de")
    assert (result.language, result.source) == ("de", "declared")
    result = choose_language("OK merci", declared="fr")
    assert (result.language, result.source) == ("fr", "declared")


def test_site_language_hint_when_page_declares_nothing() -> None:
    result = choose_language("Ja.", declared=None, site_languages=("de",))
    assert (result.language, result.source) == ("de", "declared")
    # Several site languages: no single hint, the detector's guess stays.
    result = choose_language("Ja.", declared=None, site_languages=("de", "fr"))
    assert result.source == "detected"


def test_no_text_no_declaration() -> None:
    assert choose_language("", declared=None).language is None


def test_deterministic_on_ambiguous_text() -> None:
    text = "Taxi hotel restaurant radio video piano"
    first = choose_language(text, declared=None)
    assert all(choose_language(text, declared=None) == first for _ in range(5))


def test_record_language_fields_for_short_article(pages: ModuleType) -> None:
    body = ["Le conseil municipal a voté mardi soir l'extension du tramway de douze kilomètres vers le nord."]
    html = pages.news_article(body_lines=body)
    record = extract_article(html, URL, hints=ExtractHints(min_words=5))
    assert record.language == "fr"
    assert record.language_source == "declared"


def test_multilingual_site_hint_picks_the_language_detection_ranks_best() -> None:
    result = choose_language("Le conseil a voté.", declared=None, site_languages=("en", "fr"))
    assert (result.language, result.source) == ("fr", "declared")
