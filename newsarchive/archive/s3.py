"""S3Store: the archive in an S3 bucket (AWS S3, MinIO, Ceph RGW; moto_server in tests), through boto3.

Objects live at ``<prefix>/<key>``. Uploads over ``multipart_threshold`` go up in ``part_size`` parts
(sequentially, no thread pool: predictable inside Celery/Kubernetes workers). botocore's "standard"
retry mode retries throttling, 5xx and connection errors up to ``S3Options.max_attempts``; what still
fails is mapped to archive errors: 404/NoSuchKey -> KeyNotFound, connection/timeout/5xx ->
StoreUnavailable (message: operation, object URL, endpoint; never credentials).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsarchive.archive.errors import ArchiveError, InvalidKey, KeyNotFound, PreconditionFailed, StoreUnavailable
from newsarchive.archive.s3_options import S3Options, redact_url
from newsarchive.archive.store import (
    DEFAULT_CONTENT_TYPE,
    SHA256_META,
    ObjectInfo,
    Tagged,
    build_metadata,
    sha256_bytes,
    sha256_file,
    validate_content_headers,
    validate_key,
    validate_prefix,
)

__all__ = ["S3Options", "S3Store"]

MIB = 1 << 20
# S3 needs parts of at least 5 MiB (except the last) and at most 10,000 of them.
MIN_PART_SIZE = 5 * MIB
# The tuning from_url gives (and another process opening the same URL gets: store.store_opener).
DEFAULT_PAGE_SIZE, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE = 1000, 64 * MIB, 16 * MIB
MAX_PARTS = 10_000
_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
# A conditional request lost: 412 when the tag differs (or the object exists for If-None-Match), 409 when
# another conditional write to the key was in flight at the same time.
_PRECONDITION_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict"})
_UNAVAILABLE_CODES = frozenset(
    {
        "SlowDown",
        "ServiceUnavailable",
        "RequestTimeout",
        "InternalError",
        "Throttling",
    }
)


class S3Store:
    """A Store over ``s3://bucket/prefix`` using ``client`` (a boto3 S3 client)."""

    def __init__(
        self,
        bucket: str,
        prefix: str,
        client: Any,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
        part_size: int = DEFAULT_PART_SIZE,
    ) -> None:
        if not bucket or "/" in bucket or not bucket.isascii():
            raise InvalidKey(f"invalid S3 bucket name {bucket!r}")
        prefix = prefix.strip("/")
        if prefix:
            validate_prefix(prefix + "/")
        if not 1 <= page_size <= 1000:
            raise ArchiveError(f"page_size {page_size} out of range 1..1000 (S3's maximum is 1000)")
        if part_size < MIN_PART_SIZE:
            raise ArchiveError(f"part_size {part_size} below S3's minimum of {MIN_PART_SIZE} bytes")
        self.bucket = bucket
        self.prefix = prefix + "/" if prefix else ""
        self.client = client
        self.page_size = page_size
        self.multipart_threshold = max(multipart_threshold, part_size)
        self.part_size = part_size
        self.options: S3Options | None = None  # what from_url opened the client with (store.store_opener)

    @property
    def default_tuning(self) -> bool:
        """Page and part sizes as ``from_url`` sets them by default (another process opening the URL gets the same)."""
        return ((self.page_size, self.multipart_threshold, self.part_size)
                == (DEFAULT_PAGE_SIZE, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE))

    @classmethod
    def from_url(cls, url: str, options: S3Options | None = None, **kwargs: Any) -> S3Store:
        """Open ``s3://bucket/optional/prefix`` with ``options`` (default: ``S3Options.from_env()``)."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "s3" or not parts.netloc:
            raise InvalidKey(f"invalid S3 URL {url!r}: expected s3://bucket/optional/prefix")
        if parts.query or parts.fragment or "@" in parts.netloc:
            raise InvalidKey(f"invalid S3 URL {redact_url(url)!r}: no credentials, query or fragment")
        opts = options if options is not None else S3Options.from_env()
        store = cls(parts.netloc, parts.path, opts.client(), **kwargs)
        store.options = opts
        return store

    @property
    def url(self) -> str:
        """``s3://bucket/prefix`` (no trailing slash)."""
        return f"s3://{self.bucket}/{self.prefix.rstrip('/')}" if self.prefix else f"s3://{self.bucket}"

    @property
    def endpoint(self) -> str:
        """The endpoint the client talks to (user:password stripped if any)."""
        return str(redact_url(getattr(self.client.meta, "endpoint_url", None)) or "default AWS endpoint")

    def __repr__(self) -> str:
        return f"S3Store(url={self.url!r}, endpoint={self.endpoint!r})"

    def _full(self, key: str) -> str:
        return self.prefix + validate_key(key)

    # -- error mapping -------------------------------------------------------------------------

    @contextmanager
    def _call(self, operation: str, key: str | None = None) -> Iterator[None]:
        """Translate botocore failures of ``operation`` into archive errors with a clear message."""
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            HTTPClientError,
            IncompleteReadError,
            NoCredentialsError,
        )
        from botocore.exceptions import ConnectionError as BotoConnectionError
        from urllib3.exceptions import HTTPError as URLLib3Error

        where = f"{self.url}/{key}" if key is not None else self.url
        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
            detail = f"{code or status} {error.get('Message', '')}".strip()
            if code in _PRECONDITION_CODES or status in (409, 412):
                raise PreconditionFailed(f"S3 {operation} {where}: {detail} (changed since it was read)") from exc
            if key is not None and (code in _NOT_FOUND_CODES or (status == 404 and code != "NoSuchBucket")):
                raise KeyNotFound(f"no object {key!r} in {self.url}") from exc
            if status >= 500 or code in _UNAVAILABLE_CODES:
                raise StoreUnavailable(
                    f"S3 {operation} {where} at {self.endpoint} failed after retries: {detail}"
                ) from exc
            raise ArchiveError(f"S3 {operation} {where} at {self.endpoint} failed: {detail}") from exc
        # urllib3's own errors (a read timeout or reset while botocore drains a response body) can escape
        # botocore unwrapped: they mean the same thing.
        except (BotoConnectionError, HTTPClientError, IncompleteReadError, URLLib3Error) as exc:
            raise StoreUnavailable(
                f"S3 endpoint {self.endpoint} unavailable during {operation} {where}: "
                f"{type(exc).__name__} after retries"
            ) from exc
        except NoCredentialsError as exc:
            raise ArchiveError(
                f"S3 {operation} {where}: no credentials found (set them in S3Options, "
                "the AWS_* environment or the Airflow connection)"
            ) from exc
        except BotoCoreError as exc:
            raise ArchiveError(f"S3 {operation} {where} at {self.endpoint} failed: {type(exc).__name__}") from exc

    # -- writes --------------------------------------------------------------------------------

    def _put_args(self, content_type: str, content_encoding: str | None, metadata: dict[str, str]) -> dict[str, Any]:
        args: dict[str, Any] = {"ContentType": content_type, "Metadata": metadata}
        if content_encoding:
            args["ContentEncoding"] = content_encoding
        return args

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str,
        content_encoding: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Write ``data`` as object ``key`` in one PUT (metadata gains ``sha256``)."""
        full = self._full(key)
        validate_content_headers(content_type, content_encoding)
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"put({key!r}) needs bytes, got {type(data).__name__}")
        body = bytes(data)
        meta = build_metadata(metadata, sha256_bytes(body))
        with self._call("PutObject", key):
            self.client.put_object(
                Bucket=self.bucket,
                Key=full,
                Body=body,
                **self._put_args(content_type, content_encoding, meta),
            )

    def put_file(
        self,
        key: str,
        path: Path | str,
        *,
        content_type: str,
        content_encoding: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Upload the file at ``path``: one PUT when small, a multipart upload when large."""
        full = self._full(key)
        validate_content_headers(content_type, content_encoding)
        build_metadata(metadata, "0")  # fail on bad metadata before hashing a large file
        size = os.path.getsize(path)
        meta = build_metadata(metadata, sha256_file(path))
        args = self._put_args(content_type, content_encoding, meta)
        if size <= self.multipart_threshold:
            with open(path, "rb") as fh, self._call("PutObject", key):
                self.client.put_object(Bucket=self.bucket, Key=full, Body=fh, **args)
            return
        self._multipart(key, full, Path(path), size, args)

    def _multipart(self, key: str, full: str, path: Path, size: int, args: dict[str, Any]) -> None:
        # Grow the part size for huge files so we stay under S3's 10,000-part limit.
        part_size = max(self.part_size, -(-size // MAX_PARTS))
        with self._call("CreateMultipartUpload", key):
            upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=full, **args)["UploadId"]
        try:
            parts = []
            with open(path, "rb") as fh:
                number = 1
                while chunk := fh.read(part_size):
                    with self._call("UploadPart", key):
                        answer = self.client.upload_part(
                            Bucket=self.bucket, Key=full, UploadId=upload_id, PartNumber=number, Body=chunk
                        )
                    parts.append({"PartNumber": number, "ETag": answer["ETag"]})
                    number += 1
            with self._call("CompleteMultipartUpload", key):
                self.client.complete_multipart_upload(
                    Bucket=self.bucket, Key=full, UploadId=upload_id, MultipartUpload={"Parts": parts}
                )
        except BaseException:
            # Best effort: leftover parts cost money; a lifecycle rule should clean up what this misses.
            # The original error matters more than the cleanup's, hence suppress.
            with suppress(Exception):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=full, UploadId=upload_id)
            raise

    # -- reads ---------------------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        full = self._full(key)
        with self._call("GetObject", key):
            answer = self.client.get_object(Bucket=self.bucket, Key=full)
            return bytes(answer["Body"].read())

    def download(self, key: str, path: Path | str) -> None:
        """Stream the object to ``path`` via a temp file beside it (never half-written)."""
        full = self._full(key)
        dest = Path(path)
        tmp = dest.parent / f".{dest.name}.{secrets.token_hex(6)}.tmp"
        try:
            with self._call("GetObject", key):
                answer = self.client.get_object(Bucket=self.bucket, Key=full)
                with open(tmp, "xb") as out:
                    for chunk in answer["Body"].iter_chunks(MIB):
                        out.write(chunk)
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """Whether the object exists (a HEAD request)."""
        try:
            self.head(key)
        except KeyNotFound:
            return False
        return True

    def head(self, key: str) -> ObjectInfo:
        """Size, content type/encoding and metadata from a HEAD request."""
        full = self._full(key)
        with self._call("HeadObject", key):
            answer = self.client.head_object(Bucket=self.bucket, Key=full)
        meta = {str(k).lower(): str(v) for k, v in (answer.get("Metadata") or {}).items()}
        return ObjectInfo(
            key=key,
            size=int(answer.get("ContentLength", 0)),
            content_type=answer.get("ContentType") or DEFAULT_CONTENT_TYPE,
            content_encoding=answer.get("ContentEncoding") or None,
            metadata=meta,
            sha256=meta.get(SHA256_META),
        )

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under ``prefix``, sorted (S3 lists in UTF-8 byte order), fetched page by page."""
        validate_prefix(prefix)
        return self._list(prefix)

    def _list(self, prefix: str) -> Iterator[str]:
        token: str | None = None
        cut = len(self.prefix)
        while True:
            args: dict[str, Any] = {
                "Bucket": self.bucket,
                "Prefix": self.prefix + prefix,
                "MaxKeys": self.page_size,
            }
            if token:
                args["ContinuationToken"] = token
            with self._call("ListObjectsV2"):
                page = self.client.list_objects_v2(**args)
            for item in page.get("Contents", []):
                yield item["Key"][cut:]
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    def delete(self, key: str) -> None:
        """Delete the object (deleting a missing key is not an error)."""
        full = self._full(key)
        with self._call("DeleteObject", key):
            self.client.delete_object(Bucket=self.bucket, Key=full)

    # -- conditional and ranged access ---------------------------------------------------------

    def get_tagged(self, key: str) -> Tagged:
        """The object's bytes and its ETag (one GET)."""
        full = self._full(key)
        with self._call("GetObject", key):
            answer = self.client.get_object(Bucket=self.bucket, Key=full)
            return Tagged(bytes(answer["Body"].read()), str(answer["ETag"]))

    def put_if(
        self,
        key: str,
        data: bytes,
        *,
        etag: str | None,
        content_type: str,
        metadata: dict[str, str] | None = None,
    ) -> str:
        """PUT with ``If-Match: etag`` (or ``If-None-Match: *`` when ``etag`` is None); return the new ETag.

        S3 checks the condition atomically with the write, so a concurrent writer is never overwritten."""
        full = self._full(key)
        validate_content_headers(content_type, None)
        body = bytes(data)
        args = self._put_args(content_type, None, build_metadata(metadata, sha256_bytes(body)))
        args.update({"IfNoneMatch": "*"} if etag is None else {"IfMatch": etag})
        try:
            with self._call("PutObject", key):
                answer = self.client.put_object(Bucket=self.bucket, Key=full, Body=body, **args)
        except KeyNotFound as exc:  # If-Match on an object deleted meanwhile
            raise PreconditionFailed(f"{key!r} in {self.url} was deleted since it was read: not written") from exc
        return str(answer["ETag"])

    def delete_if(self, key: str, etag: str) -> bool:
        """DELETE with ``If-Match: etag``; False when the object is gone already."""
        full = self._full(key)
        try:
            with self._call("DeleteObject", key):
                self.client.delete_object(Bucket=self.bucket, Key=full, IfMatch=etag)
        except KeyNotFound:
            return False
        return True

    def read_range(self, key: str, start: int, length: int) -> bytes:
        """A ranged GET (``Range: bytes=start-end``)."""
        if length <= 0:
            return b""
        full = self._full(key)
        with self._call("GetObject", key):
            try:
                answer = self.client.get_object(
                    Bucket=self.bucket, Key=full, Range=f"bytes={max(start, 0)}-{max(start, 0) + length - 1}"
                )
            except Exception as exc:
                if _error_code(exc) == "InvalidRange":
                    return b""  # start at or past the end: nothing there
                raise
            return bytes(answer["Body"].read())

    def read_tail(self, key: str, length: int) -> tuple[bytes, int]:
        """A suffix GET (``Range: bytes=-length``): the tail and, from Content-Range, the total size."""
        full = self._full(key)
        with self._call("GetObject", key):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=full, Range=f"bytes=-{max(length, 1)}")
            except Exception as exc:
                if _error_code(exc) == "InvalidRange":
                    return b"", 0  # an empty object has no last byte
                raise
            data = bytes(answer["Body"].read())
        total = str(answer.get("ContentRange") or "").rpartition("/")[2]
        return data, int(total) if total.isdigit() else len(data)


def _error_code(exc: BaseException) -> str:
    """The S3 error code of a botocore ClientError ('' for anything else)."""
    response = getattr(exc, "response", None)
    return str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
