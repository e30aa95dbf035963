"""Golden tests on a dozen real news pages of the development set (EN/FR/DE): metadata checked by reading
each page's source, snippets that must and must not be in the text. Only the small expectations are
stored (golden/devset.json); the pages come from the dev set archives at test time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extract import extract_article

GOLDEN = json.loads((Path(__file__).parent / "golden" / "devset.json").read_text(encoding="utf-8"))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("expected", GOLDEN, ids=[entry["file"] for entry in GOLDEN])
def test_dev_page(expected: dict[str, Any], golden_dev_pages: dict[str, Path]) -> None:
    html = golden_dev_pages[expected["archive_path"]].read_bytes()
    record = extract_article(html, expected["url"])
    assert record.title == expected["title"]
    assert list(record.authors) == expected["authors"]
    assert record.published == expected["published"]
    assert record.modified == expected["modified"]
    assert record.language == expected["language"]
    text = _flat(record.text)
    for snippet in expected["must"]:
        assert _flat(snippet) in text, f"missing: {snippet!r}"
    for snippet in expected["must_not"]:
        assert _flat(snippet) not in text, f"residue reached the text: {snippet!r}"
    assert record.title not in record.text.split("\n")


def test_golden_set_covers_three_languages() -> None:
    assert len(GOLDEN) >= 12
    assert {entry["language"] for entry in GOLDEN} >= {"en", "fr", "de"}
