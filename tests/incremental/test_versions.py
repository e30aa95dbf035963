"""newsarchive.pipeline.versions: the latest version at the article key, earlier ones under versions/ (local store)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from extract import ArticleRecord, RawRef
from newsarchive.archive.local import LocalStore
from newsarchive.demosite.generated.config import site_toml
from newsarchive.instants import parse_window
from newsarchive.pipeline.extract_stage import write_records
from newsarchive.pipeline.sites import parse_site
from newsarchive.pipeline.versions import (
    NEW,
    SUPERSEDED,
    UNCHANGED,
    UPDATED,
    is_newer_fetch,
    version_key,
    version_label,
    write_article,
)

KEY = "articles/site=gen/date=2025-01-15/0123456789abcdef.json"


def record(text: str, modified: str | None = "2025-01-15T10:00:00+01:00", fetched_at: str = "2025-03-01T08:00:00+00:00",
           offset: int = 0) -> ArticleRecord:
    return ArticleRecord(
        id="0123456789abcdef", url="http://gen.example/world/2025/01/15/a-1", canonical_url="http://gen.example/world/2025/01/15/a-1",
        site="gen", title="A", text=text, published="2025-01-15T09:00:00+01:00", modified=modified,
        fetched_at=fetched_at, raw=RawRef(warc_key="raw/site=gen/date=2025-01-14/x.warc.gz", offset=offset))


def objects(store: LocalStore) -> dict[str, bytes]:
    return {k: store.get(k) for k in sorted(store.list(""))}


def test_new_unchanged_updated(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    v1 = record("first text")
    assert write_article(store, KEY, v1).kind == NEW
    assert write_article(store, KEY, v1).kind == UNCHANGED
    # Same text, fetched again later: rewritten in place (new raw reference), still no version.
    again = record("first text", fetched_at="2025-03-02T08:00:00+00:00", offset=99)
    assert write_article(store, KEY, again).kind == UNCHANGED
    assert json.loads(store.get(KEY))["raw"]["offset"] == 99
    assert not list(store.list("versions/"))
    v2 = record("second text", modified="2025-01-16T10:00:00+01:00", fetched_at="2025-03-03T08:00:00+00:00")
    outcome = write_article(store, KEY, v2)
    assert outcome.kind == UPDATED
    digest = again.text_sha256[:12]
    assert outcome.version_key == f"versions/site=gen/0123456789abcdef/20250115T090000Z-{digest}.json"
    assert json.loads(store.get(outcome.version_key)) == json.loads(again.to_json())
    assert json.loads(store.get(KEY))["text"] == "second text"
    assert write_article(store, KEY, v2).kind == UNCHANGED  # a rerun adds nothing
    assert sorted(store.list("versions/")) == [outcome.version_key]


def test_order_does_not_matter(tmp_path: Path) -> None:
    old = record("old text")
    new = record("new text", modified="2025-01-17T12:30:00+01:00", fetched_at="2025-03-04T08:00:00+00:00")
    in_order, reversed_order = LocalStore(tmp_path / "a"), LocalStore(tmp_path / "b")
    write_article(in_order, KEY, old)
    write_article(in_order, KEY, new)
    write_article(reversed_order, KEY, new)
    assert write_article(reversed_order, KEY, old).kind == SUPERSEDED
    assert objects(in_order) == objects(reversed_order)


def test_silent_edits_keep_every_text(tmp_path: Path) -> None:
    """A site that edits the text twice without touching `modified`: both earlier texts stay versions."""
    store = LocalStore(tmp_path)
    for n, text in enumerate(("first text", "second text", "third text")):
        write_article(store, KEY, record(text, fetched_at=f"2025-03-0{n + 1}T08:00:00+00:00"))
    kept = sorted(json.loads(store.get(k))["text"] for k in store.list("versions/"))
    assert kept == ["first text", "second text"]


def test_unreadable_stored_object_is_kept(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put(KEY, b"\x00 not json", content_type="application/json")
    outcome = write_article(store, KEY, record("text"))
    assert outcome.kind == UPDATED and outcome.version_key is not None
    assert "/unreadable-" in outcome.version_key and store.get(outcome.version_key) == b"\x00 not json"


def test_labels() -> None:
    digest = "ab" * 32
    assert version_label({"modified": "2025-01-15T10:00:00+01:00", "text_sha256": digest}) == \
        "20250115T090000Z-abababababab"
    assert version_label({"modified": None, "fetched_at": "2025-03-01T08:00:00Z", "text_sha256": digest}) == \
        "20250301T080000Z-abababababab"
    assert version_label({"modified": "2025-01-15", "text": ""}).startswith("20250115T000000Z-e3b0c44298fc")
    with pytest.raises(ValueError, match="no usable modified or fetched_at"):
        version_label({"id": "x", "modified": "yesterday"})
    assert version_key("gen", "0123456789abcdef", "20250115T090000Z").startswith("versions/site=gen/")
    later = record("x", fetched_at="2025-03-02T00:00:00+00:00")
    assert is_newer_fetch(later, record("x")) and not is_newer_fetch(record("x"), later)


def test_write_records_counts_outcomes(tmp_path: Path) -> None:
    site: Any = parse_site(tmp_path / "gen.toml", __import__("tomllib").loads(site_toml("http://gen.example/")))
    window = parse_window("2025-01-14T23:00:00+00:00", "2025-01-15T23:00:00+00:00")
    store = LocalStore(tmp_path / "archive")
    counts: Counter[str] = Counter()
    keys_, index_keys = write_records(site, window, [record("one")], store, outcomes=counts)
    write_records(site, window, [record("one")], store, outcomes=counts)
    write_records(site, window, [record("two", modified="2025-01-15T18:00:00+01:00")], store, outcomes=counts)
    assert counts == Counter({"versions.new": 1, "versions.unchanged": 1, "versions.updated": 1})
    assert keys_ == [KEY] and len(index_keys) == 1


def test_silent_edits_keep_every_version(tmp_path: Path) -> None:
    """Two silent edits in a row (the text changes, the page's modified time does not): each replaced text is
    kept, under labels that share the modified time and differ by text digest, and a rerun duplicates nothing."""
    store = LocalStore(tmp_path)
    first = record("first text", fetched_at="2025-03-01T08:00:00+00:00")
    second = record("second text", fetched_at="2025-03-02T08:00:00+00:00")
    third = record("third text", fetched_at="2025-03-03T08:00:00+00:00")
    for version in (first, second, third):
        write_article(store, KEY, version)
    kept = sorted(store.list("versions/"))
    by_text = {json.loads(store.get(k))["text"]: k for k in kept}
    assert sorted(by_text) == ["first text", "second text"] and len(kept) == 2
    for text, version in (("first text", first), ("second text", second)):
        label = f"20250115T090000Z-{version.text_sha256[:12]}"
        assert by_text[text] == f"versions/site=gen/0123456789abcdef/{label}.json"
    assert json.loads(store.get(KEY))["text"] == "third text"
    write_article(store, KEY, third)
    write_article(store, KEY, second)  # an older fetch arriving late: kept aside once, under its own key
    assert sorted(store.list("versions/")) == kept
