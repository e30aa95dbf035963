"""Merging index rows of several files into one row per article, selecting and counting them.

The same article can sit in several index files (overlapping windows, reruns, a window written into a
month after it was compacted). ``merge_latest`` keeps one row per id: the latest ``fetched_at``, then a
window's file over a compacted month, then the later window, then the later key. Readers, compaction and
the DuckDB queries of docs/analysts.md all apply this rule, so they agree on which copy is the article.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pyarrow as pa

from newsarchive.archive.errors import InvalidKey
from newsarchive.archive.index import INDEX_SCHEMA, conform
from newsarchive.archive.keys import parse_article_key, parse_compacted_key, parse_index_key
from newsarchive.archive.query import Query
from newsarchive.instants import instant_or_none

_EPOCH = datetime(1, 1, 1, tzinfo=UTC)

STATS_SCHEMA = pa.schema(
    [
        pa.field("site", pa.string(), nullable=False),
        pa.field("date", pa.date32(), nullable=False),
        pa.field("language", pa.string()),
        pa.field("articles", pa.int64(), nullable=False),
        pa.field("words", pa.int64(), nullable=False),
    ]
)


def _instant(value: str | None) -> datetime:
    moment = instant_or_none(value)
    return moment if moment is not None else _EPOCH


def merge_latest(files: list[tuple[str, pa.Table]]) -> tuple[pa.Table, list[str]]:
    """One row per id over several index files, and the index key each row came from: the latest
    ``fetched_at`` wins; on a tie, a window's file wins over a compacted month (a window written after the
    compaction, a rerun say, is the newer word), then the file of the later window (end, then start), then
    the later key. Row order of the result is unspecified."""
    if not files:
        return INDEX_SCHEMA.empty_table(), []
    # Rank files by window so a tie on fetched_at goes to the later crawl, whatever the key order.
    ranked = sorted(range(len(files)), key=lambda n: _window_rank(files[n][0]))
    rank_of = {position: rank for rank, position in enumerate(ranked)}
    tables = [conform(table, f"index {key!r}") for key, table in files]
    best: dict[str, tuple[datetime, int, int]] = {}
    origin: list[str] = []
    for position, table in enumerate(tables):
        ids = table.column("id").to_pylist()
        fetched = table.column("fetched_at").to_pylist()
        for row_id, fetched_at in zip(ids, fetched, strict=True):
            candidate = (_instant(fetched_at), rank_of[position], len(origin))
            if row_id not in best or candidate[:2] >= best[row_id][:2]:
                best[row_id] = candidate
            origin.append(files[position][0])
    rows = sorted(entry[2] for entry in best.values())
    merged = pa.concat_tables(tables).take(pa.array(rows, type=pa.int64()))
    return merged, [origin[row] for row in rows]


def _window_rank(key: str) -> tuple[int, datetime, datetime, str]:
    try:
        parse_compacted_key(key)
    except InvalidKey:
        parts = parse_index_key(key)
        return 1, parts.end, parts.start, key
    return 0, _EPOCH, _EPOCH, key  # a compacted month's rows were each the latest of their month already


def select_positions(table: pa.Table, query: Query) -> list[int]:
    """Positions of the rows of a merged index matching ``query``'s instants, languages and access, by
    published instant then id. Sites are not re-checked: the keys read were chosen per site already."""
    published = table.column("published").to_pylist()
    languages = table.column("language").to_pylist()
    accesses = table.column("access").to_pylist()
    ids = table.column("id").to_pylist()
    keep: list[tuple[bool, datetime, str, int]] = []
    for row, (value, language, access, row_id) in enumerate(zip(published, languages, accesses, ids, strict=True)):
        instant = instant_or_none(value)
        if query.instant_matches(instant) and query.language_matches(language) and query.access_matches(access):
            keep.append((instant is None, instant or _EPOCH, row_id, row))
    keep.sort()
    return [entry[3] for entry in keep]


def count_rows(index: pa.Table) -> pa.Table:
    """Articles and words per (site, date, language) of an index table (STATS_SCHEMA)."""
    articles: Counter[tuple[str, date, str | None]] = Counter()
    words: Counter[tuple[str, date, str | None]] = Counter()
    names = ("site", "published_date", "language", "word_count", "key")
    columns = (index.column(name).to_pylist() for name in names)
    for site, day, language, word_count, key in zip(*columns, strict=True):
        # published_date is nullable in the schema; the article key always carries the partition date.
        group = (site, day if day is not None else parse_article_key(key).published_date, language)
        articles[group] += 1
        words[group] += word_count or 0
    order = sorted(articles, key=lambda g: (g[0], g[1], g[2] is None, g[2] or ""))
    return pa.table(
        {
            "site": [g[0] for g in order],
            "date": [g[1] for g in order],
            "language": [g[2] for g in order],
            "articles": [articles[g] for g in order],
            "words": [words[g] for g in order],
        },
        schema=STATS_SCHEMA,
    )
