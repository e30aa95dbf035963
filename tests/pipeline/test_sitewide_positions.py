"""The extract stage's site-level pass with template positions: stored per window, learnt across windows,
and never leaving a record without text."""

from __future__ import annotations

import json
from pathlib import Path

from extract.record import ArticleRecord, LinePositions, article_id
from newsarchive.archive import keys
from newsarchive.archive.store import open_store
from newsarchive.instants import parse_window
from newsarchive.pipeline.extract_stage import apply_sitewide_pass

WEEK1 = parse_window("2024-11-01", "2024-11-02")
WEEK2 = parse_window("2024-11-02", "2024-11-03")
BODY, CAPTION = "aaaaaaaaaaaa", "bbbbbbbbbbbb:m"


def page(n: int, caption: str, confirmed: int) -> ArticleRecord:
    url = f"https://news.example/a/{n}.html"
    lines = [f"Paragraph {n}: the council voted the budget for next year after a long debate on Tuesday.", caption]
    return ArticleRecord(id=article_id(url), url=url, canonical_url=url, site="s", title=f"T{n}",
                         text="\n".join(lines), positions=LinePositions((BODY, CAPTION), (CAPTION,) * confirmed))


def test_caption_position_learnt_in_one_window_cleans_the_next(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    first = apply_sitewide_pass("s", WEEK1, [page(n, f"Photo caption number {n}.", 2) for n in range(3)], store)
    assert all("Photo caption" in r.text for r in first)  # 3 pages: a position needs 5 to be judged
    stored = json.loads(store.get(keys.sitewide_key("s", WEEK1.start, WEEK1.end)))
    assert stored["positions"][CAPTION] == [3, 3, 0, 6]
    second = apply_sitewide_pass("s", WEEK2, [page(n, f"Another caption {n}.", 0) for n in range(3, 6)], store)
    assert [r.text.split("\n") for r in second] == [[p.text.split("\n")[0]] for p in second]
    assert all(r.dropped == {"sitewide_caption": 1} for r in second)
    assert all(r.positions is not None and r.positions.lines == (BODY,) for r in second)


def test_a_record_is_never_left_without_text(tmp_path: Path) -> None:
    store = open_store(str(tmp_path))
    url = "https://news.example/only-chrome.html"
    chrome = "Get the morning briefing in your inbox."
    records = [ArticleRecord(id=article_id(f"{url}{n}"), url=f"{url}{n}", canonical_url=f"{url}{n}", site="s",
                             title="T", text=chrome if n == 0 else f"Body {n} of the story.\n{chrome}")
               for n in range(5)]
    cleaned = apply_sitewide_pass("s", WEEK1, records, store)
    assert cleaned[0].text == chrome and cleaned[0].dropped == {}
    assert all(r.text == f"Body {n} of the story." for n, r in enumerate(cleaned) if n)
