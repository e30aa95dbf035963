"""Captions and credits found by structure (extract/captions.py): markup whose class names say nothing."""

from __future__ import annotations

import pytest
from lxml.html import tostring

from extract.article import parse_html
from extract.captions import MEDIA_MARK, drop_captions, repeats_alt
from extract.preclean import preclean
from extract.residue import credit_line

URL = "https://news.example.org/2024/11/13/story"
BODY = [
    "The city council voted on Tuesday to expand the tram network by twelve kilometres, a project that "
    "officials say will cut commuting times across the northern districts by a third.",
    "Construction is expected to begin next spring and to last about four years, according to the transport "
    "department, which published a detailed timetable alongside the vote on Tuesday evening.",
    "Opposition members argued that the budget was underestimated and asked for an independent audit before "
    "any contract is signed, a request the majority rejected after a long debate.",
    "The first section, between the station and the university, should open to passengers in 2027, the mayor "
    "said, adding that the network would run on renewable electricity from the start.",
]
IMG = '<img src="https://img.example/a.jpg" alt="{alt}" width="800" height="450">'


def _page(inner: str) -> str:
    return f"<html><body><div class='k3f9a1'>{inner}</div></body></html>"


def _p(text: str, cls: str = "x1b2c3") -> str:
    return f'<p class="{cls}">{text}</p>'


def _kept(inner: str) -> tuple[str, object]:
    tree = parse_html(_page(inner))
    result = preclean(tree, URL)
    return " ".join(tree.find("body").text_content().split()), result


def _body(before: int = 2) -> tuple[str, str]:
    return "".join(_p(t) for t in BODY[:before]), "".join(_p(t) for t in BODY[before:])


@pytest.mark.parametrize(
    "media",
    [
        # A small box: image, caption, credit (hashed classes, no <figure>).
        '<div class="q8d7e6"><div class="z1y2x3">' + IMG.format(alt="") + "</div>"
        '<p class="m4n5o6">Workers lay the first rails near the station.</p><p class="r7s8t9">Jane Doe / AFP</p></div>',
        # A caption and credit in one paragraph, the credit in a span.
        '<div class="q8d7e6"><picture>' + IMG.format(alt="") + "</picture>"
        '<p class="m4n5o6">Workers lay the first rails near the station. <span>Jane Doe/Copyright 2024 The AP. '
        "All rights reserved</span></p></div>",
        # A video embed with its caption in a box.
        '<div class="q8d7e6"><iframe src="https://www.youtube.com/embed/x" width="800" height="450"></iframe>'
        '<p class="m4n5o6">Workers lay the first rails near the station.</p></div>',
    ],
    ids=["box", "merged", "video"],
)
def test_media_boxes_lose_their_caption_and_credit(media: str) -> None:
    before, after = _body()
    text, result = _kept(before + media + after)
    assert "Workers lay the first rails" not in text and "Jane Doe" not in text
    assert all(line in text for line in BODY)
    assert result.dropped["caption"] >= 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("media", "gone"),
    [
        # Loose in the body, same tag and class as the body paragraphs; a credit follows the caption.
        ('<div class="z1y2x3">' + IMG.format(alt="") + "</div>" + _p("Workers lay the first rails near the station.")
         + _p("Emma Walker/Copyright 2024 The AP. All rights reserved"), ["Workers lay", "Emma Walker"]),
        # The caption repeats the image's alt text (almost: a word differs).
        ('<div class="z1y2x3">' + IMG.format(alt="Workers lay the first rails close to the station") + "</div>"
         + _p("Workers lay the first rails near the station."), ["Workers lay"]),
        # The caption has a class of its own among the body paragraphs.
        ('<div class="z1y2x3">' + IMG.format(alt="") + "</div>"
         + _p("Workers lay the first rails near the station.", "c0ffee"), ["Workers lay"]),
        # The image set inside a paragraph of the body, caption and credit in the next one.
        (_p(IMG.format(alt="")) + _p("Workers lay the first rails near the station. Jane Doe / Reuters"),
         ["Workers lay"]),
        # The image leads a short paragraph, the caption after it (with a line break), the class its own.
        (_p(IMG.format(alt="") + "<br>Workers lay the first rails near the station.", "c0ffee"), ["Workers lay"]),
        # A credit above the image.
        (_p("Photo: Jane Doe") + '<div class="z1y2x3">' + IMG.format(alt="") + "</div>"
         + _p("Workers lay the first rails near the station.", "c0ffee"), ["Jane Doe", "Workers lay"]),
    ],
    ids=["credit-follows", "alt", "own-class", "image-in-paragraph", "image-leads-paragraph", "credit-before"],
)
def test_captions_beside_media_in_the_body(media: str, gone: list[str]) -> None:
    before, after = _body()
    text, _ = _kept(before + media + after)
    for words in gone:
        assert words not in text
    assert all(line in text for line in BODY)


