"""Issue 13, items 1-4, by class: several members of each (the property tests in test_robust_properties.py add
random ones). Each failed on the extractor before the fix: a raise, a lost article or mojibake."""

from __future__ import annotations

import gzip
import json
from types import ModuleType

import pytest

from extract import ArticleRecord, TooLarge, Undecodable, extract_article
from extract.decode import decode_html, inflate_bounded
from extract.jsonld import MAX_DEPTH, nesting_depth
from extract.parse import bound_attributes, parse_html
from extract.record import FIELD_LIMITS, MAX_LIST_ITEMS

URL = "https://news.example.org/fr/2024/11/13/frappes.html"


def _ld(**extra: object) -> dict[str, object]:
    return {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Des frappes massives",
            "datePublished": "2024-11-13T15:07:00+01:00", **extra}


def _ld_raw(raw_fields: str) -> str:
    """A JSON-LD block written by hand (escapes such as \\udfff survive as written)."""
    return ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
            f'"headline": "Des frappes massives", "datePublished": "2024-11-13T15:07:00+01:00", {raw_fields}}}'
            "</script>")


def _serialisable(record: ArticleRecord) -> dict[str, object]:
    data = record.to_json().encode("utf-8")  # raised UnicodeEncodeError before
    decoded: dict[str, object] = json.loads(data)
    assert ArticleRecord.from_dict(decoded) == record
    return decoded


# -- item 1: valid, bounded Unicode in every field ------------------------------------------------------------

@pytest.mark.parametrize("raw_fields", [
    '"author": {"@type": "Person", "name": "\\udfff"}',
    '"author": [{"name": "Jeanne \\ud800 Martin"}, {"name": "\\udc00\\udfff"}]',
    '"keywords": ["Ukraine", "\\ud83d", "Russie\\udfff"]',
    '"articleSection": "Europe \\udbff"',
    '"description": "R\\u00e9sum\\u00e9 \\udfff avec un \\u0000 NUL"',
    '"publisher": {"name": "Demo \\ud800 News"}, "image": "/img/\\udfff.jpg"',
])
def test_lone_surrogates_in_jsonld_never_reach_the_record(pages: ModuleType, raw_fields: str) -> None:
    html = pages.news_article(ld={}).replace(pages.jsonld({}), _ld_raw(raw_fields))
    record = extract_article(html.encode("utf-8"), URL)
    data = _serialisable(record)
    text = json.dumps(data, ensure_ascii=False)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    assert "\x00" not in text
    assert record.text  # the article itself is kept


def test_lone_surrogates_in_str_input_and_url(pages: ModuleType) -> None:
    html = pages.news_article(title="Des frappes \udfff massives")
    record = extract_article(html, URL + "?q=\ud800")
    _serialisable(record)
    assert "\ufffd" in record.title and "\ufffd" in record.url


@pytest.mark.parametrize("field", ["title", "description", "section"])
def test_overlong_metadata_is_capped(pages: ModuleType, field: str) -> None:
    huge = "mot " * 100_000  # 400 kB (a JSON-LD block over 1 MB is ignored whole)
    ld = _ld(**{{"title": "headline", "description": "description", "section": "articleSection"}[field]: huge})
    head = f'<meta property="og:title" content="{huge}">' if field == "title" else ""
    record = extract_article(pages.news_article(ld=ld, head_extra=head).encode("utf-8"), URL)
    value = getattr(record, field)
    assert value and len(value) <= FIELD_LIMITS[field]
    _serialisable(record)


def test_overlong_lists_and_items_are_capped(pages: ModuleType) -> None:
    def letters(i: int) -> str:  # names with digits are not people
        return "".join(chr(97 + int(d)) for d in str(i))

    authors = [{"@type": "Person", "name": f"Jean {letters(i)}" + "x" * 300} for i in range(300)]
    ld = _ld(author=authors, keywords=[f"mot{i}" + "y" * 300 for i in range(300)])
    record = extract_article(pages.news_article(ld=ld).encode("utf-8"), URL)
    assert 0 < len(record.authors) <= MAX_LIST_ITEMS["authors"]
    assert 0 < len(record.tags) <= MAX_LIST_ITEMS["tags"]
    assert all(len(a) <= FIELD_LIMITS["authors"] for a in record.authors)
    assert all(len(t) <= FIELD_LIMITS["tags"] for t in record.tags)


def test_a_record_built_by_hand_is_cleaned_too() -> None:
    record = ArticleRecord(id="0" * 16, url="https://x.example/\udfff", canonical_url="https://x.example/", site="x",
                           title="T\x00itre\n" + "t" * 5000, text="ligne \ud800\r\nsuite\x07", authors=("\udfff", ""),
                           tags=("a\u2028b",), description="\x00")
    assert record.title.startswith("Titre ") and len(record.title) <= FIELD_LIMITS["title"]
    assert record.text == "ligne \ufffd\nsuite"
    assert record.authors == () and record.tags == ("a b",) and record.description is None
    _serialisable(record)


def test_overlong_or_bad_urls_from_the_page_are_ignored(pages: ModuleType) -> None:
    head = ('<meta property="og:url" content="https://news.example.org/' + "a" * 10_000 + '">'
            '<meta property="og:image" content="javascript:alert(1)">')
    html = pages.news_article(head_extra=head).replace('<link rel="canonical" href="https://news.example.org/fr/'
                                                      '2024/11/13/frappes.html">', "")
    html = html.replace('<meta property="og:image" content="/img/photo.jpg">', "")
    record = extract_article(html.encode("utf-8"), URL)
    assert record.canonical_url == URL and record.image is None


