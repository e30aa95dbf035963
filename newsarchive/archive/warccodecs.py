"""Content-Encoding decoders for warcio's ``content_stream()``: brotli (fixed) and zstd (added).

warcio 1.8.1 registers a brotli decoder written for the old ``brotli`` API (``decompress()``, a
settable ``unused_data``); brotli >= 1.2 has neither, so every ``br`` body failed with AttributeError.
Scrapy also advertises and receives ``zstd``, which warcio does not know (it would hand back the
compressed bytes). ``register()`` puts small adapters with the interface warcio's BufferedReader
expects (``decompress``, ``unused_data``, ``flush``) into its decoder table; it is idempotent and runs
when ``newsarchive.archive.warc`` is imported.
"""

from __future__ import annotations

from typing import Any

from warcio.bufferedreaders import BufferedReader


class _BrotliDecoder:
    """brotli.Decompressor behind the zlib-like interface warcio calls."""

    def __init__(self) -> None:
        import brotli

        self._decoder = brotli.Decompressor()
        # warcio reads this to detect a following gzip member; brotli bodies never have one.
        self.unused_data = b""

    def decompress(self, data: bytes) -> bytes:
        return bytes(self._decoder.process(data))

    def flush(self) -> bytes:
        return b""


class _ZstdDecoder:
    """A zstd decoder that also reads bodies made of several concatenated frames."""

    def __init__(self) -> None:
        self._decoder = self._new()
        self.unused_data = b""

    @staticmethod
    def _new() -> Any:
        try:
            from compression import zstd  # type: ignore[import-not-found,unused-ignore]  # Python >= 3.14
        except ImportError:
            from backports import zstd  # type: ignore[import-not-found,no-redef,unused-ignore]
        return zstd.ZstdDecompressor()

    def decompress(self, data: bytes) -> bytes:
        out = [self._decoder.decompress(data)]
        while self._decoder.eof and self._decoder.unused_data:
            rest = self._decoder.unused_data
            self._decoder = self._new()
            out.append(self._decoder.decompress(rest))
        return b"".join(out)

    def flush(self) -> bytes:
        return b""


def _available(factory: Any) -> bool:
    try:
        factory()
    except ImportError:
        return False
    return True


def register() -> None:
    """Install the brotli and zstd decoders into warcio (only those whose library is installed)."""
    table = BufferedReader.DECOMPRESSORS
    if table.get("br") is not _BrotliDecoder and _available(_BrotliDecoder):
        table["br"] = _BrotliDecoder
    if table.get("zstd") is not _ZstdDecoder and _available(_ZstdDecoder):
        table["zstd"] = _ZstdDecoder
