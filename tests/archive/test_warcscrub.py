"""Overwriting a taken-down article's WARC records in place: every other record keeps its offset."""

from __future__ import annotations

import io
import zlib

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.archive.store import Store
from newsarchive.archive.warc import iter_responses, read_response_at
from newsarchive.archive.warcframes import iter_raw_records
from newsarchive.archive.warcscrub import TAKEDOWN_HEADER, scrub_bytes, scrub_warc, tombstone

GONE = "http://news.test/2024/11/01/gone.html"
SECRET = "A sentence the court ordered removed."


def page(url: str, text: str) -> tuple[str, bytes]:
    return url, f"<html><body><h1>{url}</h1><p>{text}</p>{'<p>filler paragraph.</p>' * 40}</body></html>".encode()


def build_warc(pages: list[tuple[str, bytes]], lone_request: str | None = None) -> bytes:
    """A gzip-per-record WARC: request + response per page (as the crawler writes), maybe a lone request."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for url, body in pages:
        request = writer.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                            http_headers=StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True))
        writer.write_record(request)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    if lone_request:
        request = writer.create_warc_record(lone_request, "request", payload=io.BytesIO(b""),
                                            http_headers=StatusAndHeaders("GET / HTTP/1.1", [], is_http_request=True))
        writer.write_record(request)
    return out.getvalue()


def responses(data: bytes) -> dict[str, int]:
    return {r.target_uri: r.offset for r in iter_responses(io.BytesIO(data))}


def test_the_article_is_gone_and_every_other_record_stays_put() -> None:
    pages = [page("http://news.test/a.html", "Alpha."), page(GONE, SECRET), page("http://news.test/b.html", "Beta.")]
    data = build_warc(pages)
    before = responses(data)
    patched, result = scrub_bytes(data, "raw/x.warc.gz", {GONE}, {"0123456789abcdef"})
    assert result.records == 2 and result.left == ()  # its request and response, as one tombstone
    assert len(patched) == len(data)
    after = responses(patched)
    assert GONE not in after and after == {u: o for u, o in before.items() if u != GONE}
    for url, offset in after.items():  # raw references of the other articles still resolve
        assert read_response_at(io.BytesIO(patched), offset).target_uri == url
    texts = b"".join(r.content_stream().read() for r in ArchiveIterator(io.BytesIO(patched)))
    assert SECRET.encode() not in texts and b"Alpha." in texts
    tombstones = [r for r in ArchiveIterator(io.BytesIO(patched)) if r.rec_headers.get_header(TAKEDOWN_HEADER)]
    assert [r.rec_type for r in tombstones] == ["metadata"]


def test_a_lone_request_record_is_overwritten_too() -> None:
    data = build_warc([page("http://news.test/a.html", "Alpha.")], lone_request=GONE)
    patched, result = scrub_bytes(data, "raw/x.warc.gz", {GONE}, {"0123456789abcdef"})
    assert result.records == 1 and result.left == ()
    last = [offset for offset, _ in iter_raw_records(io.BytesIO(data))][-1]
    assert GONE.encode() in zlib.decompress(data[last:], 16 + zlib.MAX_WBITS)
    assert GONE.encode() not in zlib.decompress(patched[last:], 16 + zlib.MAX_WBITS)
    assert responses(patched) == responses(data)


def test_a_run_too_short_for_a_tombstone_is_left_and_reported() -> None:
    assert tombstone(100, "2024-11-01T00:00:00Z", "6e0c5f7a-1d2b-4c3e-9f10-0123456789ab", {"0123456789abcdef"}) is None


@pytest.mark.parametrize("length", [220, 300, 1000, 5000, 70_000, 300_000])
def test_tombstones_have_exactly_the_length_asked(length: int) -> None:
    member = tombstone(length, "2024-11-01T00:00:00Z", "6e0c5f7a-1d2b-4c3e-9f10-0123456789ab", {"0123456789abcdef"})
    assert member is not None and len(member) == length
    record = zlib.decompress(member, 16 + zlib.MAX_WBITS)
    assert record.startswith(b"WARC/1.1\r\nWARC-Type: metadata") and b"0123456789abcdef" in record


def test_scrub_warc_in_a_store(store: Store) -> None:
    data = build_warc([page(GONE, SECRET), page("http://news.test/a.html", "Alpha.")])
    store.put("raw/site=news/date=2024-11-01/20241101T000000Z_20241102T000000Z.warc.gz", data,
              content_type="application/warc")
    key = "raw/site=news/date=2024-11-01/20241101T000000Z_20241102T000000Z.warc.gz"
    assert scrub_warc(store, key, {GONE}, {"0123456789abcdef"}).records == 2
    assert GONE not in responses(store.get(key))
    assert scrub_warc(store, key, {GONE}, {"0123456789abcdef"}).records == 0  # idempotent
