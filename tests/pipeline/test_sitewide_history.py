"""The site-level pass learns from the site's recent windows too, through per-window line statistics."""

from __future__ import annotations

from pathlib import Path

from extract.record import ArticleRecord, article_id
from newsarchive.archive import keys
from newsarchive.archive.store import open_store
from newsarchive.instants import parse_window
from newsarchive.pipeline.extract_stage import apply_sitewide_pass

BOILERPLATE = "Suivez toute l'actualité de la région avec notre application"
WEEK1 = parse_window("2024-11-01", "2024-11-02")
WEEK2 = parse_window("2024-11-02", "2024-11-03")


def page(n: int, boilerplate: bool) -> ArticleRecord:
    url = f"https://news.example/a/{n}.html"
    lines = [f"Paragraphe {n} : le conseil municipal a voté le budget de l'année prochaine après un long débat."]
    lines += [BOILERPLATE] if boilerplate else []
    lines += [f"Le maire de la commune numéro {n} a salué un compromis difficile mais nécessaire."]
    return ArticleRecord(id=article_id(url), url=url, canonical_url=url, site="s", title=f"T{n}", text="\n".join(lines))


def test_recurring_line_is_dropped_once_history_adds_evidence(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    first = apply_sitewide_pass("s", WEEK1, [page(1, True), page(2, True), page(3, False)], store)
    # Two pages of three: not enough evidence within one run (a line must be on at least 3 pages).
    assert all(BOILERPLATE in r.text for r in first if r.title in ("T1", "T2"))
    assert store.exists(keys.sitewide_key("s", WEEK1.start, WEEK1.end))

    second = apply_sitewide_pass("s", WEEK2, [page(4, True), page(5, True), page(6, False)], store)
    # With the first window's statistics: on 4 of 6 pages, so it is boilerplate now.
    assert not any(BOILERPLATE in r.text for r in second)
    dropped = {r.title: r.dropped.get("sitewide_recurring", 0) for r in second}
    assert dropped == {"T4": 1, "T5": 1, "T6": 0}
    for record, n in zip(second, (4, 5, 6), strict=True):  # the body lines stay, in order
        assert record.text.split("\n") == [line for line in page(n, False).text.split("\n")]


def test_rerunning_a_window_does_not_count_its_pages_twice(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    pages = [page(1, True), page(2, True), page(3, False)]
    for _ in range(3):
        result = apply_sitewide_pass("s", WEEK1, pages, store)
    assert all(BOILERPLATE in r.text for r in result if r.title in ("T1", "T2"))
    assert list(store.list("sitewide/")) == [keys.sitewide_key("s", WEEK1.start, WEEK1.end)]
