"""Reading WARC files as the crawler writes them (warcio WARCWriter, WARC/1.1, gzip per record)."""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import pytest
from backports import zstd
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.archive.errors import ArchiveError, WarcError
from newsarchive.archive.warc import WarcResponse, iter_responses, read_response_at

HTML = "<html><head><title>Élection</title></head><body><p>Le président a dit…</p></body></html>"


@dataclass
class Fetch:
    """One request/response pair to write into a test WARC."""

    url: str
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    status: str = "200 OK"
    role: str | None = None
    source: str | None = None
    date_hint: str | None = None


def write_warc(fetches: list[Fetch], *, gzipped: bool = True) -> bytes:
    """A WARC file holding a request and a response record for each fetch (plus a warcinfo record)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record("test.warc.gz", {"software": "newsarchive-tests"}))
    for fetch in fetches:
        warc_headers = {}
        if fetch.role:
            warc_headers["NewsArchive-Role"] = fetch.role
        if fetch.source:
            warc_headers["NewsArchive-Source"] = fetch.source
        if fetch.date_hint:
            warc_headers["NewsArchive-Date-Hint"] = fetch.date_hint
        request = writer.create_warc_record(
            fetch.url,
            "request",
            payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"GET {fetch.url} HTTP/1.1", [("User-Agent", "newsarchive-test")], is_http_request=True
            ),
        )
        response = writer.create_warc_record(
            fetch.url,
            "response",
            payload=io.BytesIO(fetch.body),
            http_headers=StatusAndHeaders(fetch.status, fetch.headers, protocol="HTTP/1.1"),
            warc_headers_dict=warc_headers,
        )
        writer.write_request_response_pair(request, response)
    return out.getvalue()


FETCHES = [
    Fetch(
        "https://news.example/a/1",
        gzip.compress(HTML.encode("utf-8")),
        [
            ("Content-Type", 'text/html; charset="UTF-8"'),
            ("Content-Encoding", "gzip"),
            ("Set-Cookie", "a=1"),
            ("set-cookie", "b=2"),
        ],
        role="article",
        source="sitemap:https://news.example/sitemap.xml",
        date_hint="2024-11-13",
    ),
    Fetch(
        "https://news.example/feed.xml",
        b"<rss><channel/></rss>",
        [("Content-Type", "Application/RSS+XML")],
        role="feed",
    ),
    Fetch(
        "https://news.example/a/2",
        brotli.compress(HTML.encode("latin-1", "replace")),
        [("Content-Type", "text/html;charset=ISO-8859-1"), ("Content-Encoding", "br")],
        role="article",
    ),
    Fetch("https://news.example/gone", b"", [("Content-Length", "0")], status="404 Not Found"),
    Fetch(
        "https://news.example/a/3",
        zlib.compress(b"<html>deflated</html>"),
        [("Content-Type", "text/html"), ("Content-Encoding", "deflate")],
    ),
    Fetch(
        "https://news.example/a/4",
        zstd.compress(b"<html>zstd part one ") + zstd.compress(b"and two</html>"),  # two frames
        [("Content-Type", "text/html"), ("Content-Encoding", "zstd")],
    ),
]


def test_iter_responses_reads_every_response_in_order() -> None:
    responses = list(iter_responses(io.BytesIO(write_warc(FETCHES))))
    assert [r.target_uri for r in responses] == [f.url for f in FETCHES]
    first = responses[0]
    assert isinstance(first, WarcResponse)
    assert first.status == 200
    assert first.body == HTML.encode("utf-8")  # gzip Content-Encoding decoded
    assert first.content_type == "text/html"
    assert first.charset == "utf-8"
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["set-cookie"] == "a=1, b=2"  # repeated headers joined, names lower-cased
    assert first.role == "article"
    assert first.source == "sitemap:https://news.example/sitemap.xml"
    assert first.date_hint == "2024-11-13"
    assert responses[1].date_hint is None
    assert first.record_id.startswith("<urn:uuid:")
    assert first.fetched_at.startswith("20") and first.fetched_at.endswith("Z")
    feed = responses[1]
    assert (feed.content_type, feed.charset, feed.role, feed.source) == ("application/rss+xml", None, "feed", None)
    assert feed.body == b"<rss><channel/></rss>"
    assert responses[2].body == HTML.encode("latin-1", "replace")  # brotli decoded
    assert responses[2].charset == "iso-8859-1"
    assert (responses[3].status, responses[3].body, responses[3].content_type) == (404, b"", "")
    assert responses[4].body == b"<html>deflated</html>"
    assert responses[5].body == b"<html>zstd part one and two</html>"
    assert len({r.offset for r in responses}) == len(responses)


def test_offsets_allow_random_access(tmp_path: Path) -> None:
    path = tmp_path / "w.warc.gz"
    path.write_bytes(write_warc(FETCHES))
    with path.open("rb") as fh:
        responses = list(iter_responses(fh))
    with path.open("rb") as fh:
        for response in reversed(responses):
            again = read_response_at(fh, response.offset)
            assert again == response
    # The offset is where the record's gzip member starts in the file.
    data = path.read_bytes()
    assert all(data[r.offset : r.offset + 2] == b"\x1f\x8b" for r in responses)


def test_read_response_at_rejects_non_responses_and_bad_offsets() -> None:
    data = write_warc(FETCHES[:1])
    with pytest.raises(WarcError, match="not an HTTP response"):
        read_response_at(io.BytesIO(data), 0)  # the warcinfo record
    first = next(iter_responses(io.BytesIO(data)))
    with pytest.raises(WarcError) as info:
        read_response_at(io.BytesIO(data), first.offset + 3)  # inside a member
    assert info.value.offset == first.offset + 3
    with pytest.raises(WarcError, match="end of file"):
        read_response_at(io.BytesIO(data), len(data))


def test_uncompressed_warc_reads_the_same() -> None:
    plain = list(iter_responses(io.BytesIO(write_warc(FETCHES, gzipped=False))))
    gz = list(iter_responses(io.BytesIO(write_warc(FETCHES))))
    assert [(r.target_uri, r.status, r.body, r.role) for r in plain] == [
        (r.target_uri, r.status, r.body, r.role) for r in gz
    ]
    data = write_warc(FETCHES, gzipped=False)
    assert data[plain[2].offset :].startswith(b"WARC/1.1")
    assert read_response_at(io.BytesIO(data), plain[2].offset).body == plain[2].body


@pytest.mark.parametrize("gzipped", [True, False])
def test_truncated_warc_yields_good_records_then_fails_with_offset(gzipped: bool) -> None:
    data = write_warc(FETCHES, gzipped=gzipped)
    offsets = [r.offset for r in iter_responses(io.BytesIO(data))]
    # Cut the file in the middle of the last response record.
    cut = offsets[-1] + 200
    got: list[WarcResponse] = []
    with pytest.raises(WarcError) as info:
        for response in iter_responses(io.BytesIO(data[:cut])):
            got.append(response)
    assert [r.offset for r in got] == offsets[:-1]
    assert info.value.offset == offsets[-1]
    assert f"offset {offsets[-1]}" in str(info.value)
    assert "truncated" in str(info.value)
    assert isinstance(info.value, ArchiveError)


def test_file_cut_exactly_between_records_is_complete() -> None:
    data = write_warc(FETCHES)
    offsets = [r.offset for r in iter_responses(io.BytesIO(data))]
    # Everything before the last response's member: the last request record is the final complete one.
    assert len(list(iter_responses(io.BytesIO(data[: offsets[-1]])))) == len(FETCHES) - 1


def test_corrupt_gzip_member_fails_at_its_offset() -> None:
    data = bytearray(write_warc(FETCHES))
    offsets = [r.offset for r in iter_responses(io.BytesIO(bytes(data)))]
    target = offsets[2]
    data[target + 40 : target + 60] = b"\x00" * 20  # damage the deflate stream of the third response
    got = []
    with pytest.raises(WarcError) as info:
        for response in iter_responses(io.BytesIO(bytes(data))):
            got.append(response.offset)
    assert got == offsets[:2]
    assert info.value.offset == target
    assert "corrupt" in str(info.value)


def test_not_a_warc() -> None:
    with pytest.raises(WarcError, match="offset 0"):
        list(iter_responses(io.BytesIO(b"<html>not a warc</html>\r\n\r\n")))
    with pytest.raises(WarcError, match="offset 0"):
        list(iter_responses(io.BytesIO(gzip.compress(b"hello world"))))
    assert list(iter_responses(io.BytesIO(b""))) == []


def test_record_shorter_than_its_content_length_is_truncated() -> None:
    record = (
        b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://x.example/\r\n"
        b"WARC-Record-ID: <urn:uuid:1>\r\nWARC-Date: 2024-11-13T00:00:00Z\r\n"
        b"Content-Type: application/http; msgtype=response\r\nContent-Length: 500\r\n\r\n"
        b"HTTP/1.1 200 OK\r\n\r\nshort"
    )
    with pytest.raises(WarcError, match="offset 0 is cut off: 24 bytes where its Content-Length promises 500"):
        list(iter_responses(io.BytesIO(gzip.compress(record))))


def test_warc_from_an_unseekable_stream() -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            chunk = self._data.read(min(len(buffer), 1000))
            buffer[: len(chunk)] = chunk
            return len(chunk)

        def tell(self) -> int:
            raise OSError("unseekable")

    data = write_warc(FETCHES)
    from_pipe = [r.offset for r in iter_responses(Pipe(data))]  # type: ignore[arg-type]
    assert from_pipe == [r.offset for r in iter_responses(io.BytesIO(data))]


def test_already_decoded_bodies_with_stale_encoding_headers_pass_through() -> None:
    # If the crawler stores bodies after Scrapy decoded them but keeps the original headers, the
    # decoders fail on the first block and warcio hands back the bytes unchanged.
    page = b"<html>" + b"x" * 50_000 + b"</html>"
    fetches = [
        Fetch("https://a.example/1", page, [("Content-Encoding", "gzip")]),
        Fetch("https://a.example/2", page, [("Content-Encoding", "br")]),
        Fetch("https://a.example/3", page, [("Transfer-Encoding", "chunked")]),
        Fetch("https://a.example/4", b"5\r\nhello\r\n0\r\n\r\n", [("Transfer-Encoding", "chunked")]),
    ]
    bodies = [r.body for r in iter_responses(io.BytesIO(write_warc(fetches)))]
    assert bodies == [page, page, page, b"hello"]
