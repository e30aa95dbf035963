"""Golden tests on the soup site (newsarchive.demosite.soup): markup that says nothing, hashed class names that change
on every page, captions and credits in the same tags as the body, stock captions on many pages.

Every article, extracted page by page and then through the site-level pass run window by window as the
extract stage runs it (a week per window, the last 10 windows as history): every body line in order, the
metadata exact; and once the pass has seen WARM_PAGES pages of the site (its first weeks hold a handful of
pages: a line must be seen on 3 of them), no caption or credit anywhere in the text (not even inside a
line) and no chrome line."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from extract import ArticleRecord, ExtractHints, extract_article
from extract.sitewide import LineStats, learn_site
from newsarchive.demosite.soup import truth

BASE_URL = "http://127.0.0.1:8767"
HINTS = ExtractHints(languages=("fr", "en"), timezone="Europe/Paris")
WINDOW = timedelta(days=7)
HISTORY_WINDOWS = 10  # as newsarchive.pipeline.extract_stage.HISTORY_WINDOWS
WARM_PAGES = 20
ARTICLES = truth.articles()


def _extract(article: Any) -> ArticleRecord:
    return extract_article(truth.render(article, BASE_URL), truth.url(article, BASE_URL), site="soup", hints=HINTS)


def _windows(articles: list[Any]) -> Iterator[list[Any]]:
    ordered = sorted(articles, key=lambda a: a.published)
    start = ordered[0].published
    window: list[Any] = []
    for article in ordered:
        while article.published >= start + WINDOW:
            yield window
            window, start = [], start + WINDOW
        window.append(article)
    yield window


@functools.cache
def _site_texts() -> dict[str, tuple[list[str], ArticleRecord, dict[str, int], int]]:
    """Every article's text lines after the site-level pass, run window by window with history (and how
    many pages the pass had seen when it cleaned them)."""
    done: dict[str, tuple[list[str], ArticleRecord, dict[str, int], int]] = {}
    stored: list[LineStats] = []
    for window in _windows(ARTICLES):
        records = [_extract(a) for a in window]
        history = LineStats(0, {})
        for stats in stored[-HISTORY_WINDOWS:]:
            history = history.merged(stats)
        pages = [(r.text.split("\n"), r.positions) for r in records]
        run, cleaner = learn_site(pages, history)
        stored.append(LineStats.from_json(run.to_json()))  # what the extract stage stores and reads back
        for article, record, (lines, positions) in zip(window, records, pages, strict=True):
            kept, dropped = cleaner.clean(lines, positions)
            done[article.slug] = (kept, record, dropped, history.pages + run.pages)
    return done


def test_the_site_is_the_held_out_kind() -> None:
    assert len(ARTICLES) >= 250
    uses = [sum(a.lead.caption == stock for a in ARTICLES) for stock in truth.stock_captions()]
    assert max(uses) >= 20  # one stock caption on many pages (and a few rarer ones)
    kinds = {m.kind for a in ARTICLES for m in a.media}
    assert {"box", "loose", "merged", "inline", "video"} <= kinds


@pytest.mark.parametrize("article", ARTICLES, ids=[a.slug for a in ARTICLES])
def test_soup_article(article: Any) -> None:
    lines, record, _, seen = _site_texts()[article.slug]
    assert record.title == article.title
    assert record.published == article.published.isoformat()
    assert record.authors == article.authors
    assert record.language == article.lang
    position = -1
    for body_line in article.body:
        assert body_line in lines[position + 1:], f"missing or out of order: {body_line!r}"
        position = lines.index(body_line, position + 1)
    if seen < WARM_PAGES:
        return
    for text in truth.captions_and_credits(article):
        assert not any(text in line for line in lines), f"caption or credit reached the text: {text!r}"
    for text in truth.chrome_lines(article):
        assert text not in lines, f"chrome reached the text: {text!r}"
    assert lines == list(article.body)


def test_page_pass_alone_removes_most_captions_and_the_site_pass_the_rest() -> None:
    """Structure on each page does most of the work, the site-level pass the rest (both counted, so a
    regression of either shows); the cold start leaves only a few."""
    leaked = left = total = 0
    for article in ARTICLES:
        text = _extract(article).text
        lines = _site_texts()[article.slug][0]
        for caption in truth.captions_and_credits(article):
            total += 1
            leaked += caption in text
            left += any(caption in line for line in lines)
    assert leaked <= 0.1 * total, f"{leaked} of {total} captions/credits left by the page pass"
    assert left <= 0.005 * total, f"{left} of {total} captions/credits left after the site pass"
