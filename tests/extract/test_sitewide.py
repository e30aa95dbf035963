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


# --- learning by template position -------------------------------------------------------------------

POS_BODY, POS_CAPTION, POS_CHROME = "aaaaaaaaaaaa", "bbbbbbbbbbbb:m", "cccccccccccc"


def _page_with_positions(i: int, caption: str | None, confirmed: int, chrome: str) -> tuple[list[str], object]:
    from extract.record import LinePositions

    lines = [f"Body paragraph {i} of the story, with its own facts and figures number {i * 7}.", chrome]
    where = [POS_BODY, POS_CHROME]
    if caption is not None:
        lines.insert(1, caption)
        where.insert(1, POS_CAPTION)
    return lines, LinePositions(tuple(where), (POS_CAPTION,) * confirmed)


def test_a_position_mostly_holding_confirmed_captions_drops_the_unconfirmed_ones() -> None:
    from extract.sitewide import CAPTION_REASON, learn_site

    pages = [_page_with_positions(i, None, 1, f"Chrome {i % 2}") for i in range(8)]
    pages += [_page_with_positions(8, "Workers lay rails near the station.", 0, "Chrome 0")]
    run, cleaner = learn_site(pages)
    assert POS_CAPTION in cleaner.caption_positions
    lines, positions = pages[-1]
    kept, dropped = cleaner.clean(lines, positions)  # type: ignore[arg-type]
    assert "Workers lay rails near the station." not in kept and dropped.get(CAPTION_REASON) == 1
    assert kept[0].startswith("Body paragraph 8")
    # Without positions (a record read back from the archive), nothing but recurring lines can go.
    assert cleaner.clean(lines)[0][:2] == lines[:2]
    assert run.positions[POS_CAPTION].captions == 8


def test_a_recurring_stock_caption_beside_media_goes_even_when_rare() -> None:
    from extract.sitewide import CAPTION_REASON, learn_site

    stock = "Archive image used to illustrate this story."
    pages = [_page_with_positions(i, stock if i % 10 == 0 else f"Caption number {i}.", 0, f"C{i}")
             for i in range(40)]  # 4 pages of 40: 10%, far below the share rule
    _, cleaner = learn_site(pages)
    assert "archive image used to illustrate this story" not in cleaner.keys
    kept, dropped = cleaner.clean(*pages[0])  # type: ignore[arg-type]
    assert stock not in kept and dropped == {CAPTION_REASON: 1}
    kept, _ = cleaner.clean(*pages[1])  # type: ignore[arg-type]
    assert "Caption number 1." in kept  # not a caption position (nothing confirmed there): kept


def test_a_chrome_position_drops_its_rarer_texts_too() -> None:
    from extract.sitewide import POSITION_REASON, learn_site

    pages = [_page_with_positions(i, None, 0, "Get the briefing in your inbox." if i < 9 else "Get our app today.")
             for i in range(10)]
    _, cleaner = learn_site(pages)
    assert POS_CHROME in cleaner.chrome_positions
    kept, dropped = cleaner.clean(*pages[9])  # type: ignore[arg-type]
    assert kept == [pages[9][0][0]] and dropped == {POSITION_REASON: 1}


def test_position_stats_round_trip_and_bound() -> None:
    from extract.sitewide import MAX_POSITIONS, LineStats, PositionStats

    long_once = " ".join(["word"] * 20)
    stats = LineStats(3, {"a": 2, "b": 1, long_once: 1},
                      {f"{n:012x}": PositionStats(1, n, 0, 0) for n in range(MAX_POSITIONS + 5)})
    data = stats.to_json()
    back = LineStats.from_json(data)
    # A short line seen once is kept (sparse sites need it), a long one only from two pages on.
    assert back.counts == {"a": 2, "b": 1} and len(back.positions) == MAX_POSITIONS
    assert f"{MAX_POSITIONS + 4:012x}" in back.positions and "000000000000" not in back.positions
    assert LineStats.from_json({"pages": 2, "counts": {"x": 2}}).positions == {}  # a window stored before positions
    assert stats.merged(back).positions["000000000005"] == PositionStats(2, 10, 0, 0)
