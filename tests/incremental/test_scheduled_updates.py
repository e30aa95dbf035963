"""The scheduled run catches updates, and revisits find silent edits (issue 14, items 1 and 2).

On the generated site: a week is archived (13-19 January 2025), then the site changes on 20 January at
10:00: three articles of 14-16 January are updated (new text, modified time, sitemap lastmod and ETag), one
of 17 January is only touched (lastmod bumped, same text and ETag), one of 19 January is edited silently
(new text and ETag, no lastmod). Only the scheduled daily window of 20 January is then run, through the
pipeline stages (crawl, extract, check), with ``revisit_after = ["1d", "7d"]``. Every changed article has
both versions; every unchanged one that was re-checked got a 304 (the site's access log) and left a WARC
revisit record, and nothing was written for it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from extract import article_id
from newsarchive.archive import keys, open_archive
from newsarchive.demosite.generated import GeneratedSite, serve_generated, truth
from newsarchive.demosite.generated.corpus import TZ, GenArticle
from newsarchive.demosite.generated.edits import etag
from newsarchive.instants import Window
from newsarchive.pipeline.versions import list_versions

from .conftest import Run, Runner, configure, paris_window, request_path

WEEK = date(2025, 1, 13)  # archived first: 13-19 January
CHANGE_DAY = date(2025, 1, 20)
CHANGED_AT = datetime.combine(CHANGE_DAY, time(10, 0), tzinfo=TZ)
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisions/server-not-modified"


def first_of(day: date, n: int = 0) -> GenArticle:
    """The n-th archivable article of a day (by publication)."""
    return sorted((a for a in truth.articles() if a.day == day), key=lambda a: a.published)[n]


@pytest.fixture(scope="module", params=["folder", "s3"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The archived week, the site's changes, the change day's scheduled run (with its report) and the next
    day's; on a local folder and on an S3 API server (moto_server)."""
    site = serve_generated("127.0.0.1", 0)
    tmp = tmp_path_factory.mktemp("scheduled")
    with pytest.MonkeyPatch.context() as monkeypatch:
        configure(monkeypatch, tmp, site, revisit_after=("1d", "7d"))
        archive_url = (tmp / "archive").as_uri()
        if request.param == "s3":
            server = request.getfixturevalue("s3_server")
            bucket = f"updates-{uuid.uuid4().hex[:12]}"
            server.client().create_bucket(Bucket=bucket)
            for key, value in server.env().items():
                monkeypatch.setenv(key, value)
            archive_url = f"s3://{bucket}/archive"
        monkeypatch.setenv("NEWSARCHIVE_URL", archive_url)
        runner = Runner(site, archive_url)
        week = runner.run(Window(paris_window(WEEK).start, paris_window(CHANGE_DAY).start), check=True)
        store = runner.store()
        before = {k: store.get(k) for k in store.list("articles/")}
        originals = {"updated": [first_of(WEEK + timedelta(days=d)) for d in (1, 2, 3)],
                     "touched": [first_of(date(2025, 1, 17))], "silent": [first_of(date(2025, 1, 19))]}
        edit_kinds = {"updated": "update", "touched": "touch", "silent": "silent"}
        edited = {name: site.edit(articles, CHANGED_AT, edit_kinds[name]) for name, articles in originals.items()}
        change = runner.run(paris_window(CHANGE_DAY), check=True)
        versions = sorted(store.list("versions/"))
        after = runner.run(paris_window(CHANGE_DAY + timedelta(days=1)), check=True)
        yield {"site": site, "runner": runner, "store": store, "week": week, "change": change, "before": before,
               "originals": originals, "edited": edited, "versions": versions, "after": after}
    site.stop()


def key_of(site: GeneratedSite, article: GenArticle) -> str:
    return keys.article_key("gen", article.day, article_id(truth.url(article, site.url)))


def statuses(run: Run) -> dict[str, list[int]]:
    """Article path -> statuses the site answered during the run."""
    found: dict[str, list[int]] = {}
    for r in run.requests:
        if r.path.count("/") >= 5 and not r.path.startswith("/archive/"):
            found.setdefault(request_path(r.path), []).append(r.status)
    return found


def revisit_targets() -> list[GenArticle]:
    """The archived articles aged 1 or 7 days on the change day (published 19 or 13 January)."""
    return [a for a in truth.articles() if a.day in (CHANGE_DAY - timedelta(days=1), CHANGE_DAY - timedelta(days=7))]


def test_changed_articles_have_both_versions(world: dict[str, Any]) -> None:
    site, store = world["site"], world["store"]
    changed = [*zip(world["originals"]["updated"], world["edited"]["updated"], strict=True),
               *zip(world["originals"]["silent"], world["edited"]["silent"], strict=True)]
    assert len(changed) == 4
    for original, edited in changed:
        key = key_of(site, original)
        latest = json.loads(store.get(key))
        assert latest["text"] == edited.text != original.text
        (old_key,) = list_versions(store, "gen", article_id(truth.url(original, site.url)))
        previous = json.loads(store.get(old_key))
        assert previous["text"] == original.text
        assert store.get(old_key) == world["before"][key]  # byte for byte what the week's run stored
    for original in world["originals"]["updated"]:
        latest = json.loads(store.get(key_of(site, original)))
        assert latest["modified"] == CHANGED_AT.isoformat() and latest["published"] == original.published.isoformat()


