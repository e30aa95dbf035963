"""WARC records written by WarcRecorder read back with warcio's ArchiveIterator."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import Response
from warcio.archiveiterator import ArchiveIterator

from spiders.meta import META_DATE_HINT, META_ROLE, META_SOURCE
from spiders.warc import WarcRecorder, WarcWriteError

WHEN = datetime(2024, 11, 5, 10, 0, 0, 123456, tzinfo=UTC)


def _read(path: Path) -> list[tuple[str, dict[str, str], dict[str, str] | None, str | None, bytes]]:
    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            http = dict(rec.http_headers.headers) if rec.http_headers else None
            status = rec.http_headers.get_statuscode() if rec.http_headers else None
            out.append((rec.rec_type, dict(rec.rec_headers.headers), http, status, rec.content_stream().read()))
    return out


def test_pair_with_custom_headers_and_gzip_body(tmp_path: Path) -> None:
    path = tmp_path / "out.warc.gz"
    recorder = WarcRecorder(path, {"software": "test"})
    html = "<html><body>Été</body></html>".encode()
    request = Request("http://h/fr/2024/11/05/a.html", headers={"User-Agent": "ua/1"},
                      meta={META_ROLE: "article", META_SOURCE: "feed", META_DATE_HINT: "2024-11-05"})
    response = Response(request.url, status=200, body=gzip.compress(html), request=request, headers={
        "Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip",
        "Transfer-Encoding": "chunked", "Content-Length": "999"})
    recorder.write_exchange(request, response, WHEN)
    recorder.close()
    recorder.close()  # idempotent
    records = _read(path)
    assert [r[0] for r in records] == ["warcinfo", "response", "request"]
    _, resp_warc, resp_http, status, body = records[1]
    assert resp_warc["WARC-Type"] == "response" and status == "200"
    assert resp_warc["NewsArchive-Role"] == "article"
    assert resp_warc["NewsArchive-Source"] == "feed"
    assert resp_warc["NewsArchive-Date-Hint"] == "2024-11-05"
    assert resp_warc["WARC-Date"] == "2024-11-05T10:00:00.123456Z"
    assert resp_warc["WARC-Record-ID"] == records[2][1]["WARC-Concurrent-To"]
    assert resp_http is not None and "Transfer-Encoding" not in resp_http
    assert resp_http["Content-Length"] == str(len(gzip.compress(html)))  # the stored (encoded) body
    assert resp_http["Content-Encoding"] == "gzip"
    assert body == html  # content_stream() undoes the content encoding
    _, req_warc, req_http, _, _ = records[2]
    assert req_http is not None and req_http["Host"] == "h" and req_http["User-Agent"] == "ua/1"
    assert "NewsArchive-Role" not in req_warc
    assert recorder.records == 3
    index = subprocess.run([sys.executable, "-m", "warcio.cli", "index", str(path)],
                           capture_output=True, text=True, check=False)
    assert index.returncode == 0, index.stderr
    assert index.stdout.count("\n") == 3


def test_robots_role_redirect_and_unknown_status(tmp_path: Path) -> None:
    path = tmp_path / "out.warc.gz"
    recorder = WarcRecorder(path, {})
    robots = Request("http://h/robots.txt", meta={"dont_obey_robotstxt": True})
    recorder.write_exchange(robots, Response(robots.url, status=404, body=b"nope", request=robots), WHEN)
    moved = Request("http://h/old?x=1", meta={META_ROLE: "article", META_SOURCE: "section"})
    recorder.write_exchange(moved, Response(moved.url, status=301, headers={"Location": "/new"}, request=moved),
                            WHEN)
    odd = Request("http://h/odd")
    recorder.write_exchange(odd, Response(odd.url, status=599, body=b"", request=odd), WHEN)
    recorder.close()
    responses = [r for r in _read(path) if r[0] == "response"]
    assert [r[1]["NewsArchive-Role"] for r in responses] == ["robots", "article", "other"]
    assert "NewsArchive-Source" not in responses[0][1]
    assert [r[3] for r in responses] == ["404", "301", "599"]
    assert responses[1][2] is not None and responses[1][2]["Location"] == "/new"
    requests = [r for r in _read(path) if r[0] == "request"]
    assert requests[1][1]["WARC-Target-URI"] == "http://h/old?x=1"


def test_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WarcWriteError, match="cannot open WARC"):
        WarcRecorder(blocker / "sub" / "out.warc.gz", {})
