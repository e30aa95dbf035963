"""The extract stage: read a window's WARC from the archive, extract articles, write records and the index."""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.scratch import scratch_dir
from pipeline.sites import SiteConfig
from pipeline.versions import is_newer_fetch, write_article
from pipeline.window import Window

log = logging.getLogger("newsarchive.extract")

HTML_TYPES = ("text/html", "application/xhtml+xml")
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class ExtractResult:
    """What the extract task hands on: keys written and counts by reason."""

    site: str
    article_keys: tuple[str, ...]  # written by this run (what downstream consumers are told about)
    index_keys: tuple[str, ...]
    counts: dict[str, Any] = field(default_factory=dict)
    # Every article of the window in the archive: this run's and those archived by earlier runs.
    window_article_keys: tuple[str, ...] = ()

    def to_xcom(self) -> dict[str, Any]:
        """A JSON-able dict for XCom."""
        return {"site": self.site, "article_keys": list(self.article_keys), "index_keys": list(self.index_keys),
                "counts": self.counts, "window_article_keys": list(self.window_article_keys)}


def published_instant(value: str, tz: ZoneInfo) -> datetime:
    """The instant of an ISO published value; a bare date means midnight in the site's timezone."""
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), dtime(), tzinfo=tz)
    instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return instant if instant.tzinfo else instant.replace(tzinfo=tz)


def inflates_beyond(body: bytes, limit: int) -> bool:
    """Whether a body that is itself gzip data (sent without Content-Encoding) inflates beyond limit bytes.

    The extractor undoes such gzip in one go; this bounds it first (a gzip bomb is a few KiB on the wire).
    """
    if not body.startswith(GZIP_MAGIC):
        return False
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        return False  # broken gzip: the extractor rejects it with its own reason
    return len(out) > limit


def _article_responses(warc_path: Path, counts: Counter[str], max_body_bytes: int) -> Iterator[Any]:
    """The WARC's responses that may be articles: role article, status 200, an HTML content type, and a body
    that stays within max_body_bytes once decoded (the spider's limit; compression bombs are refused)."""
    from archive.warc import iter_responses

    with warc_path.open("rb") as stream:
        for response in iter_responses(stream, max_body_bytes=max_body_bytes):
            if response.role not in (None, "article"):
                continue
            counts["responses"] += 1
            if 300 <= response.status < 400:
                counts["redirects"] += 1  # the spider followed it; the target is its own response
                continue
            if response.status != 200:
                counts[f"rejected.http_{response.status}"] += 1
                continue
            if response.content_type and response.content_type not in HTML_TYPES:
                counts["rejected.not_html"] += 1
                continue
            if response.body_truncated or inflates_beyond(response.body, max_body_bytes):
                counts["rejected.too_large"] += 1
                log.info("rejected %s: too_large (over %d bytes once decoded)", response.target_uri, max_body_bytes)
                continue
            yield response


def extract_records(site: SiteConfig, window: Window, warc_path: Path, warc_key: str,
                    counts: Counter[str]) -> list[Any]:
    """Extract every article of the window from a local WARC; count every other page by reason."""
    from extract import ExtractHints, RawRef, Rejected, extract_article

    tz = ZoneInfo(site.timezone)
    hints = ExtractHints(prune_xpaths=site.extraction.prune_xpaths, languages=site.languages,
                         timezone=site.timezone, min_words=site.extraction.min_words,
                         max_elements=site.extraction.max_elements)
    records: dict[str, Any] = {}
    for response in _article_responses(warc_path, counts, site.politeness.max_response_bytes):
        try:
            record = extract_article(
                response.body, response.target_uri, site=site.id, hints=hints, fetched_at=response.fetched_at,
                raw=RawRef(warc_key=warc_key, offset=response.offset),
                content_type=response.headers.get("content-type"),
            )
        except Rejected as exc:
            counts[f"rejected.{exc.reason}"] += 1
            log.info("rejected %s: %s (%s)", response.target_uri, exc.reason, exc)
            continue
        except Exception:  # an extractor bug on one hostile page must not lose the window's other articles
            counts["rejected.extractor_error"] += 1
            log.exception("rejected %s: extractor_error (extractor crashed; counted, run goes on)",
                          response.target_uri)
            continue
        if not record.published:
            counts["rejected.no_publication_date"] += 1
            continue
        try:
            published = published_instant(record.published, tz)
        except ValueError:
            counts["rejected.bad_publication_date"] += 1
            log.info("rejected %s: bad_publication_date %r", response.target_uri, record.published)
            continue
        if not window.contains(published):
            counts["out_of_window"] += 1
            continue
        if record.id in records:
            counts["duplicate.same_canonical_url"] += 1
            # A rerun appends to the window's WARC (pipeline.crawl): the latest fetch of an article wins.
            if not is_newer_fetch(record, records[record.id]):
                continue
        records[record.id] = record
    return _drop_duplicate_texts(list(records.values()), counts)


