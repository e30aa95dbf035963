"""LocalStore: the archive in a plain folder (the embedded default, and what tests and laptops use).

Layout on disk (documented contract, so people can browse an archive with ``ls``)::

    <root>/<key>                    the object's bytes, exactly as written
    <root>/.meta/<key>.json         sidecar: {"content_type", "content_encoding", "metadata"}

Writes are atomic: bytes go to a hidden temp file in the target's own folder (``.<name>.<random>.tmp``),
are flushed to disk, then ``os.replace``d over the target, so a reader sees the old object or the new
one, never half of one. The sidecar is replaced (atomically too) just before the data, so for an
instant ``head`` may describe the new object while ``get`` still returns the old bytes; a crash in that
instant leaves the old bytes with the new sidecar (its sha256 then tells them apart). Keys cannot have parts starting
with '.', so ``.meta`` and temp files never collide with keys and never show up in ``list()``.

A folder cannot hold both a file ``a/b`` and files under ``a/b/``: such a key conflict raises
ArchiveError (the key layout never produces one; S3 would allow it).

Conditional writes (``put_if``, ``delete_if``) compare entity tags, which here are the SHA-256 of the
object's bytes. Every change of an object (put, delete, and their conditional forms) happens under an
exclusive ``flock`` of the object's folder, so a compare-then-replace cannot interleave with another
writer's replace, across threads and processes of one machine (a network file system must honour flock).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newsarchive.archive.errors import ArchiveError, KeyNotFound, PreconditionFailed
from newsarchive.archive.store import (
    DEFAULT_CONTENT_TYPE,
    SHA256_META,
    ObjectInfo,
    Tagged,
    build_metadata,
    sha256_bytes,
    validate_content_headers,
    validate_key,
    validate_prefix,
)

META_DIR = ".meta"
_CHUNK = 1 << 20


class LocalStore:
    """A Store over the folder ``root`` (created if missing)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().resolve()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create local archive folder {self.root}: {exc.strerror}") from exc
        if not self.root.is_dir():
            raise ArchiveError(f"local archive root {self.root} is not a folder")

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    @property
    def url(self) -> str:
        """``file://`` URL of the root folder."""
        return self.root.as_uri()

    # -- paths ---------------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def _meta_path(self, key: str) -> Path:
        return self.root / META_DIR / f"{key}.json"

    # -- writes --------------------------------------------------------------------------------

    def put(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str,
        content_encoding: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Write ``data`` atomically as object ``key`` (metadata gains ``sha256``)."""
        path = self._path(key)
        validate_content_headers(content_type, content_encoding)
        if not isinstance(data, bytes | bytearray | memoryview):
            raise TypeError(f"put({key!r}) needs bytes, got {type(data).__name__}")
        meta = build_metadata(metadata, sha256_bytes(bytes(data)))
        tmp = self._atomic_write(key, path, lambda fh: fh.write(data), replace=False)
        self._commit(key, tmp, path, content_type, content_encoding, meta)

    def put_file(
        self,
        key: str,
        path: Path | str,
        *,
        content_type: str,
        content_encoding: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        """Copy the file at ``path`` into the store in one streaming pass (hashing as it copies)."""
        target = self._path(key)
        validate_content_headers(content_type, content_encoding)
        build_metadata(metadata, "0")  # validate before any byte is copied
        digest = hashlib.sha256()

        def copy(out: Any) -> None:
            with open(path, "rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)

        tmp = self._atomic_write(key, target, copy, replace=False)
        self._commit(key, tmp, target, content_type, content_encoding, build_metadata(metadata, digest.hexdigest()))

    def _commit(
        self,
        key: str,
        tmp: Path,
        target: Path,
        content_type: str,
        content_encoding: str | None,
        meta: dict[str, str],
        *,
        conditional: bool = False,
        etag: str | None = None,
    ) -> None:
        """Replace the sidecar, then move the finished temp file over the object (temp removed on failure).

        ``conditional``: only if the object's current tag is ``etag`` (None: only if it is absent)."""
        try:
            with self._folder_lock(target.parent):
                if conditional and _file_etag(target) != etag:
                    raise PreconditionFailed(f"{key!r} in {self.url} changed since it was read: not written")
                self._write_sidecar(key, content_type, content_encoding, meta)
                os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    @contextmanager
    def _folder_lock(self, folder: Path) -> Iterator[None]:
        """Hold an exclusive flock on ``folder`` (released when its descriptor closes)."""
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _write_sidecar(self, key: str, content_type: str, content_encoding: str | None, meta: dict[str, str]) -> None:
        side = {"content_type": content_type, "content_encoding": content_encoding, "metadata": meta}
        body = json.dumps(side, sort_keys=True, indent=1).encode("utf-8")
        self._atomic_write(key, self._meta_path(key), lambda fh: fh.write(body))

    def _atomic_write(self, key: str, target: Path, write: Any, *, replace: bool = True) -> Path:
        """Run ``write(fh)`` on a fresh temp file beside ``target``, fsync, then replace ``target``.

        With ``replace=False`` the finished temp file's path is returned and the caller replaces it.
        """
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise ArchiveError(f"cannot write {key!r} in {self.url}: a parent of it is an existing object") from exc
        if target.is_dir():
            raise ArchiveError(f"cannot write {key!r} in {self.url}: other keys live under it")
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        # os.open with 0o666 lets the umask decide permissions (mkstemp would force 0600).
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            if replace:
                os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp

    # -- reads ---------------------------------------------------------------------------------

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise KeyNotFound(f"no object {key!r} in {self.url}") from exc

    def download(self, key: str, path: Path | str) -> None:
        """Copy the object to ``path`` (temp file + rename, so ``path`` is never half-written)."""
        source = self._path(key)
        dest = Path(path)
        tmp = dest.parent / f".{dest.name}.{secrets.token_hex(6)}.tmp"
        try:
            with open(source, "rb") as src, open(tmp, "xb") as out:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
            os.replace(tmp, dest)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            tmp.unlink(missing_ok=True)
            if not source.is_file():
                raise KeyNotFound(f"no object {key!r} in {self.url}") from exc
            raise
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def exists(self, key: str) -> bool:
        """Whether the object exists."""
        return self._path(key).is_file()

    def head(self, key: str) -> ObjectInfo:
        """Size from the file, content type/encoding and metadata from the sidecar."""
        path = self._path(key)
        try:
            size = path.stat().st_size
        except (FileNotFoundError, NotADirectoryError) as exc:
            raise KeyNotFound(f"no object {key!r} in {self.url}") from exc
        if not path.is_file():
            raise KeyNotFound(f"no object {key!r} in {self.url}")
        side = self._read_sidecar(key)
        meta = {str(k): str(v) for k, v in (side.get("metadata") or {}).items()}
        return ObjectInfo(
            key=key,
            size=size,
            content_type=str(side.get("content_type") or DEFAULT_CONTENT_TYPE),
            content_encoding=side.get("content_encoding") or None,
            metadata=meta,
            sha256=meta.get(SHA256_META),
        )

    def _read_sidecar(self, key: str) -> dict[str, Any]:
        # Files copied in by hand have no sidecar: report them as untyped, unverified objects.
        try:
            side = json.loads(self._meta_path(key).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ArchiveError(f"unreadable metadata sidecar for {key!r} in {self.url}: {exc}") from exc
        if not isinstance(side, dict):
            raise ArchiveError(f"metadata sidecar for {key!r} in {self.url} is not a JSON object")
        return side

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix``, sorted (hidden files and the sidecar tree skipped)."""
        validate_prefix(prefix)
        # Only walk the deepest folder the prefix pins down; the rest of the prefix filters names.
        folder = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.root / folder if folder else self.root
        keys: list[str] = []
        if start.is_dir():
            for dirpath, dirnames, filenames in os.walk(start):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                rel = Path(dirpath).relative_to(self.root).as_posix()
                base = "" if rel == "." else rel + "/"
                for name in filenames:
                    if name.startswith("."):
                        continue
                    key = base + name
                    if key.startswith(prefix):
                        keys.append(key)
        keys.sort()
        return iter(keys)

    def delete(self, key: str) -> None:
        """Remove the object and its sidecar (missing is fine; empty folders are left in place)."""
        path = self._path(key)
        if not path.parent.is_dir() or path.is_dir():
            return
        with self._folder_lock(path.parent):
            path.unlink(missing_ok=True)
            self._meta_path(key).unlink(missing_ok=True)

    # -- conditional and ranged access ---------------------------------------------------------

    def get_tagged(self, key: str) -> Tagged:
        """The object's bytes and tag (their SHA-256)."""
        data = self.get(key)
        return Tagged(data, sha256_bytes(data))

    def put_if(
        self,
        key: str,
        data: bytes,
        *,
        etag: str | None,
        content_type: str,
        metadata: dict[str, str] | None = None,
    ) -> str:
        """Write ``key`` only if its tag is still ``etag`` (None: only if absent); return the new tag."""
        path = self._path(key)
        validate_content_headers(content_type, None)
        digest = sha256_bytes(bytes(data))
        meta = build_metadata(metadata, digest)
        tmp = self._atomic_write(key, path, lambda fh: fh.write(data), replace=False)
        self._commit(key, tmp, path, content_type, None, meta, conditional=True, etag=etag)
        return digest

    def delete_if(self, key: str, etag: str) -> bool:
        """Delete ``key`` only if its tag is still ``etag`` (False if it is gone already)."""
        path = self._path(key)
        if not path.parent.is_dir():
            return False
        with self._folder_lock(path.parent):
            current = _file_etag(path)
            if current is None:
                return False
            if current != etag:
                raise PreconditionFailed(f"{key!r} in {self.url} changed since it was read: not deleted")
            path.unlink()
            self._meta_path(key).unlink(missing_ok=True)
        return True

    def read_range(self, key: str, start: int, length: int) -> bytes:
        """``length`` bytes from ``start`` (fewer at the end of the file)."""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                fh.seek(max(start, 0))
                return fh.read(max(length, 0))
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise KeyNotFound(f"no object {key!r} in {self.url}") from exc

    def read_tail(self, key: str, length: int) -> tuple[bytes, int]:
        """The last ``length`` bytes and the file's size."""
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                fh.seek(max(size - length, 0))
                return fh.read(), size
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise KeyNotFound(f"no object {key!r} in {self.url}") from exc


def _file_etag(path: Path) -> str | None:
    """The tag of the object at ``path`` (SHA-256 of its bytes), None when there is none."""
    try:
        with open(path, "rb") as fh:
            digest = hashlib.sha256()
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
            return digest.hexdigest()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
