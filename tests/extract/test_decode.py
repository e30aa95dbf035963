"""Charsets: declared, BOM, detection, and mislabelled pages must all decode right."""

from __future__ import annotations

import codecs
import gzip
from types import ModuleType

import pytest

from extract import NotHTML, Undecodable, extract_article
from extract.decode import declared_charsets, decode_html, normalize_charset

TEXT = "Élysée : la «réforme» des retraites coûte 3 000 € — déjà débattue à l'Assemblée, où l'on s'oppose."


def _doc(meta: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{meta}<title>t</title></head><body><p>{TEXT}</p></body></html>"


def test_utf8_without_any_declaration() -> None:
    assert TEXT in decode_html(_doc().encode("utf-8"))


def test_windows_1252_declared_in_header() -> None:
    data = _doc().encode("cp1252")
    assert TEXT in decode_html(data, "text/html; charset=windows-1252")


def test_latin1_label_means_windows_1252() -> None:
    # "€" does not exist in latin-1; browsers (and we) read latin-1 labels as windows-1252.
    data = _doc('<meta charset="iso-8859-1">').encode("cp1252")
    assert TEXT in decode_html(data)


def test_meta_http_equiv_charset() -> None:
    # ISO-8859-15 puts "€" at 0xA4 (windows-1252 has "¤" there): only the declaration gets it right.
    text = "Élysée : la réforme coûte 3 000 € à l'État, dit-on."
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">'
    html = f"<html><head>{meta}</head><body><p>{text}</p></body></html>"
    assert text in decode_html(html.encode("iso-8859-15"))


def test_utf8_bom_wins_over_wrong_declaration() -> None:
    data = codecs.BOM_UTF8 + _doc('<meta charset="windows-1252">').encode("utf-8")
    decoded = decode_html(data, "text/html; charset=iso-8859-1")
    assert TEXT in decoded
    assert not decoded.startswith("\ufeff")


def test_utf16_bom() -> None:
    data = codecs.BOM_UTF16_LE + _doc().encode("utf-16-le")
    assert TEXT in decode_html(data)


def test_utf8_mislabelled_as_latin1() -> None:
    data = _doc('<meta charset="iso-8859-1">').encode("utf-8")
    decoded = decode_html(data, "text/html; charset=ISO-8859-1")
    assert TEXT in decoded
    assert "Ã" not in decoded


def test_windows_1252_mislabelled_as_utf8() -> None:
    data = _doc('<meta charset="utf-8">').encode("cp1252")
    assert TEXT in decode_html(data, "text/html; charset=utf-8")


def test_windows_1252_without_declaration() -> None:
    assert TEXT in decode_html(_doc().encode("cp1252"))


def test_gzip_body_is_decompressed() -> None:
    assert TEXT in decode_html(gzip.compress(_doc().encode("utf-8")))


def test_str_input_keeps_text_and_drops_bom() -> None:
    assert decode_html("\ufeff" + _doc()).startswith("<!DOCTYPE")


def test_declared_charsets_order_and_aliases() -> None:
    data = b'<html><head><meta charset="latin1"></head>'
    assert declared_charsets(data, "text/html; charset=UTF-8") == ["utf-8", "cp1252"]
    assert normalize_charset("no-such-charset") is None


def test_extract_article_on_mislabelled_bytes(pages: ModuleType) -> None:
    html = pages.news_article(charset="iso-8859-1")
    record = extract_article(
        html.encode("utf-8"), "https://news.example.org/a.html", content_type="text/html; charset=ISO-8859-1"
    )
    assert record.text.split("\n") == pages.FR_BODY
    assert record.title == "Des frappes massives sur huit régions"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"%PDF-1.7\n...", None),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None),
        (b"<html><body><p>x</p></body></html>", "application/pdf"),
        (b"<html><body><p>x</p></body></html>", "image/jpeg"),
        (b"just some plain words, no markup at all", None),
        (b'{"json": "document"}', "text/plain"),
    ],
)
def test_not_html(data: bytes, content_type: str | None) -> None:
    with pytest.raises(NotHTML) as err:
        extract_article(data, "https://news.example.org/a", content_type=content_type)
    assert err.value.reason == "not_html"


def test_undecodable_garbage() -> None:
    data = b"<html>" + bytes(range(1, 9)) * 400 + b"</html>"
    with pytest.raises(Undecodable) as err:
        extract_article(data, "https://news.example.org/a")
    assert err.value.reason == "undecodable"


def test_undecodable_broken_gzip() -> None:
    with pytest.raises(Undecodable):
        decode_html(b"\x1f\x8b\x08\x00garbage")


def test_cyrillic_windows_1251_without_declaration_follows_detection() -> None:
    text = "Городской совет во вторник решил расширить трамвайную сеть на двенадцать километров."
    html = f"<html><head><title>t</title></head><body><p>{text}</p></body></html>"
    assert text in decode_html(html.encode("cp1251"))


def test_german_windows_1252_without_declaration() -> None:
    text = "Die Bauarbeiten sollen im kommenden Frühjahr beginnen. Größe, Maß, Straße – „so“ heißt es."
    html = f"<html><head><title>t</title></head><body><p>{text}</p></body></html>"
    assert text in decode_html(html.encode("cp1252"))