def _drop_duplicate_texts(records: list[Any], counts: Counter[str]) -> list[Any]:
    """Keep one record per identical text (syndicated copies under other URLs); first by id wins."""
    seen: set[str] = set()
    kept = []
    for record in sorted(records, key=lambda r: r.id):
        if record.text_sha256 in seen:
            counts["duplicate.same_text"] += 1
            continue
        seen.add(record.text_sha256)
        kept.append(record)
    return kept


HISTORY_WINDOWS = 10  # how many of the site's earlier windows' line statistics the site-level pass adds


def sitewide_key(site_id: str, window: Window) -> str:
    """Where a window's line statistics live: a pure function of site and window, so reruns overwrite."""
    from archive import keys

    return f"sitewide/site={keys.check_site(site_id)}/{keys.window_label(window.start, window.end)}.json"


def recent_line_stats(store: Any, site_id: str, window: Window) -> Any:
    """The line statistics of the site's last windows ending before this one starts (its recent pages)."""
    import json

    from archive import keys
    from extract.sitewide import LineStats

    earlier = []
    for key in store.list(f"sitewide/site={keys.check_site(site_id)}/"):
        start, end = keys.parse_window_label(key.rsplit("/", 1)[-1].removesuffix(".json"))
        if end <= window.start:
            earlier.append((end, start, key))
    stats = LineStats(0, {})
    for _, _, key in sorted(earlier)[-HISTORY_WINDOWS:]:
        stats = stats.merged(LineStats.from_json(json.loads(store.get(key))))
    return stats


def apply_sitewide_pass(site_id: str, window: Window, records: list[Any], store: Any) -> list[Any]:
    """Drop lines that recur across many pages of the site: this run's pages plus the recent windows' (site
    boilerplate the page rules missed); store this window's line statistics for the runs after it."""
    import json

    from extract.sitewide import cleaner_from_stats, line_stats

    run_stats = line_stats(r.text.split("\n") for r in records)  # records are distinct articles already
    store.put(sitewide_key(site_id, window), json.dumps(run_stats.to_json(), sort_keys=True).encode("utf-8"),
              content_type="application/json")
    cleaner = cleaner_from_stats(run_stats.merged(recent_line_stats(store, site_id, window)))
    cleaned = []
    for record in records:
        lines, dropped = cleaner.clean(record.text.split("\n"))
        if dropped:
            merged = Counter(record.dropped)
            merged.update(dropped)
            record = replace(record, text="\n".join(lines), dropped=dict(merged))
        cleaned.append(record)
    return cleaned


def drop_invalid(records: list[Any], counts: Counter[str]) -> list[Any]:
    """Keep the records that satisfy the published JSON Schema; count and log the others (an extractor bug)."""
    from archive.schema import InvalidArticle, validate_article

    valid = []
    for record in records:
        try:
            validate_article(record.to_dict())
        except InvalidArticle as exc:
            counts["rejected.invalid_record"] += 1
            log.error("record for %s breaks the article schema, not written: %s", record.url, exc)
            continue
        valid.append(record)
    return valid


def publication_date(record: Any, tz: ZoneInfo) -> date:
    """The `date=` partition: the publication date in the site's timezone."""
    return published_instant(record.published, tz).astimezone(tz).date()


def write_records(site: SiteConfig, window: Window, records: list[Any], store: Any,
                  outcomes: Counter[str] | None = None) -> tuple[list[str], list[str]]:
    """Write one JSON per article (through pipeline.versions: a changed text keeps the previous version
    under versions/) and, per publication date, a Parquet bundle of the records and then the Parquet
    index; return the article and index keys. ``outcomes`` counts
    the writes as versions.new / .unchanged / .updated / .superseded."""
    from archive import keys
    from archive.bundles import write_partition

    tz = ZoneInfo(site.timezone)
    article_keys: list[str] = []
    by_date: dict[date, tuple[list[dict[str, Any]], list[str]]] = {}
    for record in sorted(records, key=lambda r: (r.published, r.id)):
        day = publication_date(record, tz)
        key = keys.article_key(site.id, day, record.id)
        outcome = write_article(store, key, record)
        if outcomes is not None:
            outcomes[f"versions.{outcome.kind}"] += 1
        article_keys.append(key)
        stored, text = _stored_record(record, outcome)
        rows, texts = by_date.setdefault(day, ([], []))
        rows.append(index_row(stored, key, day))
        texts.append(text)
    index_keys = []
    for day, (rows, texts) in sorted(by_date.items()):
        key = keys.index_key(site.id, day, window.start, window.end)
        write_partition(store, key, rows, texts)  # the bundle, then the index
        index_keys.append(key)
    return article_keys, index_keys


