"""Removing a taken-down article's responses from the raw WARCs, without moving any other record.

Every archived record points into its window's WARC by byte offset (``raw.offset``), so a WARC cannot be
rewritten shorter. Instead, each run of consecutive records about a taken-down URL (its request, response,
metadata) is overwritten in place by one *tombstone*: a gzip member of exactly the same length holding a
valid WARC ``metadata`` record that names the takedown and nothing else (``NewsArchive-Takedown`` header,
blank padding). The file stays a valid WARC (``warcio``, ``newsarchive.archive.warcframes``), every other record keeps
its
offset, and the removed bytes are gone. A run too short to hold even a tombstone (a lone request record of a
few hundred bytes, which holds a URL but no text) is left and reported.

Raw WARCs are otherwise never changed once written (one per crawl attempt); a takedown is the one writer
that rewrites them. Each WARC is read whole, patched in memory and written back with a conditional write,
so should anything else change it meanwhile, the write fails and the scrub starts again from what is there.
"""

from __future__ import annotations

import io
import json
import logging
import re
import struct
import uuid
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from newsarchive.archive.errors import ArchiveError, InvalidKey, KeyNotFound, PreconditionFailed, WarcError
from newsarchive.archive.keys import crawl_stats_key, parse_raw_warc_key, raw_prefix
from newsarchive.archive.warcframes import iter_raw_records

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger(__name__)

