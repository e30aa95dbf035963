"""`newsarchive pull` and `newsarchive stats`: outputs parsed back, errors, progress only on a terminal."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pyarrow.parquet as pq
import pytest

from newsarchive.pipeline.analyst_cli import add_commands, main
from newsarchive.pipeline.export import ARTICLE_COLUMNS, CSV_COLUMNS

ROOT = Path(__file__).resolve().parents[2]


def run(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, str]:
    """Run the CLI in-process: (exit code, stdout bytes, stderr text)."""
    code = main(list(argv))
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def spawn(*argv: str, env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI as its own process (what a shell pipe sees)."""
    streams = kwargs or {"capture_output": True}
    return subprocess.run(
        [sys.executable, "-m", "newsarchive.pipeline.analyst_cli", *argv], cwd=ROOT, env={**os.environ, **(env or {})},
        timeout=60, check=False, **streams,
    )  # fmt: skip


def stored(records: Any) -> list[dict[str, Any]]:
    return [json.loads(r.to_json()) for r in records]


def in_order(world: Any, worlds: ModuleType, slugs: set[str] | None = None) -> list[Any]:
    by_id = {r.id: r for r in world.records}
    chosen = [by_id[i] for i in worlds.instant_order(world.records)]
    return [r for r in chosen if slugs is None or r.url.split("/")[-1].split("?")[0] in slugs]


def test_add_commands_registers_pull_and_stats(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["pull", "--site", "a", "--site", "b", "--lang", "en", "--limit", "3", "-o", "x.csv"])
    assert (args.site, args.lang, args.limit, args.output) == (["a", "b"], ["en"], 3, "x.csv")
    assert args.func.__name__ == "cmd_pull"
    assert parser.parse_args(["stats", "--plot", "p.png"]).func.__name__ == "cmd_stats"


def test_pull_jsonl_to_stdout(local_world: Any, worlds: ModuleType, capsysbinary: Any) -> None:
    code, out, err = run(capsysbinary, "pull", "--archive", str(local_world.store.root), "--site", "alpha",
                         "--start", "2024-11-01", "--end", "2024-11-03")  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == stored(in_order(local_world, worlds, {"a1", "a2", "a3"}))


def test_pull_parquet(local_world: Any, worlds: ModuleType, tmp_path: Path, capsysbinary: Any) -> None:
    target = tmp_path / "out.parquet"
    code, out, err = run(capsysbinary, "pull", "--archive", local_world.store.url, "--format", "parquet",
                         "-o", str(target))  # fmt: skip
    assert (code, out, err) == (0, b"", "")
    table = pq.read_table(target)
    assert tuple(table.column_names) == ARTICLE_COLUMNS
    expected = []
    for record in stored(in_order(local_world, worlds)):
        row = {name: record[name] for name in ARTICLE_COLUMNS}
        row["extractor"] = list(record["extractor"].items())  # Arrow maps read back as key/value pairs
        row["dropped"] = list(record["dropped"].items())
        expected.append(row)
    assert table.to_pylist() == expected
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]  # no temp file left


def test_pull_csv(local_world: Any, worlds: ModuleType, tmp_path: Path, capsysbinary: Any) -> None:
    target = tmp_path / "out.csv"  # the suffix picks the format
    archive = str(local_world.store.root)
    code, _, err = run(capsysbinary, "pull", "--archive", archive, "--lang", "fr", "-o", str(target))
    assert (code, err) == (0, "")
    with target.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    b3, a4 = (r for r in in_order(local_world, worlds) if r.language == "fr")
    assert [r["id"] for r in rows] == [b3.id, a4.id]  # b3 at 11:00Z on Nov 2, a4 is Nov 3 (bare date)
    row = rows[1]
    assert row["text"] == "Le marché est ouvert.\nIl pleut."  # the newline survives, quoted
    assert row["authors"] == "Jean Dupont; Marie Curie"
    assert row["tags"] == "économie; météo"
    assert (row["published"], row["modified"], row["word_count"]) == ("2024-11-03", "", "6")
    assert (row["raw_warc_key"], row["raw_offset"]) == (a4.raw.warc_key, "1024")
    assert json.loads(row["extractor"]) == a4.extractor
    assert json.loads(row["dropped"]) == {"ads": 2}
    assert rows[0]["authors"] == rows[0]["tags"] == ""
    assert target.read_bytes().count(b"\r\n") == 3  # header + 2 rows: RFC 4180 row ends, text keeps "\n"


def test_pull_csv_to_stdout_with_contains_and_limit(local_world: Any, worlds: ModuleType, capsysbinary: Any) -> None:
    code, out, _ = run(capsysbinary, "pull", "--archive", str(local_world.store.root), "--format", "csv",
                       "--contains", "ELECTION", "--limit", "1")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")))
    assert code == 0
    assert [r["id"] for r in rows] == [in_order(local_world, worlds, {"a1"})[0].id]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "xml"], "unknown format 'xml': use one of jsonl, parquet, csv"),
        (["--format", "parquet"], "parquet is a binary file format: give -o FILE.parquet"),
        (["--start", "2024-11-31"], "bad start '2024-11-31': not an ISO 8601 date or date-time"),
        (["--start", "2024-11-02", "--end", "2024-11-01"], "empty range"),
        (["--site", "Bad Site"], "invalid site id 'Bad Site'"),
        (["-o", "/no/such/folder/out.jsonl"], "folder /no/such/folder does not exist"),
    ],
)
def test_pull_usage_errors(local_world: Any, capsysbinary: Any, argv: list[str], message: str) -> None:
    code, out, err = run(capsysbinary, "pull", "--archive", str(local_world.store.root), *argv)
    assert (code, out) == (2, b"")
    assert err.startswith("newsarchive pull: ") and message in err


