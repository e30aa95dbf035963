"""Fixtures of the extract tests: the HTML page builders (pages.py) and the unpacked dev set."""

from __future__ import annotations

import importlib.util
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
DATASETS = HERE.parents[2] / "shared" / "datasets"
DEV_ARCHIVES = ("trafilatura-eval.tar.xz", "trafilatura-eval-cache.tar.xz")


def _load_pages() -> ModuleType:
    # Test modules are not importable by each other under --import-mode=importlib: load it by path.
    spec = importlib.util.spec_from_file_location("extract_test_pages", HERE / "pages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def pages() -> ModuleType:
    """The page builders of pages.py."""
    return _load_pages()


@pytest.fixture(scope="session")
def dev_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dev set unpacked in a temporary folder; fails loudly (never skips) when the archive is absent."""
    target = tmp_path_factory.mktemp("dev-set")
    for name in DEV_ARCHIVES:
        archive = DATASETS / name
        if not archive.exists():
            pytest.fail(f"dev set archive missing: {archive} (CI has it; the golden tests need it)")
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
    return target