WARC_TYPE = "application/warc"
TAKEDOWN_HEADER = "NewsArchive-Takedown"
MAX_ATTEMPTS = 5
_GZIP_HEADER = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff"  # deflate, FEXTRA set, no mtime, unknown OS
_MIN_EXTRA, _MAX_EXTRA = 4, 0xFFFF  # one extra subfield "NA" with its 4-byte header, up to the field's limit
_URI = re.compile(rb"^WARC-Target-URI:[ \t]*(.*?)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_DATE = re.compile(rb"^WARC-Date:[ \t]*(.*?)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ScrubResult:
    """What scrubbing one WARC did: records overwritten, and runs too short to overwrite (their offsets)."""

    key: str
    records: int
    left: tuple[int, ...] = ()


def tombstone(length: int, warc_date: str, record_id: str, article_ids: Collection[str]) -> bytes | None:
    """A gzip member of exactly ``length`` bytes holding a WARC metadata record about the takedown, or None
    when ``length`` is too short for one."""
    fields = f"{TAKEDOWN_HEADER.lower()}: {','.join(sorted(article_ids))}\r\n"
    for level, pad in ((9, 0), *((0, n) for n in _pads(length, fields))):
        member = _member(level, pad, length, warc_date, record_id, fields)
        if member is not None:
            return member
    return None


def _pads(length: int, fields: str) -> list[int]:
    """Padding sizes to try for a long run: stored (uncompressed) deflate grows with the padding, so the
    extra field can make up the last few bytes."""
    guess = max(length - 1024 - len(fields) - 400, 0)
    return [guess, max(guess - 4096, 0), max(guess - 65536, 0)]


def _member(level: int, pad: int, length: int, warc_date: str, record_id: str, fields: str) -> bytes | None:
    block = (fields + (f"padding: {' ' * pad}\r\n" if pad else "")).encode("utf-8")
    headers = (f"WARC/1.1\r\nWARC-Type: metadata\r\nWARC-Record-ID: <urn:uuid:{record_id}>\r\n"
               f"WARC-Date: {warc_date}\r\nContent-Type: application/warc-fields\r\n"
               f"{TAKEDOWN_HEADER}: removed\r\nContent-Length: {len(block)}\r\n\r\n").encode()
    raw = headers + block + b"\r\n\r\n"
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = compressor.compress(raw) + compressor.flush()
    extra = length - len(_GZIP_HEADER) - 2 - len(deflated) - 8
    if not _MIN_EXTRA <= extra <= _MAX_EXTRA:
        return None
    subfield = b"NA" + struct.pack("<H", extra - 4) + b"\x00" * (extra - 4)
    trailer = struct.pack("<II", zlib.crc32(raw) & 0xFFFFFFFF, len(raw) & 0xFFFFFFFF)
    member = _GZIP_HEADER + struct.pack("<H", extra) + subfield + deflated + trailer
    return member if len(member) == length else None


def scrub_bytes(
    data: bytes, key: str, uris: Collection[str], article_ids: Collection[str]
) -> tuple[bytes, ScrubResult]:
    """``data`` (a gzip-per-record WARC) with every run of records about ``uris`` overwritten by a tombstone."""
    records = list(iter_raw_records(io.BytesIO(data)))
    bounds = [offset for offset, _ in records] + [len(data)]
    wanted = {uri.encode("utf-8") for uri in uris}
    hits = [_uri(record) in wanted for _, record in records]
    patched = bytearray(data)
    done, left = 0, []
    merged: set[int] = set()  # offsets of records now inside a tombstone (after the first of its run)
    n = 0
    while n < len(records):
        if not hits[n]:
            n += 1
            continue
        end = n
        while end + 1 < len(records) and hits[end + 1]:
            end += 1
        start_at, end_at = bounds[n], bounds[end + 1]
        record_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{key}#{start_at}"))
        member = tombstone(end_at - start_at, _date(records[n][1]), record_id, article_ids)
        if member is None:
            left.append(start_at)
        else:
            patched[start_at:end_at] = member
            done += end - n + 1
            merged.update(bounds[n + 1 : end + 1])
        n = end + 1
    result = bytes(patched)
    if done:  # every other record must still start where it did
        again = [offset for offset, _ in iter_raw_records(io.BytesIO(result))]
        if again != [offset for offset in bounds[:-1] if offset not in merged]:
            raise WarcError(f"scrubbing {key} would move records: not written", 0)
    return result, ScrubResult(key, done, tuple(left))


def _uri(record: bytes) -> bytes | None:
    head = record[: record.find(b"\r\n\r\n")]
    match = _URI.search(head)
    return match.group(1) if match else None


def _date(record: bytes) -> str:
    match = _DATE.search(record[: record.find(b"\r\n\r\n")])
    return match.group(1).decode("ascii", "replace") if match else "1970-01-01T00:00:00Z"


def scrub_warc(store: Store, key: str, uris: Collection[str], article_ids: Collection[str]) -> ScrubResult:
    """Overwrite the records about ``uris`` in WARC ``key`` (conditional write; redone if the WARC changed)."""
    for _ in range(MAX_ATTEMPTS):
        try:
            tagged = store.get_tagged(key)
        except KeyNotFound:
            return ScrubResult(key, 0)
        if not tagged.data.startswith(b"\x1f\x8b"):
            log.warning("%s is not a gzip-per-record WARC: not scrubbed", key)
            return ScrubResult(key, 0)
        patched, result = scrub_bytes(tagged.data, key, uris, article_ids)
        if not result.records:
            return result
        try:
            store.put_if(key, patched, etag=tagged.etag, content_type=WARC_TYPE)
        except PreconditionFailed:
            log.info("%s changed while scrubbing it: scrubbing it again", key)
            continue
        return result
    raise ArchiveError(f"{key} kept changing: not scrubbed after {MAX_ATTEMPTS} tries")


def _stats_key(warc_key: str) -> str:
    """The crawl stats beside a WARC (``keys.crawl_stats_key``; the same suffix rule for other keys)."""
    try:
        return crawl_stats_key(warc_key)
    except InvalidKey:
        return warc_key.removesuffix(".warc.gz") + ".crawl.json"


def _fetched(store: Store, warc_key: str, uris: Collection[str]) -> bool | None:
    """Whether the crawl stats beside a WARC list one of ``uris`` as fetched (None: no readable stats)."""
    try:
        stats = json.loads(store.get(_stats_key(warc_key)))
    except (KeyNotFound, ValueError):
        return None
    if not isinstance(stats, dict) or not isinstance(stats.get("articles"), list):
        return None
    return any(isinstance(a, dict) and a.get("url") in uris for a in stats["articles"])


def _forget_in_stats(store: Store, warc_key: str, uris: Collection[str]) -> None:
    """Drop the URLs from the crawl stats' list of fetched articles (conditional write)."""
    for _ in range(MAX_ATTEMPTS):
        try:
            tagged = store.get_tagged(_stats_key(warc_key))
            stats = json.loads(tagged.data)
        except (KeyNotFound, ValueError):
            return
        kept = [a for a in stats.get("articles", []) if not (isinstance(a, dict) and a.get("url") in uris)]
        if len(kept) == len(stats.get("articles", [])):
            return
        stats["articles"] = kept
        body = json.dumps(stats, indent=1, sort_keys=True).encode("utf-8")
        try:
            store.put_if(_stats_key(warc_key), body, etag=tagged.etag, content_type="application/json")
            return
        except PreconditionFailed:
            continue


def scrub_site(store: Store, site: str, uris: Collection[str], article_ids: Collection[str],
               since: date | None = None, also: Collection[str] = ()) -> list[ScrubResult]:
    """Scrub every WARC of the site that may hold ``uris``: those of windows ending after ``since`` (the
    earliest publication day; None: all) whose crawl stats list one of them (or that have no stats), and the
    WARCs in ``also`` (the ones the article's records pointed at)."""
    results = []
    for key in sorted(set(store.list(raw_prefix(site))) | set(also)):
        if not key.endswith(".warc.gz"):
            continue
        if key not in also and since is not None:
            try:
                if parse_raw_warc_key(key).end.date() < since - timedelta(days=1):
                    continue  # crawled before the article existed
            except InvalidKey:
                pass  # another layout: scan it
        if key not in also and _fetched(store, key, uris) is False:
            continue
        result = scrub_warc(store, key, uris, article_ids)
        _forget_in_stats(store, key, uris)
        if result.records or result.left:
            results.append(result)
    return results
