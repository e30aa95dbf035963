"""What a run indexes (and bundles) is what the article object holds, even when an older copy arrives late."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from extract import ArticleRecord, RawRef
from newsarchive.archive.bundles import read_bundle
from newsarchive.archive.keys import bundle_key_for
from newsarchive.archive.local import LocalStore
from newsarchive.archive.reader import Archive
from newsarchive.demosite.generated.config import site_toml
from newsarchive.instants import parse_window
from newsarchive.pipeline.extract_stage import write_records
from newsarchive.pipeline.sites import parse_site

FIRST = parse_window("2025-01-14T23:00:00+00:00", "2025-01-15T23:00:00+00:00")
LATER = parse_window("2025-01-15T23:00:00+00:00", "2025-01-16T23:00:00+00:00")


def record(text: str, modified: str | None, fetched_at: str, n: int = 1) -> ArticleRecord:
    url = f"http://gen.example/world/2025/01/15/a-{n}"
    return ArticleRecord(id=f"0123456789abcde{n}", url=url, canonical_url=url, site="gen", title=f"A {modified}",
                         text=text, published="2025-01-15T09:00:00+01:00", modified=modified, fetched_at=fetched_at,
                         raw=RawRef(warc_key="raw/site=gen/date=2025-01-14/x.warc.gz", offset=0))


@pytest.mark.parametrize(("late_text", "outcome"), [("OLD text", "superseded"), ("NEW text", "unchanged")])
def test_a_late_older_copy_is_indexed_as_the_kept_record(tmp_path: Path, late_text: str, outcome: str) -> None:
    """Run 2 fetches later but gets an older copy (a stale CDN cache): the object keeps run 1's record, and
    so must run 2's index row and bundle row, since run 2's row wins the readers' merge (latest fetch)."""
    site = parse_site(tmp_path / "gen.toml", tomllib.loads(site_toml("http://gen.example/")))
    store = LocalStore(tmp_path / "archive")
    counts: Counter[str] = Counter()
    newer = record("NEW text", "2025-01-16T10:00:00+01:00", "2025-03-01T08:00:00+00:00")
    write_records(site, FIRST, [newer], store, outcomes=counts)
    late = record(late_text, "2025-01-15T10:00:00+01:00", "2025-03-02T08:00:00+00:00")
    _, index_keys = write_records(site, LATER, [late, record("other", None, "2025-03-02T08:00:00+00:00", n=2)],
                                  store, outcomes=counts)
    assert counts[f"versions.{outcome}"] == 1
    stored = store.get(f"articles/site=gen/date=2025-01-15/{newer.id}.json").decode()
    assert stored == newer.to_json()
    assert read_bundle(store, bundle_key_for(index_keys[0]))[newer.id].record == stored
    bulk, single = list(Archive(store).articles()), list(Archive(store, bundles=False).articles())
    assert bulk == single
    assert (bulk[0]["text"], bulk[0]["modified"]) == ("NEW text", "2025-01-16T10:00:00+01:00")
    row = Archive(store).index().to_pylist()[0]
    assert (row["title"], row["fetched_at"]) == (newer.title, newer.fetched_at)
