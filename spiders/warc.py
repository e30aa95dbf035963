"""WARC capture: every response the downloader returns, with its request, as WARC/1.1 (gzip per record).

The middleware sits next to the downloader (order 950), so it sees each response before retries,
redirects and decompression are handled: redirects, error pages and retried attempts are all recorded,
and the body is stored as received (still Content-Encoded). The HTTP client has already removed chunked
transfer coding, so Transfer-Encoding is dropped and Content-Length set to the stored body's length.

A 304 (the answer to a conditional re-check of an archived article) is stored as a ``revisit`` record with
the WARC 1.1 profile server-not-modified, as web archives expect: the 304's status line and headers, no
payload, ``WARC-Refers-To-Date`` naming when the archived copy was fetched (when known), and a
``NewsArchive-Recheck`` header saying why it was re-checked ("update" or "revisit").
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.utils.defer import deferred_from_coro
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from newsarchive.instants import parse_instant
from spiders.meta import META_DATE_HINT, META_RECHECK, META_REFERS_TO_DATE, META_SOURCE, RECHECKS, SOURCES, request_role

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

log = logging.getLogger(__name__)

# Hop-by-hop or already-undone framing: not true of the stored body any more.
DROPPED_RESPONSE_HEADERS = frozenset({"transfer-encoding", "content-length"})
HEADER_ROLE = "NewsArchive-Role"
HEADER_SOURCE = "NewsArchive-Source"
HEADER_DATE_HINT = "NewsArchive-Date-Hint"
HEADER_RECHECK = "NewsArchive-Recheck"
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisions/server-not-modified"
STAT_RECORDS = "newsarchive/warc_records"
STAT_BYTES = "newsarchive/bytes_received"
STAT_WRITE_ERROR = "newsarchive/warc_write_error"


class WarcWriteError(OSError):
    """The WARC file could not be written (a fatal crawl error)."""


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        key = name.decode("latin-1")
        for value in values:
            pairs.append((key, value.decode("latin-1")))
    return pairs


def response_http_headers(response: Response) -> StatusAndHeaders:
    """The response's status line and headers, with framing fixed to match the stored body."""
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = "Unknown"
    pairs = [(k, v) for k, v in _header_pairs(response.headers) if k.lower() not in DROPPED_RESPONSE_HEADERS]
    pairs.append(("Content-Length", str(len(response.body))))
    protocol = response.protocol or "HTTP/1.1"
    return StatusAndHeaders(f"{response.status} {phrase}", pairs, protocol=protocol)


def request_http_headers(request: Request) -> StatusAndHeaders:
    """The request line and headers as sent (Host added: the HTTP client adds it after the middlewares)."""
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pairs = _header_pairs(request.headers)
    if not any(k.lower() == "host" for k, _ in pairs):
        pairs.insert(0, ("Host", parts.netloc))
    # warcio splits the method off as "protocol" for requests: the whole request line goes in.
    return StatusAndHeaders(f"{request.method} {target} HTTP/1.1", pairs, is_http_request=True)


def newsarchive_headers(request: Request) -> dict[str, str]:
    """The custom WARC headers for a response record: role, source and date hint when known."""
    headers = {HEADER_ROLE: request_role(request)}
    source = request.meta.get(META_SOURCE)
    if isinstance(source, str) and source in SOURCES:
        headers[HEADER_SOURCE] = source
    hint = request.meta.get(META_DATE_HINT)
    if isinstance(hint, str) and hint:
        headers[HEADER_DATE_HINT] = hint
    recheck = request.meta.get(META_RECHECK)
    if isinstance(recheck, str) and recheck in RECHECKS:
        headers[HEADER_RECHECK] = recheck
    return headers


def warc_date(moment: datetime) -> str:
    """A WARC-Date value (UTC, microseconds)."""
    return datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)


def refers_to_date(request: Request) -> str | None:
    """When the archived copy a re-check refers to was fetched, as a WARC date (None when unknown)."""
    value = request.meta.get(META_REFERS_TO_DATE)
    if not isinstance(value, str):
        return None
    try:
        return warc_date(parse_instant(value))  # a naive time is UTC, as fetch times are written
    except ValueError:
        return None


