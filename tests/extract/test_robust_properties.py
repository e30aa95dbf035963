"""Property tests (Hypothesis) for issue 13 item 1: no input makes extract_article raise anything but a
rejection, and every record it returns (or anyone builds) serialises to valid UTF-8 JSON with bounded fields.

Inputs: raw bytes; HTML assembled from hostile pieces (tags, quotes, comments, scripts, invalid bytes, JSON-LD
with lone surrogate escapes and deep nesting) in several encodings; arbitrary Unicode (surrogates and
controls included) in every text field of a record. Derandomised and without a database, so every run
tries the same examples and writes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract import ArticleRecord, Rejected, extract_article
from extract.record import FIELD_LIMITS, MAX_LIST_ITEMS

URL = "https://news.example.org/2024/11/13/article.html"
SETTINGS = settings(max_examples=150, deadline=None, database=None, derandomize=True)
# Every character class, lone surrogates (Cs) and controls (Cc) included.
ANY_CHAR = st.characters(categories=["Cs", "Cc", "Cf", "Co", "Lu", "Ll", "Lo", "Mn", "Nd", "Po", "Ps", "Pe", "Sm",
                                     "So", "Zs", "Zl", "Zp"])
ANY_TEXT = st.text(alphabet=ANY_CHAR, max_size=300)

PARAGRAPH = ("<p>Le conseil municipal a voté mardi l'extension du réseau de tramway de douze kilomètres, un projet "
             "qui doit réduire d'un tiers les temps de trajet dans les quartiers du nord, selon la mairie.</p>")
PIECES = [
    PARAGRAPH, PARAGRAPH, "<article>", "</article>", "<div", "<div class=", '"', "'", ">", "/>", " ", "\n", "=",
    "<!--", "-->", "<script>", "</script>", "<style>", "<title>", "</title>", "<h1>Titre é</h1>", "&#xD800;",
    "&#0;", "&amp;", "<", "</", "<p>", "</p>", "<br>", "<table><tr><td>", "<svg><path d='M0'/></svg>",
    "<meta charset=utf-8>", '<meta property="og:title" content="', '<link rel=canonical href="http://[::1/x">',
    '<meta property="og:image" content="data:,x">', "<time datetime='2024-13-45T99:00'>",
    " a=1 b c='2' d=\"3\"", "\x00", "\x0b", "\ufffe", "\U0001f600", "é", "日本語",
]
JSONLD_PIECES = [
    '{"@type": "NewsArticle", "headline": "\\udfff', '", "author": {"name": "\\ud800"}', ', "keywords": ["\\udc00"',
    '"datePublished": "2024-11-13T15:07:00+01:00"', '"@graph": [', "[", "]", "{", "}", ",", ":", '"', "\\",
    "\\u0000", "1e999999", "123456789" * 600, "null", "true",
]
RAW_BYTES = [b"\xff", b"\xfe", b"\x92", b"\xe9", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\x1f\x8b\x08",
             b"\xef\xbb\xbf", b"\x00\x00\x00"]


@st.composite
def hostile_pages(draw: Any) -> bytes:
    """A page stitched from hostile pieces, a JSON-LD block of random tokens, in one of several encodings, with
    raw invalid bytes spliced in."""
    pieces = draw(st.lists(st.sampled_from(PIECES), max_size=60))
    ld = "".join(draw(st.lists(st.sampled_from(JSONLD_PIECES), max_size=40)))
    depth = draw(st.integers(min_value=0, max_value=3000))
    ld = "[" * depth + ld + "]" * draw(st.integers(min_value=0, max_value=depth))
    html = ("<html><head><script type='application/ld+json'>" + ld + "</script></head><body>"
            + "".join(pieces) + PARAGRAPH * 2 + "</body></html>")
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1", "utf-32"]))
    data = html.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    for raw in draw(st.lists(st.sampled_from(RAW_BYTES), max_size=5)):
        position = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:position] + raw + data[position:]
    return data


def _only_rejections(page: bytes | str) -> None:
    try:
        record = extract_article(page, URL)
    except Rejected:
        return
    _check_record(record)


def _check_record(record: ArticleRecord) -> None:
    data = record.to_json().encode("utf-8")  # never UnicodeEncodeError
    stored = json.loads(data)
    assert ArticleRecord.from_dict(stored) == record
    for name, limit in FIELD_LIMITS.items():
        value = getattr(record, name)
        items = value if isinstance(value, tuple) else (value,) if value else ()
        assert all(len(item) <= limit for item in items), name
    for name, most in MAX_LIST_ITEMS.items():
        assert len(getattr(record, name)) <= most
    text = data.decode("utf-8")
    assert "\\u0000" not in text and "\\ud8" not in text.lower()


@SETTINGS
@given(st.binary(max_size=3000))
@example(b"</ ")  # markup without an element: lxml raised ParserError ("Document is empty")
@example(b"<!-- -->")
def test_any_bytes_give_a_record_or_a_rejection(page: bytes) -> None:
    _only_rejections(page)


@SETTINGS
@given(hostile_pages())
def test_hostile_html_gives_a_record_or_a_rejection(page: bytes) -> None:
    _only_rejections(page)


@SETTINGS
@given(st.text(alphabet=ANY_CHAR, max_size=2000).map(lambda t: "<html><body>" + t + PARAGRAPH * 2 + "</body></html>"))
def test_any_text_gives_a_record_or_a_rejection(page: str) -> None:
    _only_rejections(page)


@SETTINGS
@given(title=ANY_TEXT, text=ANY_TEXT, authors=st.lists(ANY_TEXT, max_size=60), tags=st.lists(ANY_TEXT, max_size=120),
       section=st.none() | ANY_TEXT, description=st.none() | ANY_TEXT, site_name=st.none() | ANY_TEXT,
       url_tail=ANY_TEXT, long=st.integers(min_value=0, max_value=3))
def test_any_record_serialises_to_valid_bounded_json(title: str, text: str, authors: list[str], tags: list[str],
                                                    section: str | None, description: str | None,
                                                    site_name: str | None, url_tail: str, long: int) -> None:
    title = title * (1 + long * 2000)  # up to megabyte titles
    record = ArticleRecord(id="0123456789abcdef", url=URL + url_tail, canonical_url=URL, site="demo", title=title,
                           text=text, authors=tuple(authors), tags=tuple(tags), section=section,
                           description=description, site_name=site_name)
    _check_record(record)
