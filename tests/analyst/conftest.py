"""Fixtures of the analyst tests: fixture archives in a local folder or an S3 bucket (moto_server)."""

from __future__ import annotations

import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from newsarchive.archive.local import LocalStore
from newsarchive.archive.s3 import S3Store
from newsarchive.archive.store import Store
from tests.analyst import worlds as worlds_module

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def worlds() -> ModuleType:
    """The fixture-archive builders of worlds.py."""
    return worlds_module


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """A fresh empty store: a LocalStore folder, or an S3Store under a prefix listing 3 keys per page."""
    if request.param == "local":
        return LocalStore(tmp_path / "archive")
    server = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Store.from_url(f"s3://{bucket}/team/news", worlds_module.s3_options(server), page_size=3)


@pytest.fixture(scope="module", params=["local", "s3"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The world archive (read-only: shared by a module's tests), in a folder or in its own S3 bucket."""
    worlds = worlds_module
    if request.param == "local":
        return worlds.build_world(LocalStore(tmp_path_factory.mktemp("world") / "archive"))
    server = request.getfixturevalue("s3_server")
    bucket = f"world-{uuid.uuid4().hex[:12]}"
    server.client().create_bucket(Bucket=bucket)
    return worlds.build_world(S3Store.from_url(f"s3://{bucket}/team/news", worlds.s3_options(server), page_size=3))


@pytest.fixture(scope="module")
def local_world(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The world archive in a local folder (read-only; for CLI and DuckDB tests)."""
    return worlds_module.build_world(LocalStore(tmp_path_factory.mktemp("local-world") / "archive"))