class WarcRecorder:
    """Writes request/response pairs to one WARC file; flushed after every pair so a crash loses nothing."""

    def __init__(self, path: Path, info: dict[str, Any]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file: IO[bytes] | None = path.open("wb")
        except OSError as exc:
            raise WarcWriteError(f"cannot open WARC {path}: {exc.strerror or exc}") from exc
        self.path = path
        self.records = 0
        self.writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        self._write(self.writer.create_warcinfo_record(path.name, info))

    def _write(self, record: Any, request_record: Any = None) -> None:
        """Write one record, or a response and its request (linked by WARC-Concurrent-To), then flush."""
        if self._file is None:
            raise WarcWriteError(f"WARC {self.path} is already closed")
        try:
            if request_record is None:
                self.writer.write_record(record)
                self.records += 1
            else:
                self.writer.write_request_response_pair(request_record, record)
                self.records += 2
            self._file.flush()
        except OSError as exc:
            raise WarcWriteError(f"cannot write WARC {self.path}: {exc.strerror or exc}") from exc

    def write_exchange(self, request: Request, response: Response, fetched_at: datetime) -> None:
        """Append a response record (with NewsArchive-* headers), or a revisit record for a 304, and its
        request record."""
        date = warc_date(fetched_at)
        resp_headers: dict[str, str] = {"WARC-Date": date, **newsarchive_headers(request)}
        if response.ip_address is not None:
            resp_headers["WARC-IP-Address"] = str(response.ip_address)
        if response.status == 304:
            resp = self._not_modified_record(request, response, resp_headers)
        else:
            body = response.body
            resp = self.writer.create_warc_record(
                request.url, "response", payload=BytesIO(body), length=len(body),
                warc_headers_dict=resp_headers, http_headers=response_http_headers(response))
        req = self.writer.create_warc_record(
            request.url, "request", payload=BytesIO(request.body), length=len(request.body),
            warc_headers_dict={"WARC-Date": date}, http_headers=request_http_headers(request))
        self._write(resp, request_record=req)

    def _not_modified_record(self, request: Request, response: Response, headers: dict[str, str]) -> Any:
        """A revisit record, profile server-not-modified: the 304's headers, no payload."""
        headers = {**headers, "WARC-Profile": NOT_MODIFIED_PROFILE}
        earlier = refers_to_date(request)
        if earlier is not None:
            headers["WARC-Refers-To-Date"] = earlier
        return self.writer.create_warc_record(request.url, "revisit", warc_headers_dict=headers,
                                              http_headers=response_http_headers(response))

    def close(self) -> None:
        """Flush and close the file (idempotent)."""
        if self._file is not None:
            self._file.close()
            self._file = None


class WarcCaptureMiddleware:
    """Downloader middleware recording every downloaded response and its request to NEWSARCHIVE_WARC_PATH.

    A write failure is fatal: it is stored in the stats (newsarchive/warc_write_error) and the spider is
    closed with reason "warc_write_error"; the runner turns that into a non-zero exit.
    """

    def __init__(self, crawler: Crawler, recorder: WarcRecorder) -> None:
        self.crawler = crawler
        self.recorder = recorder
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Open the WARC at NEWSARCHIVE_WARC_PATH (NotConfigured without one); close it on spider_closed."""
        path = crawler.settings.get("NEWSARCHIVE_WARC_PATH")
        if not path:
            raise NotConfigured("NEWSARCHIVE_WARC_PATH is not set")
        info = dict(crawler.settings.getdict("NEWSARCHIVE_WARC_INFO"))
        mw = cls(crawler, WarcRecorder(Path(path), info))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def process_response(self, request: Request, response: Response) -> Response:
        """Record the exchange, count it, and hand the response on unchanged."""
        if not self.failed:
            try:
                self.recorder.write_exchange(request, response, datetime.now(UTC))
            except WarcWriteError as exc:
                self._fail(exc)
            else:
                stats = self.crawler.stats
                assert stats is not None
                stats.set_value(STAT_RECORDS, self.recorder.records)
                stats.inc_value(STAT_BYTES, len(response.body))
        return response

    def _fail(self, exc: WarcWriteError) -> None:
        self.failed = True
        log.error("%s; stopping the crawl", exc)
        assert self.crawler.stats is not None and self.crawler.engine is not None
        self.crawler.stats.set_value(STAT_WRITE_ERROR, str(exc))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="warc_write_error"))

    def spider_closed(self) -> None:
        """Close the WARC file when the crawl ends, whatever the reason."""
        self.recorder.close()
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(STAT_RECORDS, self.recorder.records)
