"""The site-level pass: lines recurring on many pages of a site are learnt and dropped."""

from __future__ import annotations

from extract.sitewide import SITEWIDE_REASON, learn


def _pages(n: int) -> list[list[str]]:
    return [
        [
            f"Unique first paragraph of article {i}, about a different subject every time.",
            "Retrouvez toute l'actualité sur notre application.",
            f"Second paragraph {i} with more details on the story.",
            "Cet article a été rédigé avec l'aide de nos partenaires.",
        ]
        for i in range(n)
    ]


def test_learns_recurring_lines_and_drops_them() -> None:
    cleaner = learn(_pages(10))
    assert cleaner.pages_seen == 10
    kept, dropped = cleaner.clean(
        ["A new article's text.", "Retrouvez toute l’actualité sur notre application !", "The end."]
    )
    assert kept == ["A new article's text.", "The end."]
    assert dropped == {SITEWIDE_REASON: 1}
    text, dropped_text = cleaner.clean_text("x\nCet article a été rédigé avec l'aide de nos partenaires.")
    assert (text, dropped_text) == ("x", {SITEWIDE_REASON: 1})


def test_thresholds() -> None:
    pages = _pages(20)
    pages[0].append("A line on two pages only.")
    pages[1].append("A line on two pages only.")
    assert "a line on two pages only" not in learn(pages).keys
    # Three pages out of twenty: enough pages, but only 15% of them.
    for page in pages[2:3]:
        page.append("A line on two pages only.")
    assert "a line on two pages only" not in learn(pages).keys
    assert "a line on two pages only" in learn(pages, min_share=0.1).keys


def test_long_lines_and_small_corpora_are_never_learnt() -> None:
    long_line = " ".join(["word"] * 40)
    assert not learn([[long_line]] * 10).keys
    assert not learn(_pages(2)).keys
    assert learn([]).clean(["a"]) == (["a"], {})


def test_same_page_counted_once() -> None:
    pages = [["Repeated line on one page."] * 5] + [[f"Other {i}"] for i in range(9)]
    assert not learn(pages).keys
