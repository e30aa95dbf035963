"""Every hostile case of newsarchive.demosite.hostile through crawl + extract + check: a reason count and a log line
for each
bad one, the exact text for each good one beside them, nothing requested that must not be, nothing corrupt stored.

One pipeline run (the session fixture ``hostile_run``) serves every test here.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.archive import keys
from newsarchive.demosite import hostile
from newsarchive.demosite import hostile_pages as hp
from spiders.settings import RETRY_TIMES
from spiders.urls import canonicalize_url

# Cases whose expectation the code does not meet yet: strict, so a fix shows up as XPASS and this list shrinks.
KNOWN_BUGS: dict[str, str] = {}
GOOD_SLUGS = {c.good for c in hostile.CASES if c.expect == "archived" and c.good}
# Log wording per crawl error reason where the message does not spell the reason itself.
LOG_WORDS = {"not_html": "not HTML", "empty": "empty body"}


def _case_url(run: Any, case: hostile.HostileCase) -> str:
    base = run.site.url.rstrip("/")
    return canonicalize_url(base + (case.href or case.path))


def _records_by_title(run: Any) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for key in run.keys:
        if key.startswith("articles/"):
            record = json.loads(run.store.get(key))
            found.setdefault(record["title"], []).append(record)
    return found


def _has_log_evidence(run: Any, case: hostile.HostileCase) -> bool:
    stage, _, rest = case.expect.partition(".")
    lines = run.run.logs
    if stage == "extract":
        reason = rest.removeprefix("rejected.")
        return any(f"rejected {_case_url(run, case)}: {reason}" in line for line in lines)
    group, _, reason = rest.partition(".")
    if group in ("skipped", "fetched"):
        # Skips are too many to log one by one (thousands of stale sitemap entries): the summary counts them.
        return any(f"{group}:" in line and f"{reason}=" in line for line in lines)
    word = LOG_WORDS.get(reason, reason)
    # A redirect is logged under the URL where the chain stopped.
    where = "/hostile/redirect/" if case.kind == "redirect" else _case_url(run, case)
    return any(where in line and word in line for line in lines)


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda c: c.path[:64])
def test_case(case: hostile.HostileCase, hostile_run: Any, request: pytest.FixtureRequest) -> None:
    if case.path in KNOWN_BUGS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case.path]))
    if case.expect == "archived":
        assert case.good is not None
        article = hp.GOOD_BY_SLUG[case.good]
        records = _records_by_title(hostile_run).get(article.title, [])
        assert len(records) == 1, f"{case.path}: {len(records)} records titled {article.title!r}"
        lines = records[0]["text"].split("\n")
        for paragraph in article.paragraphs:
            assert paragraph in lines, (case.path, paragraph, lines)
        assert records[0]["language"] == article.lang
        assert records[0]["published"] == article.published
        return
    assert hostile_run.count(case.expect) >= 1, (case.expect, hostile_run.report["crawl"], hostile_run.extract_counts)
    if case.role != "hop":
        assert _has_log_evidence(hostile_run, case), f"no log line shows {case.expect} for {case.path}"


def test_reason_totals_cover_every_case(hostile_run: Any) -> None:
    expected = Counter(c.expect for c in hostile.CASES if c.expect != "archived" and c.role != "hop")
    short = {e: (hostile_run.count(e), n) for e, n in expected.items() if hostile_run.count(e) < n}
    assert not short, f"report counts below the number of cases (got, cases): {short}"
    assert len(hostile.CASES) >= 30


def test_only_the_good_articles_are_archived(hostile_run: Any) -> None:
    found = _records_by_title(hostile_run)
    titles = {hp.GOOD_BY_SLUG[s].title for s in GOOD_SLUGS}
    lost = {hp.GOOD_BY_SLUG[s].title for s in GOOD_SLUGS
            if any(c.good == s and c.path in KNOWN_BUGS for c in hostile.CASES)}
    assert set(found) == titles - lost, "archived titles differ from the good articles"
    assert all(len(v) == 1 for v in found.values()), "an article was archived twice"
    report = hostile_run.report
    assert report["status"] == "ok"
    assert report["articles"] == len(found) == hostile_run.extract_counts["articles"]
    assert sorted(report["article_keys"]) == [k for k in hostile_run.keys if k.startswith("articles/")]


def test_nothing_is_requested_that_must_not_be(hostile_run: Any) -> None:
    paths = [r.path for r in hostile_run.requests]
    forbidden = ("/hostile/beacon/", "/hostile/stale/", "/hostile/stale-sitemaps/", "/hostile/a/",
                 "/hostile/dot-segments/", "/hostile/lol/", "/hostile/xxe/")
    assert not [p for p in paths if p.startswith(forbidden)], "an XXE/SSRF beacon, stale entry or bad link was fetched"
    assert not [p for p in paths if any(s in p for s in ("javascript:", "mailto:", "data:", "tel:"))]
    # A redirect chain stops at the spider's limit; a looping sitemap index is read once per URL.
    assert "/hostile/redirect/chain-7.html" not in paths
    assert paths.count("/hostile/sitemap/index-loop.xml") == 1
    # Retries are bounded (Twisted may add one silent retry per attempt on a dropped keep-alive connection).
    most = Counter(paths).most_common(1)[0]
    assert most[1] <= 2 * (RETRY_TIMES + 1), most
    # A Retry-After of hours or a stalled server does not hold the crawl: it ends in well under two minutes.
    assert hostile_run.run.seconds["crawl"] < 120, hostile_run.run.seconds
    # Every request went to the site's own origin: no other port of its host (:2375), no https on its http port.
    origin = hostile_run.site.url.rstrip("/")
    requested = [r.rec_headers.get_header("WARC-Target-URI") for key in hostile_run.keys if key.endswith(".warc.gz")
                 for r in ArchiveIterator(io.BytesIO(hostile_run.store.get(key))) if r.rec_type == "request"]
    assert requested and [u for u in requested if not u.startswith(origin + "/")] == []


def test_no_local_file_or_bomb_reaches_the_archive(hostile_run: Any) -> None:
    from tests.reliability.harness import read_all

    secret_line = next(line for line in Path(hp.XXE_FILE).read_text(encoding="utf-8").splitlines() if line.strip())
    objects = read_all(hostile_run.store)
    assert objects
    for obj in objects:
        assert secret_line.strip().encode() not in obj.data, f"{hp.XXE_FILE} content leaked into {obj.key}"
        assert obj.claimed_sha256 == obj.actual_sha256, f"{obj.key}: sha256 metadata does not match its bytes"
    warc = next(o for o in objects if o.key.endswith(".warc.gz"))
    # Bombs are stored as received (compressed): the WARC stays small.
    assert len(warc.data) < 8 * hp.BOMB_INFLATED_BYTES // 64, len(warc.data)


def test_keys_are_built_from_sanitised_parts_only(hostile_run: Any) -> None:
    prefixes = ("raw/site=hostile/", "articles/site=hostile/", "index/site=hostile/", "bundles/site=hostile/",
                "reports/site=hostile/", "sitewide/site=hostile/")
    for key in hostile_run.keys:
        assert key.startswith(prefixes), key
        assert ".." not in key and "%" not in key and "\\" not in key, key
        if key.startswith("articles/"):
            assert keys.parse_article_key(key).site == "hostile"
        elif key.startswith("index/"):
            keys.parse_index_key(key)
        elif key.startswith("bundles/"):
            keys.parse_bundle_key(key)
        elif key.startswith("reports/"):
            keys.parse_report_key(key)
        elif key.startswith("sitewide/"):  # the site-level pass's line statistics of the window
            keys.parse_window_label(key.removeprefix("sitewide/site=hostile/").removesuffix(".json"))
        elif key.endswith(".warc.gz"):
            keys.parse_raw_warc_key(key)
        else:
            keys.parse_raw_warc_key(key.removesuffix(".crawl.json") + ".warc.gz")


def test_extract_never_inflates_a_bomb(hostile_run: Any) -> None:
    """The WARC keeps bombs as received; extract reads at most max_response_bytes of any decoded body."""
    bombs = [c for c in hostile.CASES if c.kind == "bomb" and c.role == "article"]
    assert len(bombs) == 4
    for case in bombs:
        url = _case_url(hostile_run, case)
        assert any(f"rejected {url}: too_large" in line for line in hostile_run.run.logs), url
    assert hostile_run.count("extract.rejected.too_large") >= len(bombs)


def test_report_legend_explains_every_rejection_reason(hostile_run: Any) -> None:
    """One registry (extract.REJECTION_REASONS) names every reason the stage counts; the report explains them."""
    from extract import is_rejection_reason

    counted = {k.removeprefix("rejected.") for k in hostile_run.extract_counts if k.startswith("rejected.")}
    assert {"not_html", "too_large", "too_complex", "too_slow"} <= counted
    assert all(is_rejection_reason(reason) for reason in counted), counted
    assert set(hostile_run.report["extract"]["legend"]) == counted
    assert all(hostile_run.report["extract"]["legend"].values())


def test_reextract_of_the_hostile_window_succeeds_with_the_same_articles(hostile_run: Any) -> None:
    """Re-extraction reads the same WARC through the same workers: the pages that used to stop the extract stage
    (a lone surrogate, 100,000-level JSON-LD) stopped every retry too; now it rebuilds the same articles."""
    from newsarchive.pipeline import stages

    before = {k: json.loads(hostile_run.store.get(k))["text_sha256"] for k in hostile_run.keys
              if k.startswith("articles/")}
    window = hostile_run.report["window"]
    from tests.reliability.harness import window_of

    summary = stages.reextract("hostile", window_of(window["start"], window["end"]), url=hostile_run.store.url)
    after = {k: json.loads(hostile_run.store.get(k))["text_sha256"] for k in hostile_run.store.list("articles/")}
    assert summary.articles == len(before)
    assert after == before
