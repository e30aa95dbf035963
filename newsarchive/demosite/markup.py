"""Small HTML-writing helpers shared by the templates (escaping, attributes, absolute URLs)."""

from __future__ import annotations

import unicodedata
from html import escape


def esc(text: str) -> str:
    """Text escaped for element content and attribute values."""
    return escape(text, quote=True)


def attrs(**values: str | None) -> str:
    """HTML attributes from keyword arguments (``class_`` -> class, ``data_x`` -> data-x), None skipped."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f' {name}="{esc(value)}"')
    return "".join(parts)


def absolute(base_url: str, path: str) -> str:
    """An absolute URL for a site path ("" and absolute URLs pass through unchanged)."""
    if not path or path.startswith(("http://", "https://", "#")):
        return path
    return base_url.rstrip("/") + path


def base_from_host(host: str | None, fallback: str) -> str:
    """The site's base URL ("http://host:port") from a request's Host header, else ``fallback``."""
    host = (host or "").strip()
    if not host or any(c in host for c in "/\\ @"):  # a Host header is never a path; refuse odd ones
        return fallback.rstrip("/")
    return f"http://{host}"


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by hyphens ("Union européenne" -> union-europeenne)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())
