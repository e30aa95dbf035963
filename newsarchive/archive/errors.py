"""The archive's exceptions: one base class so callers can catch every storage failure at once."""

from __future__ import annotations


class ArchiveError(Exception):
    """Base class of every error the archive package raises on purpose."""


class KeyNotFound(ArchiveError, KeyError):
    """The object does not exist (S3 404 / NoSuchKey, or no such file in a local store)."""

    def __str__(self) -> str:
        # KeyError's __str__ quotes its argument; keep messages readable.
        return str(self.args[0]) if self.args else "key not found"


class StoreUnavailable(ArchiveError):
    """The store could not be reached or did not answer in time, after the configured retries.

    The message names the endpoint and the operation, never credentials. Callers (Airflow tasks)
    treat it as transient and retry later.
    """


class InvalidKey(ArchiveError, ValueError):
    """A key, site id, article id, window or store URL that the layout does not allow."""


class InvalidMetadata(ArchiveError, ValueError):
    """Object metadata the stores cannot keep portably (S3 user metadata is ASCII, lower-case, < 2 KB)."""


class WarcError(ArchiveError):
    """A WARC file is truncated or corrupt; the message gives the byte offset where it broke."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class IndexFormatError(ArchiveError):
    """A Parquet index that is unreadable or does not match INDEX_SCHEMA."""


class PreconditionFailed(ArchiveError):
    """A conditional write or delete found the object changed since it was read (or present when it had to
    be absent): the caller re-reads and decides again. S3 answers 412 (or 409 for a concurrent conditional
    write); a local store compares content digests under a folder lock."""
