"""Split a WARC file into raw records with exact byte offsets, detecting truncation and corruption.

warcio's ArchiveIterator is lenient on purpose (it prints a warning to stderr and yields a short
record when a file is cut), which would let a half-written crawl pass as complete. This module frames
records itself and is strict: every gzip member must end with a valid trailer (zlib checks the CRC),
and every record must hold the bytes its Content-Length promises. warcio then parses each framed
record (see ``newsarchive.archive.warc``).

Two layouts are accepted: gzip per record (``.warc.gz``, what the crawler writes; one record per gzip
member) and plain ``.warc``. The offset of a record is the offset of its gzip member (or of its
``WARC/`` line), so ``read_raw_record_at(stream, offset)`` can seek straight back to it.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from newsarchive.archive.errors import WarcError

_CHUNK = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
_HEADER_END = b"\r\n\r\n"
# WARC headers of one record stay far below this; a longer header block means we are not in a WARC.
_MAX_HEADER_BYTES = 1 << 20
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d+)[ \t]*$", re.IGNORECASE | re.MULTILINE)


class _Source:
    """A read buffer over ``stream`` that knows the absolute offset of its first byte."""

    def __init__(self, stream: BinaryIO, start: int) -> None:
        self.stream = stream
        self.buf = bytearray()
        self.pos = start

    def fill(self) -> bool:
        chunk = self.stream.read(_CHUNK)
        if not chunk:
            return False
        self.buf += chunk
        return True

    def ensure(self, size: int) -> bool:
        """Buffer at least ``size`` bytes if the stream has them."""
        while len(self.buf) < size:
            if not self.fill():
                return False
        return True

    def consume(self, size: int) -> bytes:
        data = bytes(self.buf[:size])
        del self.buf[:size]
        self.pos += len(data)
        return data


def _start_offset(stream: BinaryIO) -> int:
    try:
        return int(stream.tell())
    except (AttributeError, OSError, ValueError):
        return 0  # pipes and sockets cannot tell; offsets then count from where reading began


def iter_raw_records(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, record_bytes)`` for every record (decompressed), in file order.

    Raises WarcError with the offset where the file breaks, after yielding every record before it.
    """
    src = _Source(stream, _start_offset(stream))
    src.ensure(len(_GZIP_MAGIC))
    if not src.buf:
        return
    gzipped = bytes(src.buf[:2]) == _GZIP_MAGIC
    while True:
        _skip_blank_lines(src, gzipped)
        offset = src.pos
        data = _gzip_member(src) if gzipped else _plain_record(src)
        if data is None:
            return
        yield offset, _check_record(data, offset, gzipped)


def read_raw_record_at(stream: BinaryIO, offset: int) -> bytes:
    """The decompressed bytes of the single record starting at ``offset`` (a seekable stream)."""
    if offset < 0:
        raise WarcError(f"invalid WARC offset {offset}", offset)
    try:
        stream.seek(offset)
    except (OSError, ValueError) as exc:
        raise WarcError(f"cannot seek to WARC offset {offset}: {exc}", offset) from exc
    src = _Source(stream, offset)
    if not src.ensure(len(_GZIP_MAGIC)):
        raise WarcError(f"no WARC record at offset {offset}: end of file", offset)
    gzipped = bytes(src.buf[:2]) == _GZIP_MAGIC
    data = _gzip_member(src) if gzipped else _plain_record(src)
    if data is None:  # pragma: no cover - ensure() above guarantees input
        raise WarcError(f"no WARC record at offset {offset}", offset)
    return _check_record(data, offset, gzipped)


def _skip_blank_lines(src: _Source, gzipped: bool) -> None:
    # Plain WARCs separate records with CRLF CRLF; tolerate stray blank lines between records too.
    if gzipped:
        return
    while True:
        src.ensure(2)
        if src.buf[:2] == b"\r\n":
            src.consume(2)
        elif src.buf[:1] == b"\n":
            src.consume(1)
        else:
            return


def _gzip_member(src: _Source) -> bytes | None:
    """Decompress one gzip member; None at a clean end of file."""
    start = src.pos
    decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out: list[bytes] = []
    consumed = 0
    while not decomp.eof:
        if not src.buf and not src.fill():
            if consumed == 0:
                return None
            raise WarcError(
                f"truncated WARC: the record at offset {start} is cut off at byte {src.pos} (gzip member incomplete)",
                start,
            )
        data = bytes(src.buf)
        try:
            out.append(decomp.decompress(data))
        except zlib.error as exc:
            raise WarcError(f"corrupt WARC: bad gzip data in the record at offset {start} ({exc})", start) from exc
        used = len(data) - len(decomp.unused_data)
        src.consume(used)
        consumed += used
    return b"".join(out)


def _plain_record(src: _Source) -> bytes | None:
    """One uncompressed record (headers, block, trailing CRLF CRLF); None at a clean end of file."""
    start = src.pos
    if not src.ensure(1):
        return None
    while (end := src.buf.find(_HEADER_END)) < 0:
        if len(src.buf) > _MAX_HEADER_BYTES:
            raise WarcError(f"corrupt WARC: no end of headers in the record at offset {start}", start)
        if not src.fill():
            raise WarcError(f"truncated WARC: the record at offset {start} ends inside its headers", start)
    length = _content_length(bytes(src.buf[:end]), start)
    total = end + len(_HEADER_END) + length
    if not src.ensure(total):
        raise WarcError(
            f"truncated WARC: the record at offset {start} is cut off at byte {src.pos + len(src.buf)} "
            f"(Content-Length promises {length} bytes)",
            start,
        )
    data = src.consume(total)
    src.ensure(len(_HEADER_END))
    if src.buf.startswith(_HEADER_END):
        src.consume(len(_HEADER_END))
    return data


def _content_length(headers: bytes, offset: int) -> int:
    match = _CONTENT_LENGTH.search(headers)
    if not match:
        raise WarcError(f"corrupt WARC: the record at offset {offset} has no Content-Length", offset)
    return int(match.group(1))


def _check_record(data: bytes, offset: int, gzipped: bool) -> bytes:
    """Verify the record starts like WARC and holds all the bytes its Content-Length promises."""
    if not data.startswith(b"WARC/"):
        raise WarcError(f"corrupt WARC: the record at offset {offset} does not start with 'WARC/'", offset)
    end = data.find(_HEADER_END)
    if end < 0:
        raise WarcError(f"corrupt WARC: the record at offset {offset} has no end of headers", offset)
    length = _content_length(data[:end], offset)
    block_end = end + len(_HEADER_END) + length
    if len(data) < block_end:
        raise WarcError(
            f"truncated WARC: the record at offset {offset} is cut off: {len(data) - end - 4} bytes "
            f"where its Content-Length promises {length}",
            offset,
        )
    if gzipped and data[block_end:].strip(b"\r\n"):
        raise WarcError(
            f"unsupported WARC: the gzip member at offset {offset} holds more than one record "
            "(expected one gzip member per record; `warcio recompress` fixes such files)",
            offset,
        )
    return data[:block_end]
