"""Structure put back after trafilatura: merged blocks split, dropped headings and list items restored."""

from __future__ import annotations

from extract.article import parse_html
from extract.restore import Block, resegment, restore_blocks

P1 = "First paragraph of the story, long enough to be a real paragraph of the body text."
P2 = "Second paragraph of the story, again long enough to be a real paragraph of the text."
P3 = "Third paragraph, closing the story with a last long sentence about the consequences."


def test_dropped_heading_and_items_are_restored_in_place() -> None:
    tree = parse_html(
        f"<html><body><article><p>{P1}</p><h2>What changes</h2><ul><li>one thing</li><li>another thing</li></ul>"
        f'<p>{P2}</p><ul><li><a href="/x">Related link one</a></li></ul><p>{P3}</p></article></body></html>'
    )
    lines, restored = restore_blocks(tree, [P1, P2, P3])
    assert lines == [P1, "What changes", "one thing", "another thing", P2, P3]
    assert restored == 3


def test_nothing_restored_before_the_first_or_after_the_last_kept_block() -> None:
    tree = parse_html(f"<html><body><h2>Menu</h2><p>{P1}</p><p>{P2}</p><h2>Footer</h2></body></html>")
    assert restore_blocks(tree, [P1, P2]) == ([P1, P2], 0)


def test_merged_line_is_split_into_blocks() -> None:
    texts = ["The headline of the story", P1, "Subscribe to read more.", P2]
    blocks = [Block("p", text, None) for text in texts]
    assert resegment([" ".join(texts)], blocks) == texts
    assert resegment(["short line"], blocks) == ["short line"]


def test_headings_of_other_containers_are_not_restored() -> None:
    tree = parse_html(
        f"<html><body><article><p>{P1}</p><p>{P2}</p></article>"
        f"<aside><h3>Most read</h3><p>{P3}</p></aside></body></html>"
    )
    assert restore_blocks(tree, [P1, P2, P3]) == ([P1, P2, P3], 0)


STANDFIRST = "The council voted on Tuesday to build a new tram line across the northern districts of the city."


def _standfirst_page(standfirst_markup: str, footer: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in (P1, P2, P3))
    return (
        f'<html><head><meta property="og:description" content="{STANDFIRST}"></head><body>'
        f'<div class="hd"><h1>Tram line approved</h1>{standfirst_markup}</div>'
        f'<div class="col"><div class="txt">{body}</div></div>{footer}</body></html>'
    )


def test_standfirst_equal_to_the_description_is_put_back_in_front() -> None:
    from extract.restore import leaf_blocks, restore_standfirst

    for markup in (f'<div class="x9">{STANDFIRST}</div>', f"<h2>{STANDFIRST}</h2>",
                   f"<p><strong>{STANDFIRST[:40]}</strong>{STANDFIRST[40:]}</p>"):
        tree = parse_html(_standfirst_page(markup))
        lines, restored = restore_standfirst(tree, [P1, P2, P3], leaf_blocks(tree), STANDFIRST)
        assert (lines, restored) == ([STANDFIRST, P1, P2, P3], 1), markup
        # Already there, or cut in the description: nothing added twice.
        assert restore_standfirst(tree, [STANDFIRST, P1], leaf_blocks(tree), STANDFIRST) == ([STANDFIRST, P1], 0)
        lines, _ = restore_standfirst(tree, [P1, P2], leaf_blocks(tree), STANDFIRST[:60] + "…")
        assert lines == [STANDFIRST, P1, P2]


def test_description_text_far_from_the_body_or_after_it_is_not_put_back() -> None:
    from extract.restore import leaf_blocks, restore_standfirst

    tree = parse_html(_standfirst_page("", footer=f'<div class="ft"><p>{STANDFIRST}</p></div>'))
    assert restore_standfirst(tree, [P1, P2, P3], leaf_blocks(tree), STANDFIRST) == ([P1, P2, P3], 0)
    short = parse_html(_standfirst_page("<p>Tram news.</p>"))
    assert restore_standfirst(short, [P1], leaf_blocks(short), "Tram news.") == ([P1], 0)
