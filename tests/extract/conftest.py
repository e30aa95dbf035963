"""Fixtures of the extract tests: the HTML page builders (pages.py) and the golden dev-set pages."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

from tests.extract import pages as pages_module

HERE = Path(__file__).resolve().parent
DATASETS = HERE.parents[2] / "shared" / "datasets"
DEV_ARCHIVES = ("trafilatura-eval.tar.xz", "trafilatura-eval-cache.tar.xz")
GOLDEN_DEVSET = HERE / "golden" / "devset.json"


@pytest.fixture(scope="session")
def pages() -> ModuleType:
    """The page builders of pages.py."""
    return pages_module


@pytest.fixture(scope="session")
def golden_dev_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The dev-set pages named in golden/devset.json, unpacked from the archives into a temporary
    folder (never into the project). Fails loudly, never skips, when an archive is absent."""
    wanted = {entry["archive_path"] for entry in json.loads(GOLDEN_DEVSET.read_text(encoding="utf-8"))}
    target = tmp_path_factory.mktemp("dev-set")
    for name in DEV_ARCHIVES:
        archive = DATASETS / name
        if not archive.exists():
            pytest.fail(f"dev set archive missing: {archive} (CI has it; the golden tests need it)")
        with tarfile.open(archive) as tar:
            members = [m for m in tar if m.name in wanted]
            tar.extractall(target, members=members, filter="data")
    found = {path: target / path for path in wanted if (target / path).is_file()}
    missing = wanted - set(found)
    if missing:
        pytest.fail(f"golden pages absent from the dev set archives: {sorted(missing)}")
    return found
