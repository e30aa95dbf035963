"""An article updated on the site after it was archived: a rerun of its window fetches it (and only it)
again, the archive keeps the previous version under versions/, and the article key holds the new text.
Against an S3 API server (moto_server), so the versions layout is exercised on S3 too."""

from __future__ import annotations

import html
import json
from typing import Any

from extract import article_id
from newsarchive.archive import keys
from newsarchive.archive.warc import read_response_at
from newsarchive.demosite.generated import truth
from newsarchive.demosite.generated.corpus import UPDATABLE_DAY
from newsarchive.pipeline.versions import version_key


def test_updated_article_gets_a_second_version(s3_runner: Any, tmp_path: Any) -> None:
    site, store = s3_runner.site, s3_runner.store()
    window = s3_runner.window(UPDATABLE_DAY)
    original = truth.updated(0)
    url = truth.url(original, site.url)
    key = keys.article_key("gen", original.day, article_id(url))

    first = s3_runner.run(window)
    assert key in first.extract["article_keys"]
    stored = json.loads(store.get(key))
    assert stored["text"] == original.text and not list(store.list("versions/"))

    revised = site.update_article()
    assert revised.modified > original.modified and revised.text != original.text
    second = s3_runner.run(window)
    assert [s3_runner.request_path(p) for p in second.article_requests()] == [original.path]
    assert second.crawl["counts"]["incremental"]["refetched"] == 1
    assert second.crawl["counts"]["incremental"]["already_archived"] == len(first.extract["article_keys"]) - 1

    latest = json.loads(store.get(key))
    assert latest["text"] == revised.text and latest["modified"] == revised.modified.isoformat()
    old_key = version_key("gen", article_id(url), stored_label(stored))
    assert sorted(store.list("versions/")) == [old_key]
    kept = json.loads(store.get(old_key))
    assert kept == stored  # the previous version, byte for byte as it was
    # Its raw reference still points at its own response: the rerun appended to the window's WARC.
    warc = tmp_path / "window.warc.gz"
    store.download(kept["raw"]["warc_key"], warc)
    with warc.open("rb") as stream:
        old_response = read_response_at(stream, kept["raw"]["offset"])
    page = html.unescape(old_response.body.decode("utf-8"))
    assert old_response.target_uri.startswith(url) and original.paragraphs[0] in page
    assert revised.paragraphs[0] not in page
    assert sorted(second.extract["article_keys"]) == sorted(first.extract["article_keys"])


def stored_label(record: dict[str, Any]) -> str:
    """The version label: the replaced record's modified instant in UTC, then the start of its text digest."""
    from datetime import UTC, datetime

    stamp = datetime.fromisoformat(record["modified"]).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{record['text_sha256'][:12]}"