def test_unconfirmed_block_after_media_is_kept_and_marked() -> None:
    before, after = _body()
    tree = parse_html(_page(before + '<div class="z1y2x3">' + IMG.format(alt="") + "</div>"
                            + _p("Workers lay the first rails near the station.") + after))
    preclean(tree, URL)
    marked = tree.xpath(f"//*[@{MEDIA_MARK}]")
    assert [" ".join(el.text_content().split()) for el in marked] == ["Workers lay the first rails near the station."]


@pytest.mark.parametrize(
    "inner",
    [
        # Prose beside a picture (three sentences): a bio, a text-with-picture element.
        '<div class="r1"><div class="r2">' + IMG.format(alt="") + '</div><div class="r3">Welcome! I am a lawyer in '
        "Berlin. I advise start-ups on contracts and data protection. Call me any time.</div></div>",
        # A table with an icon in each row.
        "<table><tr><td>" + IMG.format(alt="") + "</td><td>Docker Desktop for Windows</td></tr></table>",
        # A subheading set as a div right after an image: no closing stop, its class proves nothing.
        '<div class="z1y2x3">' + IMG.format(alt="") + '</div><div class="h9">The influence of heredity</div>',
        # An emoji and an avatar are not pictures.
        _p('Short line with an emoji <img src="/e.png" class="wp-smiley" alt=":)"> inside.')
        + '<div class="a1"><img src="/avatar.jpg" width="60" height="60"><p>Jane Doe, reporter.</p></div>',
        # An image inside a body paragraph, text before it: the paragraph is body.
        _p("The mayor opened the line. " + IMG.format(alt="") + " Passengers applauded the first tram.", "c0ffee"),
        # A quote with its author's picture.
        '<blockquote class="b1"><div>' + IMG.format(alt="") + "</div><p>Our work is to build a vibrant commons.</p>"
        "</blockquote>",
    ],
    ids=["prose", "table-icons", "subheading", "emoji-avatar", "image-inside-paragraph", "quote"],
)
def test_body_beside_media_is_kept(inner: str) -> None:
    before, after = _body()
    tree = parse_html(_page(before + inner + after))
    expected = " ".join(tree.find("body").text_content().split())
    result = drop_captions(tree.find("body"), 5000)
    assert " ".join(tree.find("body").text_content().split()) == expected, tostring(tree, encoding="unicode")
    assert not result.dropped


@pytest.mark.parametrize(
    ("text", "credit"),
    [
        ("Virginia Mayo/Copyright 2024 The AP. All rights reserved", True),
        ("Des habitants devant la mairie. Julien Roux / AFP", True),
        ("Foto: Lena Schmidt/dpa", True),
        ("Fot. Jan Kowalski", True),
        ("Foto: EFE", True),
        ("© Emma Walker", True),
        ("The talks went on. Reuters reported that the deal was close.", False),
        ("He said the vote was close. It was.", False),
    ],
)
def test_credit_lines(text: str, credit: bool) -> None:
    assert credit_line(text) is credit


def test_alt_similarity() -> None:
    alts = [{"workers", "lay", "the", "first", "rails", "near", "station"}]
    assert repeats_alt("Workers lay the first rails near the station.", alts)
    assert not repeats_alt("The council voted to expand the tram network.", alts)
