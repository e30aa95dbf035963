"""An S3 API server (moto) that counts the requests it answers, by S3 operation: the bill's request side.

    python benchmarks/s3count.py --port 0      # prints "serving http://127.0.0.1:PORT", then serves
    curl http://127.0.0.1:PORT/__counts__      # {"requests": {"PutObject": 12, ...}, "bytes_in": {...},
                                               #  "bytes_out": {...}}; a DELETE there resets them

The counting is a WSGI middleware in front of moto's own application: the clients (boto3 in the stages'
processes) are the real ones, unpatched, and every request they make, retries included, is counted once.
Operations are named as AWS bills them, from the method, the query and the copy header alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Any
from urllib.parse import parse_qs

COUNTS_PATH = "/__counts__"
# AWS S3 request pricing classes (S3 Standard): PUT, COPY, POST and LIST requests are billed at one rate,
# GET, SELECT and the others (HEAD) at a lower one; DELETE and CANCEL are free.
TIER1 = frozenset({"PutObject", "CopyObject", "UploadPart", "CreateMultipartUpload", "CompleteMultipartUpload",
                   "ListObjectsV2", "ListObjects", "ListObjectVersions", "DeleteObjects", "CreateBucket"})
TIER2 = frozenset({"GetObject", "HeadObject", "HeadBucket"})
FREE = frozenset({"DeleteObject", "AbortMultipartUpload"})


def operation(method: str, path: str, query: str, copy_source: bool) -> str:
    """The S3 operation of a path-style request (/bucket or /bucket/key) from its method and query."""
    params = parse_qs(query, keep_blank_values=True)
    has_key = len(path.lstrip("/").split("/", 1)) == 2 and path.lstrip("/").split("/", 1)[1] != ""
    if method == "GET":
        if not has_key:
            if "versions" in params:
                return "ListObjectVersions"
            return "ListObjectsV2" if params.get("list-type") == ["2"] else "ListObjects"
        return "GetObject"
    if method == "HEAD":
        return "HeadObject" if has_key else "HeadBucket"
    if method == "PUT":
        if not has_key:
            return "CreateBucket"
        if "partNumber" in params:
            return "UploadPart"
        return "CopyObject" if copy_source else "PutObject"
    if method == "POST":
        if "delete" in params:
            return "DeleteObjects"
        if "uploads" in params:
            return "CreateMultipartUpload"
        if "uploadId" in params:
            return "CompleteMultipartUpload"
        return "Post"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in params else "DeleteObject"
    return method


class Counting:
    """WSGI middleware: counts each request's operation and the body bytes it carried each way (request
    bodies in, response bodies out); answers COUNTS_PATH itself."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self.bytes_in: Counter[str] = Counter()
        self.bytes_out: Counter[str] = Counter()
        self.lock = threading.Lock()

    def snapshot(self, reset: bool = False) -> dict[str, dict[str, int]]:
        """The counters so far (and zero them when reset)."""
        with self.lock:
            data = {"requests": dict(sorted(self.counts.items())), "bytes_in": dict(sorted(self.bytes_in.items())),
                    "bytes_out": dict(sorted(self.bytes_out.items()))}
            if reset:
                self.counts.clear()
                self.bytes_in.clear()
                self.bytes_out.clear()
        return data

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        if path == COUNTS_PATH:
            body = json.dumps(self.snapshot(reset=method == "DELETE")).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        name = operation(method, path, environ.get("QUERY_STRING", ""), "HTTP_X_AMZ_COPY_SOURCE" in environ)
        with self.lock:
            self.counts[name] += 1
            # aws-chunked uploads (botocore's streaming checksums) announce the payload's own length apart.
            length = environ.get("HTTP_X_AMZ_DECODED_CONTENT_LENGTH") or environ.get("CONTENT_LENGTH") or 0
            self.bytes_in[name] += int(length)
        return self._counted(name, self.app(environ, start_response))

    def _counted(self, name: str, body: Iterable[bytes]) -> Iterable[bytes]:
        try:
            for chunk in body:
                with self.lock:
                    self.bytes_out[name] += len(chunk)
                yield chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()


def main(argv: list[str] | None = None) -> int:
    """Serve moto behind the counter until SIGTERM/SIGINT."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access-log line per request
    app = Counting(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"serving http://{args.host}:{server.server_address[1]}", flush=True)

    def _stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
