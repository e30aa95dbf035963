"""LocalStore specifics: on-disk layout, atomic writes, conflicts; and open_store's URL handling."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from newsarchive.archive.errors import ArchiveError, InvalidKey
from newsarchive.archive.local import LocalStore
from newsarchive.archive.store import open_store


def test_layout_on_disk_is_the_documented_one(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put("a/b.json", b"{}", content_type="application/json", metadata={"run": "1"})
    assert (tmp_path / "a" / "b.json").read_bytes() == b"{}"
    side = json.loads((tmp_path / ".meta" / "a" / "b.json.json").read_text())
    assert side["content_type"] == "application/json"
    assert side["metadata"]["run"] == "1"
    assert list(store.list()) == ["a/b.json"]  # the sidecar tree never shows up
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == [".meta/a/b.json.json", "a/b.json"]  # and no temp files remain
    store.delete("a/b.json")
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == []


def test_files_copied_in_by_hand_are_listed_and_readable(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "x.warc.gz").write_bytes(b"abc")
    (tmp_path / "raw" / ".partial.tmp").write_bytes(b"junk")  # hidden files are not objects
    store = LocalStore(tmp_path)
    assert list(store.list()) == ["raw/x.warc.gz"]
    info = store.head("raw/x.warc.gz")
    assert (info.size, info.content_type, info.sha256, info.metadata) == (
        3,
        "application/octet-stream",
        None,
        {},
    )


def test_reader_never_sees_a_half_written_object(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    versions = [b"A" * 3_000_000, b"B" * 2_000_000]
    store.put("obj", versions[0], content_type="application/octet-stream")
    stop = threading.Event()
    seen: set[bytes] = set()
    bad: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            data = store.get("obj")
            if data not in versions:
                bad.append(len(data))
            seen.add(data[:1])

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(20):
            store.put("obj", versions[i % 2], content_type="application/octet-stream")
    finally:
        stop.set()
        thread.join()
    assert bad == []
    assert seen <= {b"A", b"B"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".obj")] == []


def test_failed_write_leaves_old_object_and_no_temp_file(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put("k", b"old", content_type="text/plain")

    with pytest.raises(TypeError):
        store.put("k", "not bytes", content_type="text/plain")  # type: ignore[arg-type]
    (tmp_path / "src").mkdir()
    # Reading a folder fails after the temp file was created: it must be cleaned up.
    with pytest.raises(IsADirectoryError):
        store.put_file("k", tmp_path / "src", content_type="text/plain")
    assert store.get("k") == b"old"
    assert store.head("k").sha256 is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".meta", "k", "src"]
    assert [p.name for p in (tmp_path / ".meta").iterdir()] == ["k.json"]


def test_key_conflicts_are_clear_errors(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    store.put("a/b", b"file", content_type="text/plain")
    with pytest.raises(ArchiveError, match="parent of it is an existing object"):
        store.put("a/b/c", b"x", content_type="text/plain")
    assert not (tmp_path / ".meta" / "a" / "b").exists()  # no orphan sidecar
    store.put("x/y/z", b"x", content_type="text/plain")
    with pytest.raises(ArchiveError, match="other keys live under it"):
        store.put("x/y", b"x", content_type="text/plain")
    assert store.get("a/b") == b"file"
    assert list(store.list()) == ["a/b", "x/y/z"]


def test_open_store_local_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    by_uri = open_store(f"file://{tmp_path}/arch")
    by_path = open_store(str(tmp_path / "arch"))
    monkeypatch.chdir(tmp_path)
    relative = open_store("arch")
    assert isinstance(by_uri, LocalStore)
    assert by_uri.url == by_path.url == relative.url == (tmp_path / "arch").resolve().as_uri()
    by_uri.put("k", b"1", content_type="text/plain")
    assert relative.get("k") == b"1"
    spaced = open_store((tmp_path / "with space").as_uri())  # percent-encoded path
    assert isinstance(spaced, LocalStore)
    assert spaced.root == (tmp_path / "with space").resolve()
    assert os.path.isdir(tmp_path / "with space")


@pytest.mark.parametrize(
    "url",
    ["", "   ", "file://otherhost/data", "file:relative/path", "gs://bucket/x", "http://example.com/a"],
)
def test_open_store_rejects(url: str) -> None:
    with pytest.raises(InvalidKey):
        open_store(url)


def test_root_that_is_a_file_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ArchiveError):
        LocalStore(tmp_path / "file")
