"""Shared fixtures: real servers on 127.0.0.1 (the demo news site over HTTP, an S3 API server process)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import S3Server, free_port, wait_for_port, write_site_config

__all__ = ["S3Server", "free_port", "wait_for_port", "write_site_config"]

# Suites that run whole stages (crawl + extract + check against the fixture sites and S3) or start Airflow's
# parsers: what `make test-fast` leaves out. The full command (scripts/test.sh, CI) runs everything.
STAGE_SUITES = frozenset({"e2e", "incremental", "lifecycle", "reliability", "ops", "dags", "scale"})
# Files of the other suites that crawl or re-extract whole windows (the slowest outside the suites above).
STAGE_FILES = frozenset({
    "pipeline/test_extract_passes.py", "pipeline/test_reextract.py", "pipeline/test_soup_site.py",
    "pipeline/test_extract_pool.py", "spiders/test_crawl.py", "spiders/test_generated_crawl.py",
})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of a stage suite or file ``stages`` (deselected by ``-m "not stages"``)."""
    root = config.rootpath / "tests"
    for item in items:
        parts = item.path.relative_to(root).parts
        if parts and (parts[0] in STAGE_SUITES or "/".join(parts) in STAGE_FILES):
            item.add_marker(pytest.mark.stages)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One moto_server process for the session; tests isolate themselves with a bucket each."""
    server = S3Server(tmp_path_factory.mktemp("s3"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket on the session's S3 server, with the environment pointing boto3 at it."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    for key, value in s3_server.env().items():
        monkeypatch.setenv(key, value)
    return name


@pytest.fixture(scope="session")
def demo_site() -> Iterator[Any]:
    """The bundled demo news site, served over HTTP on 127.0.0.1 for the whole session."""
    from newsarchive.demosite.server import serve

    handle = serve(host="127.0.0.1", port=0)
    yield handle
    handle.stop()
