"""Bytes to text: declared charset, BOM and detection, so that mislabelled pages still come out right."""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator

from trafilatura.utils import detect_encoding

from extract.errors import NotHTML, TooLarge, Undecodable
from extract.safetext import without_surrogates

# The most bytes a page may have, raw or once a gzip layer is undone (the crawl's default max_response_bytes):
# a gzip bomb is a few KiB on the wire and gigabytes inflated.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"

# Content types we accept as HTML (anything else declared explicitly is rejected as not HTML).
HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml", "text/plain")

# WHATWG: these labels mean windows-1252 in browsers, and pages labelled so are written for browsers.
CHARSET_ALIASES = {
    "latin-1": "windows-1252",
    "latin1": "windows-1252",
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "iso_8859-1": "windows-1252",
    "us-ascii": "windows-1252",
    "ascii": "windows-1252",
    "x-user-defined": "windows-1252",
    "utf8": "utf-8",
    "unicode": "utf-8",
}

BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Single-byte code pages for non-Latin scripts: detection is reliable for these, so it is followed.
NON_LATIN_SINGLE_BYTE = frozenset(
    {
        "cp1251",
        "cp1253",
        "cp1255",
        "cp1256",
        "cp866",
        "cp855",
        "koi8-r",
        "koi8-u",
        "mac-cyrillic",
        "mac-greek",
        "iso8859-5",
        "iso8859-6",
        "iso8859-7",
        "iso8859-8",
        "cp874",
        "tis-620",
        "cp1258",
    }
)
_LATIN_PREFIXES = ("cp125", "cp8", "cp7", "iso8859", "mac-", "hp-roman", "latin")
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# Share of control or replacement characters above which decoded text is not believable.
MAX_GARBAGE_SHARE = 0.02
_GARBAGE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def check_content_type(content_type: str | None) -> None:
    """Raise NotHTML when a declared content type is clearly not an HTML document."""
    if not content_type:
        return
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime and mime not in HTML_CONTENT_TYPES:
        raise NotHTML(f"content type {mime}")


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = CHARSET_ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charsets(data: bytes, content_type: str | None) -> list[str]:
    """Charsets the response declares: the HTTP header first, then <meta> in the first bytes."""
    found: list[str] = []
    if content_type:
        match = _CT_CHARSET.search(content_type)
        if match:
            found.append(match.group(1))
    match_meta = _META_CHARSET.search(data[:4096])
    if match_meta:
        found.append(match_meta.group(1).decode("ascii", "replace"))
    names = [normalize_charset(label) for label in found]
    return list(dict.fromkeys(n for n in names if n))


def inflate_bounded(data: bytes, max_bytes: int) -> bytes:
    """Every gzip member of ``data`` inflated, never more than ``max_bytes`` of output.

    TooLarge as soon as the output would pass the limit (a bomb costs at most ``max_bytes`` of memory);
    Undecodable for broken or truncated gzip data. Bytes after the last member are ignored.
    """
    parts: list[bytes] = []
    total = 0
    rest = data
    while rest.startswith(GZIP_MAGIC):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = inflater.decompress(rest, max_bytes - total + 1)
        except zlib.error as err:
            raise Undecodable(f"broken gzip data: {err}") from err
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(f"gzip body inflates beyond {max_bytes} bytes")
        if not inflater.eof:
            raise Undecodable("truncated gzip data")
        parts.append(chunk)
        rest = inflater.unused_data
    return b"".join(parts)


def _decompress(data: bytes, max_bytes: int) -> bytes:
    """Undo a gzip transfer encoding a capture may have kept (bounded: see inflate_bounded)."""
    return inflate_bounded(data, max_bytes) if data.startswith(GZIP_MAGIC) else data


def _is_latin_single_byte(codec: str) -> bool:
    return codec.startswith(_LATIN_PREFIXES) and codec not in NON_LATIN_SINGLE_BYTE


def _plausible(text: str) -> bool:
    """Decoded text is plausible when control and replacement characters are rare."""
    if not text:
        return True
    sample = text[:200_000]
    return len(_GARBAGE.findall(sample)) <= MAX_GARBAGE_SHARE * len(sample)


def decode_html(data: bytes | str, content_type: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Decode a response body to text.

    Order: a BOM (authoritative, as in browsers); valid UTF-8 (a non-ASCII page in a legacy charset
    is almost never valid UTF-8, so this catches pages mislabelled as latin-1/windows-1252); UTF-8 with
    a few invalid bytes, which become U+FFFD (see ``mostly_utf8``); the declared charset (header, then
    <meta>); detection; windows-1252 as the last resort. Text given as ``str`` is kept, its lone
    surrogates replaced. Raises TooLarge when the body, or a gzip body once inflated, is over
    ``max_bytes`` (characters for ``str``), Undecodable when the result is not plausible text.
    """
    check_content_type(content_type)
    if len(data) > max_bytes:
        raise TooLarge(f"{len(data)} bytes > {max_bytes}")
    if isinstance(data, str):
        text = without_surrogates(data.lstrip("\ufeff"))
    else:
        text = _decode_bytes(_decompress(data, max_bytes), content_type)
    if not _plausible(text):
        raise Undecodable("too many control or replacement characters")
    return text


# A page is read as UTF-8 with its invalid bytes replaced when its valid multi-byte characters outnumber
# the invalid sequences at least this many times: a stray windows-1252 byte in a UTF-8 page (a pasted quote,
# a cut multi-byte character) must not turn the whole page into mojibake, while a legacy-charset page has
# almost no valid multi-byte sequence and many invalid ones.
MIN_VALID_PER_INVALID = 2


def mostly_utf8(data: bytes) -> str | None:
    """The bytes as UTF-8 with invalid sequences replaced by U+FFFD, when they are UTF-8 with a few bad
    bytes (see MIN_VALID_PER_INVALID); None otherwise."""
    text = data.decode("utf-8", "replace")
    invalid = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    valid = non_ascii - text.count("\ufffd")
    if invalid > 0 and valid >= MIN_VALID_PER_INVALID * invalid:
        return text
    return None


def _candidates(data: bytes, content_type: str | None) -> Iterator[str]:
    """Codecs to try after UTF-8, best first; detection (slow) only runs when the cheap guesses failed."""
    yield from declared_charsets(data, content_type)
    guesses = [c for c in (normalize_charset(g) for g in detect_encoding(data)) if c]
    if guesses and _is_latin_single_byte(guesses[0]):
        # Detection cannot tell Latin code pages apart on short texts (it calls French cp1257);
        # browsers read undeclared Latin pages as windows-1252, and so do we.
        yield "cp1252"
    yield from guesses
    # windows-1252 decodes almost anything; latin-1 covers the five bytes it leaves undefined.
    yield "cp1252"
    yield "latin-1"


def _decode_bytes(data: bytes, content_type: str | None) -> str:
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as err:
                raise Undecodable(f"invalid {codec} after its byte order mark") from err
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    tolerant = mostly_utf8(data)
    if tolerant is not None and _plausible(tolerant):
        return tolerant
    tried: set[str] = {"utf-8"}
    for codec in _candidates(data, content_type):
        if codec in tried:
            continue
        tried.add(codec)
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            return text
    raise Undecodable("no charset gives plausible text")


# Magic numbers of formats a crawler meets that are certainly not HTML.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x00", "binary data"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"wOF", "web font"),
)


def sniff_binary(data: bytes) -> None:
    """Raise NotHTML when the bytes start with the signature of a binary format."""
    for signature, name in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise NotHTML(f"content is a {name}")
