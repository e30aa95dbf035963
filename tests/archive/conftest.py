"""Fixtures for the archive tests: one Store fixture parametrized over both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.local import LocalStore
from newsarchive.archive.s3 import S3Options, S3Store
from newsarchive.archive.store import Store


def fake_options(server: Any, **overrides: Any) -> S3Options:
    """Explicit S3Options for a moto_server fixture (its fake keys, small retry budget)."""
    env = server.env()
    values: dict[str, Any] = {
        "endpoint_url": server.endpoint,
        "region": env["AWS_DEFAULT_REGION"],
        "access_key_id": env["AWS_ACCESS_KEY_ID"],
        "secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "max_attempts": 2,
        "connect_timeout": 2.0,
        "read_timeout": 10.0,
    }
    values.update(overrides)
    return S3Options(**values)


@pytest.fixture
def s3_options(s3_server: Any) -> S3Options:
    """Options pointing at the session's moto_server."""
    return fake_options(s3_server)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A fresh empty store: LocalStore in tmp_path, or S3Store on a fresh bucket under a prefix.

    The S3 store lists 7 keys per page so pagination is exercised without thousands of objects.
    """
    if request.param == "local":
        return LocalStore(tmp_path / "archive")
    server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Store.from_url(f"s3://{bucket}/tenant/one", fake_options(server), page_size=7)


@pytest.fixture
def s3_options_if_needed(request: pytest.FixtureRequest) -> S3Options | None:
    """S3Options for the parametrized ``store`` when it is the S3 one, else None."""
    if request.node.callspec.params.get("store") == "s3":
        return fake_options(request.getfixturevalue("s3_server"))
    return None
