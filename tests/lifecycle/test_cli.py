"""`newsarchive takedown` and `newsarchive compact`: their output, exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from extract.record import article_id
from newsarchive.archive.local import LocalStore
from newsarchive.archive.reader import Archive
from newsarchive.pipeline.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_compact_then_takedown(tmp_path: Path, life: ModuleType, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_WORK_DIR", str(tmp_path / "work"))
    store = LocalStore(tmp_path / "archive")
    life.daily_life(store)
    before = Archive(store).index().num_rows
    code, out, _ = run(capsys, "compact", "--archive", str(store.root), "--as-of", "2024-11-20")
    assert code == 0
    [summary] = json.loads(out)
    assert summary["site"] == "gen" and [m["month"] for m in summary["months"]] == ["2024-10"]
    assert summary["months"][0]["folded"] > 0 and summary["busy"] == []
    code, out, _ = run(capsys, "compact", "--archive", str(store.root), "--site", "gen", "--month", "2024-11")
    assert code == 0 and [m["month"] for m in json.loads(out)[0]["months"]] == ["2024-11"]
    assert Archive(store).index().num_rows == before

    url = life.url_of(life.FIRST_DAY, 1)
    code, out, err = run(capsys, "takedown", "--site", "gen", "--url", url, "--reason", "court order",
                         "--by", "legal@example", "--archive", str(store.root))
    assert code == 0, err
    result = json.loads(out)
    assert result["ids"] == [article_id(url)] and result["keys_removed"]
    assert Archive(store).index().num_rows == before - 1
    record = json.loads(store.get(result["records"][0]))
    assert (record["requested_by"], record["status"]) == ("legal@example", "done")


@pytest.mark.parametrize(("argv", "message"), [
    (["takedown", "--site", "gen", "--id", "xyz", "--reason", "r"], "invalid article id"),
    (["takedown", "--site", "gen", "--url", "ftp://x", "--reason", "r"], "not an http(s) URL"),
    (["takedown", "--site", "Bad Site", "--id", "0123456789abcdef", "--reason", "r"], "invalid site id"),
    (["compact", "--month", "2024-13"], "not a month"),
    (["compact", "--as-of", "soon"], "not a date YYYY-MM-DD"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                            message: str) -> None:
    code, out, err = run(capsys, *argv, "--archive", str(tmp_path / "archive"))
    assert code == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1
    assert not list(LocalStore(tmp_path / "archive").list(""))
