"""Helpers for the demo site tests: raw HTTP requests that do not follow redirects."""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest


@dataclass(frozen=True)
class Fetched:
    """One raw HTTP exchange."""

    status: int
    headers: dict[str, str]
    body: bytes


def fetch(base_url: str, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Fetched:
    """One request to the site, redirects not followed (header names lowercased)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request(method, path, headers={"User-Agent": "demosite-tests/1.0", **(headers or {})})
        response = conn.getresponse()
        body = response.read()
        return Fetched(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        conn.close()


@pytest.fixture
def get(demo_site: Any) -> Any:
    """fetch() bound to the session's demo site."""

    def _get(path: str, method: str = "GET", headers: dict[str, str] | None = None) -> Fetched:
        return fetch(demo_site.url, path, method, headers)

    return _get