def test_unchanged_rechecked_articles_got_304s_and_nothing_was_written(world: dict[str, Any], tmp_path: Path) -> None:
    site, store, change = world["site"], world["store"], world["change"]
    answered = statuses(change)
    silent = world["originals"]["silent"][0]
    unchanged = [*world["originals"]["touched"], *(a for a in revisit_targets() if a.number != silent.number)]
    assert len(unchanged) >= 6
    for article in unchanged:
        assert answered.get(article.path) == [304], article.path
        key = key_of(site, article)
        assert store.get(key) == world["before"][key]  # not rewritten
        assert list_versions(store, "gen", article_id(truth.url(article, site.url))) == []
    for article in [*world["originals"]["updated"], silent]:
        assert answered.get(article.path) == [200], article.path
    # Nothing else archived was requested: the other articles of the week had no signal and no revisit age.
    new_today = {a.path for a in truth.articles() if a.day == CHANGE_DAY}
    rechecked = {a.path for a in [*unchanged, *world["originals"]["updated"], silent]}
    assert set(answered) == new_today | rechecked
    # The WARC keeps each 304 as a revisit record (server-not-modified) after a conditional request.
    warc = tmp_path / "change.warc.gz"
    store.download(change.crawl["warc_key"], warc)
    revisits, conditional = set(), set()
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream):
            uri = request_path(record.rec_headers.get_header("WARC-Target-URI") or "")
            if record.rec_type == "revisit":
                assert record.rec_headers.get_header("WARC-Profile") == NOT_MODIFIED_PROFILE
                assert record.http_headers.get_statuscode() == "304"
                assert record.rec_headers.get_header("WARC-Refers-To-Date")
                revisits.add(uri)
            elif record.rec_type == "request" and record.http_headers.get_header("If-None-Match"):
                conditional.add(uri)
    assert revisits == {a.path for a in unchanged}
    assert conditional == rechecked


def test_report_counts_updates_apart_from_new_articles(world: dict[str, Any]) -> None:
    change, site = world["change"], world["site"]
    report = change.report
    assert report is not None and report["status"] == "ok"
    new_today = [a for a in truth.articles() if a.day == CHANGE_DAY]
    unchanged_revisits = len(revisit_targets()) - 1
    assert report["updates"] == {"signalled": 4, "revisited": len(revisit_targets()),
                                 "not_modified": 1 + unchanged_revisits, "changed": 4, "new": len(new_today)}
    assert report["articles"] == len(new_today)  # the window's own articles; updates are not among them
    written = set(change.extract["article_keys"])
    changed = [*world["originals"]["updated"], *world["originals"]["silent"]]
    assert written == {key_of(site, a) for a in [*new_today, *changed]}  # what downstream DAGs are told
    incremental = change.crawl["counts"]["incremental"]
    assert incremental["conditional"] == incremental["refetched"] + incremental["revisited"]
    assert change.extract["counts"]["updates.not_modified"] == 1 + unchanged_revisits
    assert change.crawl["counts"]["fetched"]["not_modified"] == 1 + unchanged_revisits
    assert change.crawl["counts"]["errors"] == dict.fromkeys(change.crawl["counts"]["errors"], 0)


def test_updates_are_indexed_where_the_articles_live(world: dict[str, Any]) -> None:
    site, store = world["site"], world["store"]
    reader = open_archive(world["runner"].archive_url)
    for original, edited in zip(world["originals"]["updated"], world["edited"]["updated"], strict=True):
        start = datetime.combine(original.day, time(0), tzinfo=TZ)
        rows = reader.index(site="gen", start=start, end=start + timedelta(days=1)).to_pylist()
        (row,) = [r for r in rows if r["key"] == key_of(site, original)]
        assert row["published_date"] == original.day and row["modified"] == CHANGED_AT.isoformat()
        assert row["etag"] == etag(edited) and row["text_sha256"] == json.loads(store.get(row["key"]))["text_sha256"]
        (record,) = list(reader.fetch([row["key"]]))
        assert record["text"] == edited.text  # the reader's latest view holds the update, not the old text
    # The change day's window itself lists only its own articles.
    window = paris_window(CHANGE_DAY)
    day_rows = reader.index(site="gen", start=window.start, end=window.end).to_pylist()
    assert {r["published_date"] for r in day_rows} == {CHANGE_DAY}


def test_the_next_day_checks_each_change_no_more(world: dict[str, Any]) -> None:
    """The day after: the signals of the change day are not acted on again (a touch answered 304 once);
    the revisits by age (20 January at 1 day, 14 January at 7 days) send the ETags the change day indexed."""
    after, store = world["after"], world["store"]
    answered = statuses(after)
    updated_14 = world["originals"]["updated"][0]
    assert updated_14.day == CHANGE_DAY - timedelta(days=6)
    for article in [*world["originals"]["updated"][1:], *world["originals"]["touched"], *world["originals"]["silent"]]:
        assert article.path not in answered, article.path
    revisited = [a for a in truth.articles() if a.day in (CHANGE_DAY, CHANGE_DAY - timedelta(days=6))]
    assert all(answered.get(a.path) == [304] for a in revisited), answered
    assert after.report is not None and after.report["updates"]["signalled"] == 0
    assert after.report["updates"]["changed"] == 0 and after.report["updates"]["not_modified"] == len(revisited)
    assert sorted(store.list("versions/")) == world["versions"]