def _stored_record(record: Any, outcome: Any) -> tuple[Any, str]:
    """The record now stored at the key and its JSON text: the incoming one, or the newer one that was kept
    (an older copy arriving late). The index row and the bundle must describe what the object holds, or
    readers would get the older text from the bundle and the newer one from the object."""
    from extract import ArticleRecord

    if not outcome.kept:
        return record, outcome.stored.decode("utf-8")  # the incoming record's own JSON, as written
    try:
        text = outcome.stored.decode("utf-8")
        return ArticleRecord.from_dict(json.loads(text)), text
    except (UnicodeDecodeError, ValueError, TypeError) as exc:
        log.warning("stored %s kept but not readable as a record (%s): indexing the incoming one", outcome.key, exc)
        return record, record.to_json()


def index_row(record: Any, key: str, day: date) -> dict[str, Any]:
    """One index row: the record's metadata without its text."""
    return {
        "id": record.id, "url": record.url, "canonical_url": record.canonical_url, "site": record.site,
        "title": record.title, "authors": list(record.authors), "published": record.published,
        "published_date": day, "language": record.language, "section": record.section,
        "tags": list(record.tags), "word_count": record.word_count, "text_sha256": record.text_sha256,
        "key": key, "fetched_at": record.fetched_at,
    }


def latest_fetches(per_warc: list[list[Any]], counts: Counter[str]) -> list[Any]:
    """One record per article from several WARCs of the window (one per crawl attempt): the latest fetch
    wins, as within one WARC; identical texts under other ids are then dropped across WARCs too."""
    if len(per_warc) == 1:
        return per_warc[0]
    records: dict[str, Any] = {}
    for record in (r for found in per_warc for r in found):
        if record.id in records:
            counts["duplicate.same_canonical_url"] += 1
            if not is_newer_fetch(record, records[record.id]):
                continue
        records[record.id] = record
    return _drop_duplicate_texts(list(records.values()), counts)


def extract_window(site: SiteConfig, window: Window, store: Any, warc_key: str | None = None) -> ExtractResult:
    """Extract a window's articles from every archived WARC of the window (no network: one per crawl attempt,
    ``warc_key``, the crawl just run, always among them) and write them to the archive."""
    from pipeline.raw import download_warcs, window_warc_keys

    started = time.monotonic()
    counts: Counter[str] = Counter()
    warc_keys = window_warc_keys(store, site.id, window)
    if warc_key is not None and warc_key not in warc_keys:
        warc_keys.append(warc_key)  # not listed (yet): it was uploaded, so it is read all the same
    with scratch_dir(f"extract-{site.id}-") as tmp:
        per_warc = [extract_records(site, window, path, key, counts)
                    for path, key in download_warcs(store, warc_keys, tmp)]
    counts["warcs"] = len(warc_keys)
    records = latest_fetches(per_warc, counts)
    records = apply_sitewide_pass(site.id, window, records, store)
    for record in records:
        counts.update({f"dropped_lines.{k}": v for k, v in record.dropped.items()})
        counts[f"language.{record.language or 'unknown'}"] += 1
    records = drop_invalid(records, counts)
    article_keys, index_keys = write_records(site, window, records, store, outcomes=counts)
    counts["articles"] = len(article_keys)
    in_window = window_article_keys(store, site, window, article_keys)
    counts["articles_in_window"] = len(in_window)
    counts["words"] = sum(r.word_count for r in records)
    log.info(
        "extract %s window %s done in %.1fs: %d responses, %d articles written, %s",
        site.id, window, time.monotonic() - started, counts["responses"], len(article_keys),
        {k: v for k, v in sorted(counts.items()) if k.startswith(("rejected", "duplicate", "out_of"))},
    )
    return ExtractResult(site=site.id, article_keys=tuple(article_keys), index_keys=tuple(index_keys),
                         counts=dict(sorted(counts.items())), window_article_keys=tuple(in_window))


def window_article_keys(store: Any, site: SiteConfig, window: Window, written: list[str]) -> list[str]:
    """The article keys of every article published in the window, whichever run archived it (from the index)."""
    from archive.reader import Archive

    table = Archive(store).index(site=site.id, start=window.start, end=window.end)
    return sorted(set(table.column("key").to_pylist()) | set(written))


def now_iso() -> str:
    """The current UTC instant (report metadata only, never in keys)."""
    return datetime.now(UTC).isoformat(timespec="seconds")
