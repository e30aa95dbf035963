"""The ``extract`` package's public names load their modules on first use: a process that only handles records
(a write worker, a reader) must not pay for trafilatura."""

from __future__ import annotations

import subprocess
import sys

import pytest

import extract

HEAVY = ("trafilatura", "htmldate", "justext", "langdetect")  # not lxml: the site-level cleaner uses it


def test_every_public_name_resolves_to_its_home_module() -> None:
    assert sorted(extract.__all__) == sorted(extract._HOMES)
    for name in extract.__all__:
        value = getattr(extract, name)
        assert getattr(sys.modules[extract._HOMES[name]], name) is value
    assert set(extract.__all__) <= set(dir(extract))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'extract_articles'"):
        extract.extract_articles  # noqa: B018  (the attribute access is the test)
    with pytest.raises(ImportError):
        exec("from extract import extract_articles", {})


def _loaded_after(code: str) -> list[str]:
    script = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_record_side_loads_no_extractor() -> None:
    # What a write worker imports to write a day: records, the site-level cleaner, the writes and the spill.
    assert _loaded_after(
        "from extract import ArticleRecord, RawRef\nimport extract.sitewide\n"
        "import newsarchive.pipeline.extract_write, newsarchive.pipeline.extract_sitewide\n"
        "import newsarchive.pipeline.extract_spill, newsarchive.pipeline.write_worker"
    ) == []


def test_the_extractor_is_loaded_when_it_is_used() -> None:
    assert {"trafilatura", "htmldate"} <= set(_loaded_after("from extract import extract_article"))