# -- item 2: deeply nested JSON-LD is ignored, the article kept ----------------------------------------------

@pytest.mark.parametrize("block", [
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '{"@graph": ' + "[" * 5_000 + "]" * 5_000 + "}",
    '{"@type": "NewsArticle", "author": ' + "[" * 900 + '"x"' + "]" * 900 + "}",
    "[" * 100_000,  # not even closed
])
def test_deeply_nested_jsonld_is_ignored_and_the_article_kept(pages: ModuleType, block: str) -> None:
    html = pages.news_article(head_extra=f'<script type="application/ld+json">{block}</script>')
    record = extract_article(html.encode("utf-8"), URL)
    assert record.title == "Des frappes massives sur huit régions"
    assert record.published == "2024-11-13T15:07:00+01:00"  # the page's good JSON-LD block still counts
    assert record.authors == ("Jeanne Martin",)


def test_nesting_depth_stops_counting_and_skips_strings() -> None:
    assert nesting_depth('{"a": "[[[[{{{", "b": [[1]]}') == 3
    assert nesting_depth("[" * 1_000_000) == MAX_DEPTH + 1


# -- item 3: parse time is bounded (attributes, one parse) -------------------------------------------------

@pytest.mark.parametrize("tag", [
    "<div {attrs}></div>",
    "<div {attrs}/>",
    '<p class="x" {attrs} data-x=">">',
    "<script {attrs}></script>",
    "<img {attrs}",  # unterminated: runs to the end of the page, as in browsers
])
def test_an_element_keeps_at_most_max_attributes(tag: str) -> None:
    attrs = " ".join(f'a{i}="{i}"' for i in range(20_000))
    html = f"<html><body><p>Avant</p>{tag.format(attrs=attrs)}<p>Après</p></body></html>"
    tree = parse_html(html, max_attributes=100)
    assert max(len(el.attrib) for el in tree.iter()) <= 100


def test_attribute_bound_follows_html_tokenising() -> None:
    # Quoted values may hold ">" or "<"; script text and comments are not tags; an ordinary page is unchanged.
    ordinary = '<html><body><a href="/x?a=1&b=>" title="<b c d>">lien</a><!-- <i a b c> --></body></html>'
    assert bound_attributes(ordinary, 2) is ordinary
    script = "<script>var s = '<i " + "a " * 50 + "'>';</script><p " + "b " * 50 + ">x</p>"
    bounded = bound_attributes(script, 10)
    assert bounded.startswith(script[: script.index("<p ")])  # the script's text is untouched
    assert bounded.count(" b") == 10


def test_an_article_with_100k_attributes_on_one_element_is_kept(pages: ModuleType) -> None:
    # A minute of libxml2 before (quadratic); the page's parse now sees 256 of them.
    div = "<div " + " ".join(f"a{i}" for i in range(100_000)) + "></div>"
    html = pages.news_article(before_body=div)
    assert len(parse_html(html).find(".//article/div").attrib) == 256
    record = extract_article(html.encode("utf-8"), URL)
    assert record.title == "Des frappes massives sur huit régions"
    assert all(line in record.text.split("\n") for line in pages.FR_BODY)


def test_deep_nesting_is_read_in_the_single_parse(pages: ModuleType) -> None:
    html = pages.news_article().replace("<main>", "<main>" + "<div>" * 400, 1)
    record = extract_article(html.encode("utf-8"), URL)
    assert pages.FR_BODY[2] in record.text.split("\n")


def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    bomb = gzip.compress(b"<html>" + b" " * (64 << 20))
    with pytest.raises(TooLarge):
        decode_html(bomb, max_bytes=1 << 20)
    with pytest.raises(TooLarge):
        extract_article(bomb, URL)  # the default limit (10 MiB) applies to every caller


def test_gzip_members_and_broken_gzip() -> None:
    two = gzip.compress(b"<html><body><p>un ") + gzip.compress(b"deux</p></body></html>")
    assert inflate_bounded(two, 1000) == b"<html><body><p>un deux</p></body></html>"
    with pytest.raises(TooLarge):
        inflate_bounded(two, 20)
    with pytest.raises(Undecodable):
        inflate_bounded(gzip.compress(b"<html>" * 100)[:-12], 1000)


# -- item 4: a few invalid bytes in UTF-8 are replaced, the rest kept ---------------------------------------

@pytest.mark.parametrize("bad", [b"\xe9", b"\x92", b"\xff", b"\xe2\x82", b"\xc0\xaf", b"\xed\xa0\x80"])
@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/html", "text/html; charset=iso-8859-1"])
def test_a_few_invalid_bytes_in_utf8_are_replaced(pages: ModuleType, bad: bytes, content_type: str) -> None:
    html = pages.news_article().encode("utf-8")
    html = html.replace(b"<footer><p>", b"<footer><p>Caf" + bad + b" " + bad, 1)
    html = html.replace(b">Accueil<", b">Accueil " + bad + b"<", 1)
    text = decode_html(html, content_type)
    assert "Ã" not in text and "régions" in text
    assert text.count("\ufffd") >= 3
    record = extract_article(html, URL, content_type=content_type)
    assert record.title == "Des frappes massives sur huit régions"
    assert all(line in record.text.split("\n") for line in pages.FR_BODY)


def test_a_legacy_charset_page_is_still_read_in_its_charset(pages: ModuleType) -> None:
    # Many invalid sequences and no valid multi-byte character: windows-1252, not UTF-8 with holes.
    html = pages.news_article(charset="utf-8").encode("cp1252")
    text = decode_html(html, "text/html; charset=utf-8")
    assert "régions" in text and "\ufffd" not in text
