"""Reading the crawler's WARC files: HTTP responses with their decoded bodies and byte offsets.

The crawler (spiders/, warcio's WARCWriter) writes WARC/1.1, one gzip member per record, a request and
a response record per fetch, and tags responses with two custom WARC headers: ``NewsArchive-Role``
(article, feed, sitemap, section, robots, ...) and ``NewsArchive-Source`` (what led to the URL).
The crawler may add ``NewsArchive-Date-Hint`` (a publication date seen during discovery).
``iter_responses`` yields the response records in file order; ``read_response_at`` re-reads one
response from its offset (what ``ArticleRecord.raw`` stores) for re-extraction without a network.
Framing and integrity checks live in ``newsarchive.archive.warcframes``; warcio parses each framed record and
decodes Content-Encoding (gzip, deflate, br, zstd) and chunked transfer encoding via ``content_stream()``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from warcio.bufferedreaders import BufferedReader
from warcio.recordloader import ArcWarcRecordLoader

from newsarchive.archive import warccodecs
from newsarchive.archive.errors import WarcError
from newsarchive.archive.warcframes import iter_raw_records, read_raw_record_at

# brotli >= 1.2 broke warcio's own "br" decoder, and warcio lacks "zstd": see newsarchive.archive.warccodecs.
warccodecs.register()

__all__ = ["WarcError", "WarcResponse", "iter_responses", "read_response_at"]

ROLE_HEADER = "NewsArchive-Role"
SOURCE_HEADER = "NewsArchive-Source"
DATE_HINT_HEADER = "NewsArchive-Date-Hint"


@dataclass(frozen=True)
class WarcResponse:
    """One HTTP response from a WARC file.

    ``headers`` has lower-case names (repeated headers joined with ", "); ``content_type`` is the
    lower-case MIME type without parameters ("" when the response has none); ``body`` is decoded
    from its Content-Encoding; ``fetched_at`` is the WARC-Date (ISO 8601, UTC); ``role``, ``source`` and
    ``date_hint`` are the crawler's NewsArchive-* WARC headers (None when absent). ``body_truncated`` is
    True when the decoded body was cut at the reader's ``max_body_bytes`` (a compression bomb, say).
    """

    offset: int
    target_uri: str
    status: int
    headers: dict[str, str] = field(repr=False)
    content_type: str
    charset: str | None
    body: bytes = field(repr=False)
    fetched_at: str
    record_id: str
    role: str | None = None
    source: str | None = None
    date_hint: str | None = None
    body_truncated: bool = False


def iter_responses(stream: BinaryIO, max_body_bytes: int | None = None) -> Iterator[WarcResponse]:
    """Yield every HTTP response record of a WARC stream in file order (other records are skipped).

    A truncated or corrupt file raises WarcError (with the offset where it broke) after every
    complete record before that point has been yielded. With ``max_body_bytes``, no body is decoded
    beyond that size: a longer one is cut there and flagged ``body_truncated`` (a Content-Encoding bomb
    stays a few bytes on disk and in the WARC, but would inflate without bound).
    """
    for offset, data in iter_raw_records(stream):
        response = _parse(data, offset, max_body_bytes)
        if response is not None:
            yield response


def read_response_at(stream: BinaryIO, offset: int) -> WarcResponse:
    """The response record at byte ``offset`` of a seekable WARC stream (WarcError if it is not one)."""
    response = _parse(read_raw_record_at(stream, offset), offset)
    if response is None:
        raise WarcError(f"the WARC record at offset {offset} is not an HTTP response", offset)
    return response


def _parse(data: bytes, offset: int, max_body_bytes: int | None = None) -> WarcResponse | None:
    """Parse one framed record; None for records that are not HTTP responses."""
    loader = ArcWarcRecordLoader(verify_http=False, arc2warc=False)
    try:
        record = loader.parse_record_stream(BufferedReader(io.BytesIO(data)), known_format="warc")
        if record.rec_type != "response" or not record.http_headers:
            return None
        if max_body_bytes is None:
            return _response(record, record.content_stream().read(), offset)
        body = _read_at_most(record.content_stream(), max_body_bytes + 1)
        return _response(record, body[:max_body_bytes], offset, truncated=len(body) > max_body_bytes)
    except WarcError:
        raise
    except Exception as exc:  # warcio raises assorted types (ArchiveLoadFailed, ValueError, EOFError)
        raise WarcError(
            f"corrupt WARC: cannot parse the record at offset {offset} ({type(exc).__name__}: {exc})", offset
        ) from exc


def _read_at_most(stream: Any, size: int) -> bytes:
    """Up to ``size`` bytes (decoding readers may return short reads before the end)."""
    parts: list[bytes] = []
    while size > 0 and (chunk := stream.read(size)):
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _response(record: Any, body: bytes, offset: int, truncated: bool = False) -> WarcResponse:
    http = record.http_headers
    try:
        status = int(http.get_statuscode())
    except ValueError:
        raise WarcError(
            f"corrupt WARC: the response at offset {offset} has status line {http.statusline!r}", offset
        ) from None
    headers: dict[str, str] = {}
    for name, value in http.headers:
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    mime, charset = _split_content_type(headers.get("content-type", ""))
    rec = record.rec_headers
    return WarcResponse(
        offset=offset,
        target_uri=rec.get_header("WARC-Target-URI") or "",
        status=status,
        headers=headers,
        content_type=mime,
        charset=charset,
        body=body,
        fetched_at=rec.get_header("WARC-Date") or "",
        record_id=rec.get_header("WARC-Record-ID") or "",
        role=_optional(rec.get_header(ROLE_HEADER)),
        source=_optional(rec.get_header(SOURCE_HEADER)),
        date_hint=_optional(rec.get_header(DATE_HINT_HEADER)),
        body_truncated=truncated,
    )


def _split_content_type(value: str) -> tuple[str, str | None]:
    """``("text/html", "utf-8")`` from ``'text/html; charset="UTF-8"'``."""
    parts = value.split(";")
    mime = parts[0].strip().lower()
    charset = None
    for param in parts[1:]:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip().lower() or None
    return mime, charset


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
