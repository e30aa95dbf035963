"""Writers for `newsarchive pull`: article records (stored JSON dicts) as JSON Lines, Parquet or CSV.

All three write to a binary stream. JSONL keeps each record exactly as stored (keys sorted). Parquet
and CSV use a fixed column order (``ARTICLE_COLUMNS``, the schema's fields with the text last) and
ignore fields a later schema version may add. CSV flattens: lists joined with ``"; "``, ``raw`` split
into ``raw_warc_key``/``raw_offset``, ``extractor``/``dropped`` as JSON; values with newlines (the
text) are quoted per RFC 4180, so any CSV reader gets them back intact.
"""

from __future__ import annotations

import csv
import io
import json
from typing import IO, Any, Protocol

import pyarrow as pa

FORMATS = ("jsonl", "parquet", "csv")
# Output file suffixes that imply a format when --format is not given.
SUFFIX_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".csv": "csv"}
LIST_SEPARATOR = "; "
PARQUET_BATCH_ROWS = 1000

ARTICLE_COLUMNS = (
    "id", "site", "published", "modified", "language", "language_confidence", "language_source",
    "title", "authors", "section", "tags", "description", "url", "canonical_url", "image", "site_name",
    "word_count", "text_sha256", "fetched_at", "raw", "extractor", "dropped", "access", "schema_version", "text",
)  # fmt: skip

ARTICLE_ARROW_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("site", pa.string(), nullable=False),
        pa.field("published", pa.string()),
        pa.field("modified", pa.string()),
        pa.field("language", pa.string()),
        pa.field("language_confidence", pa.float64()),
        pa.field("language_source", pa.string()),
        pa.field("title", pa.string()),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("section", pa.string()),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("description", pa.string()),
        pa.field("url", pa.string()),
        pa.field("canonical_url", pa.string()),
        pa.field("image", pa.string()),
        pa.field("site_name", pa.string()),
        pa.field("word_count", pa.int32()),
        pa.field("text_sha256", pa.string()),
        pa.field("fetched_at", pa.string()),
        pa.field("raw", pa.struct([pa.field("warc_key", pa.string()), pa.field("offset", pa.int64())])),
        pa.field("extractor", pa.map_(pa.string(), pa.string())),
        pa.field("dropped", pa.map_(pa.string(), pa.int64())),
        pa.field("access", pa.string()),
        pa.field("schema_version", pa.int32()),
        pa.field("text", pa.string()),
    ]
)
_LIST_FIELDS = ("authors", "tags")
_JSON_FIELDS = ("extractor", "dropped")
CSV_COLUMNS = tuple(
    part for name in ARTICLE_COLUMNS for part in (("raw_warc_key", "raw_offset") if name == "raw" else (name,))
)
# `pull --versions` adds these after the record's fields: the version label (null for the latest record)
# and whether the row is the article's latest record.
VERSION_COLUMNS = ("version", "latest")
VERSION_ARROW_FIELDS = (pa.field("version", pa.string()), pa.field("latest", pa.bool_()))


class ExportError(ValueError):
    """A record that cannot be written in the chosen format (the message names the record and field)."""


class RecordWriter(Protocol):
    """Writes records one by one; ``close`` finishes the output (never closes the underlying stream)."""

    def write(self, record: dict[str, Any]) -> None:
        """Append one record."""
        ...

    def close(self) -> None:
        """Flush what is buffered and write any footer."""
        ...


class JsonlWriter:
    """One JSON object per line, UTF-8, keys sorted (the stored record unchanged; ``version`` and ``latest``
    are among its keys when the pull asked for versions)."""

    def __init__(self, stream: IO[bytes], versions: bool = False) -> None:
        self.stream = stream

    def write(self, record: dict[str, Any]) -> None:
        """Append one record as a line."""
        line = json.dumps(record, ensure_ascii=False, sort_keys=True)
        self.stream.write(line.encode("utf-8") + b"\n")

    def close(self) -> None:
        """Flush the stream."""
        self.stream.flush()


def _csv_cell(record: dict[str, Any], name: str) -> Any:
    value = record.get(name)
    if value is None:
        return ""
    if name in _LIST_FIELDS:
        return LIST_SEPARATOR.join(str(item) for item in value)
    if name in _JSON_FIELDS:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


class CsvWriter:
    """RFC 4180 CSV (``\\r\\n`` rows, minimal quoting) with a header row of ``CSV_COLUMNS``
    (and ``VERSION_COLUMNS`` when ``versions``)."""

    def __init__(self, stream: IO[bytes], versions: bool = False) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.writer(self.text)
        self.extra = VERSION_COLUMNS if versions else ()
        self.writer.writerow(CSV_COLUMNS + self.extra)

    def write(self, record: dict[str, Any]) -> None:
        """Append one flattened row."""
        value = record.get("raw")
        raw: dict[str, Any] = value if isinstance(value, dict) else {}
        row = []
        for name in ARTICLE_COLUMNS:
            if name == "raw":
                row += [raw.get("warc_key", ""), raw.get("offset", "")]
            else:
                row.append(_csv_cell(record, name))
        row += [_csv_cell(record, name) for name in self.extra]
        self.writer.writerow(row)

    def close(self) -> None:
        """Flush, and let go of the byte stream without closing it."""
        self.text.flush()
        self.text.detach()


class ParquetWriter:
    """A Parquet file in ``ARTICLE_ARROW_SCHEMA`` (plus ``version``, ``latest`` when ``versions``), zstd,
    written in row groups of PARQUET_BATCH_ROWS."""

    def __init__(self, stream: IO[bytes], versions: bool = False) -> None:
        import pyarrow.parquet as pq

        self.schema = pa.schema([*ARTICLE_ARROW_SCHEMA, *VERSION_ARROW_FIELDS]) if versions else ARTICLE_ARROW_SCHEMA
        self.writer = pq.ParquetWriter(stream, self.schema, compression="zstd")
        self.rows: list[dict[str, Any]] = []

    def write(self, record: dict[str, Any]) -> None:
        """Buffer one record; a full batch becomes a row group."""
        self.rows.append(record)
        if len(self.rows) >= PARQUET_BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        try:
            table = pa.Table.from_pylist(self.rows, schema=self.schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            ids = [row.get("id") for row in self.rows]
            raise ExportError(f"records {ids[0]}..{ids[-1]} do not fit the Parquet schema: {exc}") from exc
        self.writer.write_table(table)
        self.rows = []

    def close(self) -> None:
        """Write the last batch and the footer."""
        if self.rows:
            self._flush()
        self.writer.close()


def open_writer(fmt: str, stream: IO[bytes], versions: bool = False) -> RecordWriter:
    """A writer for ``fmt`` (one of FORMATS) over a binary stream (``versions``: with VERSION_COLUMNS)."""
    writers: dict[str, type[JsonlWriter] | type[CsvWriter] | type[ParquetWriter]] = {
        "jsonl": JsonlWriter, "csv": CsvWriter, "parquet": ParquetWriter,
    }  # fmt: skip
    if fmt not in writers:
        raise ExportError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    return writers[fmt](stream, versions)
