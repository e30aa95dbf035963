"""Golden tests on the bundled demo site: every article's metadata exact, every body line present in
order, no residue or chrome line in the text; the sample articles also against shared/samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from extract import ArticleRecord, ExtractHints, extract_article

truth = pytest.importorskip("newsarchive.demosite.truth", reason="the demo site package is built in parallel")

BASE_URL = "http://127.0.0.1:8765"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
HINTS = ExtractHints(languages=("fr", "en"), timezone="Europe/Paris")

ARTICLES = truth.articles()


def _extract(article: Any) -> ArticleRecord:
    html = truth.render_article_page(article, BASE_URL)
    return extract_article(html, truth.url(article, BASE_URL), site="demo", hints=HINTS)


def test_demo_site_has_articles_and_both_samples() -> None:
    assert len(ARTICLES) >= 10
    assert {a.sample for a in ARTICLES if a.sample} == {"000_9b30a7b1c346ae44.txt", "004_681433a4717d92a0.txt"}


@pytest.mark.parametrize("article", ARTICLES, ids=[a.slug for a in ARTICLES])
def test_demo_article(article: Any) -> None:
    record = _extract(article)
    assert record.title == article.title
    assert record.published == article.published
    assert record.modified == article.modified
    assert record.authors == article.authors
    assert record.language == article.lang
    lines = record.text.split("\n")
    # Every body line, in order (each found after the previous one).
    position = -1
    for body_line in article.body:
        assert body_line in lines[position + 1 :], f"missing or out of order: {body_line!r}"
        position = lines.index(body_line, position + 1)
    for residue in (*article.residue, *article.chrome):
        assert residue not in lines, f"residue reached the text: {residue!r}"
    assert record.title not in lines


@pytest.mark.parametrize("article", [a for a in ARTICLES if a.sample], ids=lambda a: a.sample)
def test_sample_articles_against_shared_samples(article: Any) -> None:
    """The sample file's lines are body lines (kept, in order) or residue (dropped); nothing else."""
    if not SAMPLES.is_dir():
        pytest.skip("shared/samples is absent")
    sample_lines = [line.strip() for line in (SAMPLES / article.sample).read_text(encoding="utf-8").splitlines()]
    sample_lines = [line for line in sample_lines if line]
    record = _extract(article)
    text_lines = record.text.split("\n")
    body = set(article.body)
    kept = [line for line in sample_lines if line in body]
    assert kept, "the sample shares no body line with the demo article"
    # Every sample line that is not body must be absent from the text, and every body line present.
    for line in sample_lines:
        if line in body:
            assert line in text_lines
        else:
            assert line not in text_lines, f"sample residue reached the text: {line!r}"
    assert [line for line in text_lines if line in set(kept)] == kept
    assert record.text == "\n".join(article.body)
