"""Fixtures of the lifecycle tests (versions, takedowns, compaction): archives in a folder or an S3 bucket."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from newsarchive.archive.local import LocalStore
from newsarchive.archive.s3 import S3Options, S3Store
from newsarchive.archive.store import Store
from tests.lifecycle import lifeworld

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def life() -> ModuleType:
    """The archive builders of lifeworld.py."""
    return lifeworld


def s3_options(server: object) -> S3Options:
    env = server.env()  # type: ignore[attr-defined]
    return S3Options(endpoint_url=server.endpoint, region=env["AWS_DEFAULT_REGION"],  # type: ignore[attr-defined]
                     access_key_id=env["AWS_ACCESS_KEY_ID"], secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                     max_attempts=2, connect_timeout=2.0, read_timeout=10.0)


def make_store(request: pytest.FixtureRequest, tmp_path: Path, kind: str, name: str) -> Store:
    """A fresh empty store of ``kind`` (``local``: a folder; ``s3``: a bucket prefix on moto_server)."""
    if kind == "local":
        return LocalStore(tmp_path / name)
    server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Store.from_url(f"s3://{bucket}/{name}", s3_options(server), page_size=50)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A fresh empty archive: a folder, or a prefix of a fresh bucket on the session's moto_server."""
    return make_store(request, tmp_path, request.param, "archive")


@pytest.fixture
def twin(request: pytest.FixtureRequest, tmp_path: Path, store: Store) -> Store:
    """A second empty archive of the same kind as ``store`` (the never-compacted reference)."""
    kind = "local" if isinstance(store, LocalStore) else "s3"
    return make_store(request, tmp_path, kind, "twin")
