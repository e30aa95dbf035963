"""Template positions: signatures that survive hashed class names, attached to each text line."""

from __future__ import annotations

from extract import extract_article
from extract.article import parse_html
from extract.positions import MEDIA_MARK, is_media_position, signature

PARAS = [
    "The city council voted on Tuesday to expand the tram network by twelve kilometres across the north.",
    "Construction is expected to begin next spring and to last about four years, the department said.",
    "Opposition members argued that the budget was underestimated and asked for an independent audit.",
]


def _page(names: tuple[str, str, str], caption_mark: bool = False) -> str:
    body, para, cap = names
    mark = f' {MEDIA_MARK}="1"' if caption_mark else ""
    ps = "".join(f'<p class="{para}">{t}</p>' for t in PARAS)
    return (f'<html><body><div class="{body}"><div class="{body}x">{ps}<img src="a.jpg">'
            f'<p class="{cap}"{mark}>Workers lay rails.</p></div></div></body></html>')


def test_signatures_ignore_class_names_but_see_the_class_relation() -> None:
    one = parse_html(_page(("k1", "p1", "c1")))
    two = parse_html(_page(("z9", "q7", "d4")))
    sig = [signature(el) for el in one.iter("p")]
    assert sig == [signature(el) for el in two.iter("p")]  # other names, same template
    assert sig[0] == sig[1] == sig[2] != sig[3]  # the caption's class is not the paragraphs'
    same = parse_html(_page(("k1", "p1", "p1")))
    assert len({signature(el) for el in same.iter("p")}) == 1


def test_media_mark_makes_a_media_position() -> None:
    tree = parse_html(_page(("k1", "p1", "c1"), caption_mark=True))
    sig = [signature(el) for el in tree.iter("p")]
    assert is_media_position(sig[3]) and not is_media_position(sig[0])


def test_records_carry_positions_but_never_store_them() -> None:
    html = _page(("k1", "p1", "c1")).replace("<body>", "<body><h1>Tram</h1>")
    record = extract_article(html, "https://news.example.org/a", site="news")
    assert record.positions is not None
    assert len(record.positions.lines) == len(record.text.split("\n"))
    assert record.positions.lines[0] and len(set(record.positions.lines[:3])) == 1
    assert "positions" not in record.to_dict() and "positions" not in record.to_json()
    assert record == record.__class__.from_dict(record.to_dict())  # positions do not take part in equality
