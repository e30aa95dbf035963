"""The Store interface every archive backend implements, key/metadata validation, and ``open_store``.

A store maps relative '/'-separated keys to whole objects with a content type, an optional content
encoding and string metadata. Every write adds ``sha256`` (hex digest of the object's bytes) to the
metadata so readers can verify what they fetched. Backends: ``LocalStore`` (a folder) and ``S3Store``
(any S3 API through boto3). ``open_store`` picks one from the archive URL.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from newsarchive.archive.errors import InvalidKey, InvalidMetadata

if TYPE_CHECKING:
    from newsarchive.archive.s3 import S3Options

# S3's hard limit on key length, in UTF-8 bytes; enforced everywhere so local and S3 archives agree.
MAX_KEY_BYTES = 1024
# S3 keeps user metadata in HTTP headers: names are case-insensitive (we require lower case), values
# ASCII, and the whole set must stay under 2 KB. No '_' in names: nginx (often in front of MinIO/Ceph)
# silently drops headers with underscores.
MAX_METADATA_BYTES = 2048
SHA256_META = "sha256"
DEFAULT_CONTENT_TYPE = "application/octet-stream"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_META_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
_META_VALUE = re.compile(r"^[\x20-\x7e]*$")


@dataclass(frozen=True)
class ObjectInfo:
    """What ``Store.head`` reports about one object (``sha256`` is None for objects written elsewhere)."""

    key: str
    size: int
    content_type: str
    content_encoding: str | None
    metadata: dict[str, str] = field(default_factory=dict)
    sha256: str | None = None


@dataclass(frozen=True)
class Tagged:
    """An object's bytes with its entity tag: what a conditional write or delete compares against."""

    data: bytes
    etag: str


@runtime_checkable
class Store(Protocol):
    """Whole-object storage under relative keys (see module docstring for the rules)."""

    @property
    def url(self) -> str:
        """The archive URL this store was opened from (never includes credentials)."""
        ...

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str,
        content_encoding: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Write ``data`` as the whole object ``key`` (replacing any previous one)."""
        ...

    def put_file(
        self,
        key: str,
        path: Path | str,
        *,
        content_type: str,
        content_encoding: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Write the file at ``path`` as object ``key``, streaming it (large WARCs)."""
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes; KeyNotFound if absent."""
        ...

    def download(self, key: str, path: Path | str) -> None:
        """Copy the object to ``path`` (written atomically); KeyNotFound if absent."""
        ...

    def exists(self, key: str) -> bool:
        """Whether the object exists."""
        ...

    def head(self, key: str) -> ObjectInfo:
        """Size, content type/encoding and metadata of the object; KeyNotFound if absent."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every key starting with ``prefix`` (a plain string prefix, not a folder), sorted."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error (S3 semantics)."""
        ...

    # -- conditional and ranged access (read-modify-write without losing a concurrent writer's object) --

    def get_tagged(self, key: str) -> Tagged:
        """The object's bytes and entity tag; KeyNotFound if absent."""
        ...

    def put_if(
        self,
        key: str,
        data: bytes,
        *,
        etag: str | None,
        content_type: str,
        metadata: dict[str, str] | None = None,
    ) -> str:
        """Write ``key`` only if it still has entity tag ``etag`` (``None``: only if it does not exist);
        return the new tag. PreconditionFailed otherwise (nothing written)."""
        ...

    def delete_if(self, key: str, etag: str) -> bool:
        """Delete ``key`` only if it still has entity tag ``etag``: True if deleted, False if it was gone
        already; PreconditionFailed if it changed (nothing deleted)."""
        ...

    def read_range(self, key: str, start: int, length: int) -> bytes:
        """``length`` bytes of the object from byte ``start`` (fewer at its end); KeyNotFound if absent."""
        ...

    def read_tail(self, key: str, length: int) -> tuple[bytes, int]:
        """The object's last ``length`` bytes (all of it if shorter) and its total size, in one request."""
        ...


def validate_key(key: str) -> str:
    """Return ``key`` if it is a valid object key, else raise InvalidKey saying why.

    Rules: non-empty, '/'-separated, no leading '/', no empty, '.' or '..' parts, no part starting
    with '.' (LocalStore keeps its temp files and sidecars there), no backslash or control
    characters, at most 1024 UTF-8 bytes.
    """
    if not isinstance(key, str) or not key:
        raise InvalidKey(f"invalid key {key!r}: must be a non-empty string")
    _check_chars(key, "key")
    if key.startswith("/"):
        raise InvalidKey(f"invalid key {key!r}: must be relative (no leading '/')")
    for part in key.split("/"):
        if not part:
            raise InvalidKey(f"invalid key {key!r}: empty path part")
        if part.startswith("."):
            raise InvalidKey(f"invalid key {key!r}: parts must not start with '.' ({part!r})")
    return key


