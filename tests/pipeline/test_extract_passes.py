"""The extract stage's two passes (records spilled to disk, written one publication day at a time) write the
same archive, byte for byte, as the whole window held at once: the reference below extracts the same WARCs,
keeps every record in memory and runs the site-level pass and the writes over the whole list.

The soup site is crawled twice per window (two WARCs: the latest fetch wins across them), over two windows
(the second learns from the first's site statistics), each spread over several publication days."""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from pathlib import Path

import pytest

from newsarchive.archive.store import open_store
from newsarchive.demosite.soup.config import write_site_config
from newsarchive.demosite.soup.server import serve_soup
from newsarchive.instants import Window, parse_window
from newsarchive.pipeline import stages
from newsarchive.pipeline.extract_sitewide import apply_sitewide_pass
from newsarchive.pipeline.extract_spill import Spill, latest_fetches, read_window_warcs
from newsarchive.pipeline.extract_write import write_records
from newsarchive.pipeline.scratch import scratch_dir

WINDOWS = [parse_window("2024-12-01", "2024-12-08"), parse_window("2024-12-08", "2024-12-15")]


def reference_extract(site_id: str, window: Window, url: str) -> list[str]:
    """The window extracted with every record in memory at once; the article keys written."""
    site, store, counts = stages.get_site(site_id), open_store(url), Counter[str]()
    with scratch_dir(f"extract-{site_id}-") as tmp, Spill(tmp / "records") as spill:
        warcs = read_window_warcs(site, window, store, None, counts, tmp, spill)
        per_warc = [[spill.read_with_validators(entry) for entry in found] for found in warcs.per_warc]
    assert not warcs.rechecked  # no updates of archived articles in this world
    validators = {(r.raw.warc_key, r.raw.offset): v for found in per_warc for r, v in found if r.raw and v}
    assert validators  # the soup site sends validators: the index rows must carry them either way
    fetches = latest_fetches([[record for record, _ in found] for found in per_warc], counts)
    records = apply_sitewide_pass(site.id, window, fetches, store)
    article_keys, _ = write_records(site, window, records, store, outcomes=counts, validators=validators)
    return article_keys


def objects(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("writers", ["task process", "write workers"])
def test_two_passes_write_what_the_whole_window_in_memory_writes(writers: str, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    # The second pass's days written in the task process, or by two write workers (any window size).
    monkeypatch.setenv("NEWSARCHIVE_EXTRACT_WORKERS", "2")
    monkeypatch.setenv("NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES", "0" if writers == "write workers" else "1000000")
    site = serve_soup()
    try:
        write_site_config(tmp_path / "sites", site.url)
        monkeypatch.setenv("NEWSARCHIVE_SITES_DIR", str(tmp_path / "sites"))
        monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))
        crawled = tmp_path / "crawled"
        for window in WINDOWS:
            for _ in range(2):
                stages.crawl("soup", window, url=crawled.as_uri())
    finally:
        site.stop()
    shutil.copytree(crawled, tmp_path / "passes")
    shutil.copytree(crawled, tmp_path / "reference")
    for window in WINDOWS:
        with caplog.at_level(logging.INFO, logger="newsarchive.extract"):
            result = stages.extract("soup", window, None, url=(tmp_path / "passes").as_uri())
        assert ("with 2 write workers" in caplog.text) == (writers == "write workers")
        expected = reference_extract("soup", window, (tmp_path / "reference").as_uri())
        assert list(result.article_keys) == expected
        assert result.counts.warcs == 2 and result.counts.duplicate.get("same_canonical_url", 0) > 0
    days = {key.split("/")[2] for key in expected}
    assert len(days) > 1  # several partitions: the second pass's grouping is exercised
    assert objects(tmp_path / "passes") == objects(tmp_path / "reference")