def test_pull_missing_archive(tmp_path: Path, capsysbinary: Any) -> None:
    code, out, err = run(capsysbinary, "pull", "--archive", str(tmp_path / "nope"))
    assert (code, out) == (1, b"")
    assert err == f"newsarchive pull: no archive at {tmp_path / 'nope'}: {tmp_path / 'nope'} is not a folder\n"


def test_failed_pull_keeps_the_previous_output(tmp_path: Path, worlds: ModuleType, capsysbinary: Any) -> None:
    from newsarchive.archive.local import LocalStore

    store = LocalStore(tmp_path / "archive")
    world = worlds.build_world(store)
    key = world_key(store, world.records[-1].id)
    store.put(key, b"[1, 2]", content_type="application/json")
    for bundle in store.list("bundles/"):  # the bundles hold a good copy: make the pull read the object
        store.put(bundle, b"not parquet", content_type="application/vnd.apache.parquet")
    target = tmp_path / "out.jsonl"
    target.write_text("previous\n")
    code, _, err = run(capsysbinary, "pull", "--archive", str(store.root), "-o", str(target))
    assert code == 1 and "is not a JSON object" in err
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "out.jsonl"]


def world_key(store: Any, article_id: str) -> str:
    return next(key for key in store.list("articles/") if key.endswith(f"/{article_id}.json"))


def test_pull_in_a_pipe_prints_only_data(s3_server: Any, s3_bucket: str, worlds: ModuleType) -> None:
    from newsarchive.archive import open_store

    url = f"s3://{s3_bucket}/piped"
    world = worlds.build_world(open_store(url))
    done = spawn("pull", "--archive", url, "--format", "jsonl", env=s3_server.env())
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""  # no bar, no "Found credentials" log line
    assert [json.loads(line) for line in done.stdout.splitlines()] == stored(in_order(world, worlds))


def test_pull_shows_progress_on_a_terminal(local_world: Any, tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    try:
        done = spawn("pull", "--archive", str(local_world.store.root), "-o", str(tmp_path / "o.jsonl"),
                     env={"TERM": "xterm", "COLUMNS": "100"}, stdout=subprocess.PIPE, stderr=follower)  # fmt: skip
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 0
    assert b"pulling" in shown and b"7/7" in shown
    assert len((tmp_path / "o.jsonl").read_text().splitlines()) == 7


def test_unreachable_archive_is_one_line_and_exit_1(tmp_path: Path) -> None:
    from tests.support import free_port

    env = {
        "NEWSARCHIVE_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        "NEWSARCHIVE_S3_MAX_ATTEMPTS": "1",
        "NEWSARCHIVE_S3_CONNECT_TIMEOUT": "2",
        "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s", "AWS_DEFAULT_REGION": "us-east-1",
    }  # fmt: skip
    done = spawn("pull", "--archive", "s3://nobucket/x", env=env)
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err.startswith("newsarchive pull: S3 endpoint http://127.0.0.1:") and "unavailable" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert done.stdout == b""


def stats_rows(text: str) -> list[list[str]]:
    """The body and footer rows of a rich table: cells of the lines between light box bars."""
    rows = []
    for line in text.splitlines():
        if line.startswith("│"):
            rows.append([cell.strip() for cell in line.strip("│").split("│")])
    return rows


def test_stats_table(local_world: Any, capsysbinary: Any) -> None:
    code, out, err = run(capsysbinary, "stats", "--archive", str(local_world.store.root), "--end", "2024-11-03")
    assert (code, err) == (0, "")
    text = out.decode("utf-8")
    assert "┃ site  ┃ date       ┃ language    ┃ articles ┃ words ┃" in text
    assert stats_rows(text) == [
        ["alpha", "2024-11-01", "en", "2", "12"],
        ["alpha", "2024-11-02", "en", "1", "4"],
        ["beta", "2024-11-01", "de", "1", "5"],
        ["beta", "2024-11-02", "de", "1", "3"],
        ["beta", "2024-11-02", "fr", "1", "3"],
        ["total", "2 days", "3 languages", "6", "27"],
    ]


def test_stats_plot_writes_a_png(local_world: Any, tmp_path: Path, capsysbinary: Any) -> None:
    target = tmp_path / "daily.png"
    code, _, err = run(capsysbinary, "stats", "--archive", str(local_world.store.root), "--plot", str(target))
    assert (code, err) == (0, "")
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 450)


def test_stats_errors(local_world: Any, tmp_path: Path, capsysbinary: Any) -> None:
    archive = str(local_world.store.root)
    code, _, err = run(capsysbinary, "stats", "--archive", archive, "--plot", str(tmp_path / "a.jpg"))
    assert code == 2 and "give a .png file name" in err
    code, out, err = run(capsysbinary, "stats", "--archive", str(local_world.store.root), "--site", "nosuch")
    assert (code, err) == (0, "") and out.decode().strip() == "no articles match"


def test_daily_series_fills_missing_days(local_world: Any) -> None:
    from datetime import date

    from newsarchive.archive.reader import Archive
    from newsarchive.pipeline.plot import daily_series

    series = daily_series(Archive(local_world.store).stats(site="alpha", start="2024-11-01", end="2024-11-02"))
    assert series == {"alpha": [(date(2024, 11, 1), 1)]}  # a2 (04:30Z on Nov 2) is past the end
    series = daily_series(Archive(local_world.store).stats(lang="fr"))
    assert series == {
        "alpha": [(date(2024, 11, 2), 0), (date(2024, 11, 3), 1)],
        "beta": [(date(2024, 11, 2), 1), (date(2024, 11, 3), 0)],
    }