def validate_prefix(prefix: str) -> str:
    """Return ``prefix`` if it can start a valid key ('' and a trailing '/' allowed), else InvalidKey."""
    if not isinstance(prefix, str):
        raise InvalidKey(f"invalid prefix {prefix!r}: must be a string")
    if not prefix:
        return prefix
    _check_chars(prefix, "prefix")
    if prefix.startswith("/"):
        raise InvalidKey(f"invalid prefix {prefix!r}: must be relative (no leading '/')")
    parts = prefix.split("/")
    for i, part in enumerate(parts):
        if not part and i != len(parts) - 1:
            raise InvalidKey(f"invalid prefix {prefix!r}: empty path part")
        if part.startswith("."):
            raise InvalidKey(f"invalid prefix {prefix!r}: parts must not start with '.' ({part!r})")
    return prefix


def _check_chars(value: str, what: str) -> None:
    if "\\" in value:
        raise InvalidKey(f"invalid {what} {value!r}: backslashes are not allowed")
    if _CONTROL.search(value):
        raise InvalidKey(f"invalid {what} {value!r}: control characters are not allowed")
    if len(value.encode("utf-8")) > MAX_KEY_BYTES:
        raise InvalidKey(f"invalid {what}: longer than {MAX_KEY_BYTES} bytes")


def build_metadata(metadata: Mapping[str, str] | None, digest: str) -> dict[str, str]:
    """Validated copy of the caller's metadata with ``sha256`` set to ``digest`` (overrides theirs)."""
    result: dict[str, str] = {}
    for name, value in (metadata or {}).items():
        if not isinstance(name, str) or not _META_NAME.match(name):
            raise InvalidMetadata(f"invalid metadata name {name!r}: use lower-case letters, digits and '-'")
        if not isinstance(value, str) or not _META_VALUE.match(value):
            raise InvalidMetadata(f"invalid metadata value for {name!r}: must be printable ASCII text")
        result[name] = value
    result[SHA256_META] = digest
    size = sum(len(k) + len(v) for k, v in result.items())
    if size > MAX_METADATA_BYTES:
        raise InvalidMetadata(f"metadata too large: {size} bytes (limit {MAX_METADATA_BYTES})")
    return result


def validate_content_headers(content_type: str, content_encoding: str | None) -> None:
    """Reject content type/encoding values that cannot travel as HTTP header values."""
    for name, value in (("content_type", content_type), ("content_encoding", content_encoding)):
        if value is None and name == "content_encoding":
            continue
        if not isinstance(value, str) or not value or not _META_VALUE.match(value):
            raise InvalidMetadata(f"invalid {name} {value!r}: must be non-empty printable ASCII")


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks (WARCs can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def open_store(url: str, *, s3: S3Options | None = None) -> Store:
    """Open the archive at ``url``.

    ``s3://bucket/optional/prefix`` -> S3Store (options from ``s3`` or ``S3Options.from_env()``);
    ``file:///abs/path`` or a plain filesystem path -> LocalStore (the folder is created if missing).
    """
    if not isinstance(url, str) or not url.strip():
        raise InvalidKey(f"invalid archive URL {url!r}: empty")
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "s3":
        # Imported lazily: boto3 costs ~0.3 s to import and local-only users never need it.
        from newsarchive.archive.s3 import S3Store

        return S3Store.from_url(url, s3)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise InvalidKey(f"invalid archive URL {url!r}: file URLs must be file:///absolute/path")
        if parts.query or parts.fragment:
            raise InvalidKey(f"invalid archive URL {url!r}: no query or fragment allowed")
        path = unquote(parts.path)
        if not path.startswith("/"):
            raise InvalidKey(f"invalid archive URL {url!r}: file URLs need an absolute path")
        return _local(Path(path))
    # Anything else with "://" is a typo or an unsupported backend; never guess it is a folder name.
    if "://" in url:
        raise InvalidKey(f"unsupported archive URL {url!r}: use s3://bucket/prefix, file:///path or a path")
    return _local(Path(url).expanduser())


def _local(path: Path) -> Store:
    from newsarchive.archive.local import LocalStore

    return LocalStore(path)


def store_opener(store: Store) -> partial[Store] | None:
    """How another process opens the same archive: a picklable call of ``open_store`` (with the S3 options the
    store was opened with, credentials included: hand it to a child over a pipe, never log or write it). None
    when that would not give the same store: a store of any other type (a wrapper, a test's subclass) or an
    S3Store made from a client of its own."""
    from newsarchive.archive.local import LocalStore

    if type(store) is LocalStore:
        return partial(open_store, store.url)
    s3 = sys.modules.get("newsarchive.archive.s3")  # never imports boto3: an S3Store exists only if it was
    if s3 is None or type(store) is not s3.S3Store:
        return None
    options = store.options  # type: ignore[attr-defined]  # an S3Store's
    if options is None or not store.default_tuning:  # type: ignore[attr-defined]
        return None
    return partial(open_store, store.url, s3=options)
