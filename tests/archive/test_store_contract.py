"""The Store contract, run against LocalStore and against S3Store on a real moto_server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from newsarchive.archive.errors import InvalidKey, InvalidMetadata, KeyNotFound
from newsarchive.archive.s3 import S3Store
from newsarchive.archive.store import Store

BAD_KEYS = [
    "",
    "/abs/key",
    "a//b",
    "a/b/",
    "a/../b",
    "..",
    "a/./b",
    "a/.hidden",
    "a\\b",
    "a/b\x00c",
    "tab\there",
    "new\nline",
    "x" * 1025,
]


def test_put_get_head_round_trip(store: Store) -> None:
    data = bytes(range(256)) * 3  # not UTF-8: bytes must survive untouched
    store.put("a/b/c.bin", data, content_type="application/x-test", metadata={"run-id": "r1"})
    assert store.get("a/b/c.bin") == data
    info = store.head("a/b/c.bin")
    assert info.key == "a/b/c.bin"
    assert info.size == len(data)
    assert info.content_type == "application/x-test"
    assert info.content_encoding is None
    assert info.metadata["run-id"] == "r1"
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.metadata["sha256"] == info.sha256
    assert store.exists("a/b/c.bin")
    assert not store.exists("a/b/c")
    assert not store.exists("a/b/c.bin.x")


def test_content_encoding_and_empty_object(store: Store) -> None:
    store.put("enc/x.json.gz", b"\x1f\x8b fake", content_type="application/json", content_encoding="gzip")
    info = store.head("enc/x.json.gz")
    assert (info.content_type, info.content_encoding) == ("application/json", "gzip")
    assert store.get("enc/x.json.gz") == b"\x1f\x8b fake"  # stored bytes, never decoded by the store
    store.put("empty", b"", content_type="text/plain")
    assert store.get("empty") == b""
    assert store.head("empty").size == 0
    assert store.head("empty").sha256 == hashlib.sha256(b"").hexdigest()


def test_overwrite_replaces_data_and_metadata(store: Store) -> None:
    store.put("k.json", b"one", content_type="application/json", metadata={"v": "1", "old": "x"})
    store.put("k.json", b"two!", content_type="text/plain", metadata={"v": "2"})
    assert store.get("k.json") == b"two!"
    info = store.head("k.json")
    assert info.size == 4
    assert info.content_type == "text/plain"
    assert info.metadata == {"v": "2", "sha256": hashlib.sha256(b"two!").hexdigest()}
    assert list(store.list()) == ["k.json"]


def test_caller_cannot_forge_sha256(store: Store) -> None:
    store.put("k", b"data", content_type="text/plain", metadata={"sha256": "forged"})
    assert store.head("k").sha256 == hashlib.sha256(b"data").hexdigest()


def test_missing_keys_raise_key_not_found(store: Store, tmp_path: Path) -> None:
    store.put("present/x", b"1", content_type="text/plain")
    with pytest.raises(KeyNotFound, match="nope"):
        store.get("present/nope")
    with pytest.raises(KeyNotFound):
        store.head("present/nope")
    with pytest.raises(KeyNotFound):
        store.get("present")  # a "folder" of other keys is not an object
    target = tmp_path / "downloaded"
    with pytest.raises(KeyNotFound):
        store.download("present/nope", target)
    assert not target.exists()
    assert not store.exists("present/nope")
    assert list(tmp_path.glob(".downloaded*")) == []  # no temp file left behind


def test_list_is_sorted_and_uses_string_prefixes(store: Store) -> None:
    keys = [
        "raw/site=demo/date=2024-11-13/w1.warc.gz",
        "raw/site=demo/date=2024-11-14/w2.warc.gz",
        "raw/site=demo2/date=2024-11-13/w1.warc.gz",
        "articles/site=demo/date=2024-11-13/abc12345.json",
        "reports/site=demo/w1.json",
        "top",
    ]
    for key in reversed(keys):
        store.put(key, key.encode(), content_type="text/plain")
    assert list(store.list()) == sorted(keys)
    assert list(store.list("raw/")) == sorted(k for k in keys if k.startswith("raw/"))
    # A prefix is a string prefix, not a folder: "site=demo" also matches "site=demo2".
    assert list(store.list("raw/site=demo")) == sorted(k for k in keys if k.startswith("raw/site=demo"))
    assert list(store.list("raw/site=demo/")) == [keys[0], keys[1]]
    assert list(store.list("raw/site=demo/date=2024-11-1")) == [keys[0], keys[1]]
    assert list(store.list("t")) == ["top"]
    assert list(store.list("nothing/here/")) == []
    assert list(store.list("top/")) == []


def test_list_paginates(store: Store) -> None:
    # The S3 fixture lists 7 keys per page: 23 keys need 4 pages.
    keys = [f"many/{i:03d}.json" for i in range(23)]
    for key in keys:
        store.put(key, b"{}", content_type="application/json")
    store.put("other/x", b"", content_type="text/plain")
    calls: list[str] = []
    if isinstance(store, S3Store):
        # Observe the real requests (a public botocore event hook): 23 keys at 7 per page = 4 calls.
        store.client.meta.events.register(
            "provide-client-params.s3.ListObjectsV2", lambda **kwargs: calls.append(kwargs["params"].get("MaxKeys"))
        )
    assert list(store.list("many/")) == keys
    if isinstance(store, S3Store):
        assert calls == [7, 7, 7, 7]
    assert len(list(store.list())) == 24


def test_delete(store: Store) -> None:
    store.put("d/one", b"1", content_type="text/plain")
    store.put("d/two", b"2", content_type="text/plain")
    store.delete("d/one")
    assert not store.exists("d/one")
    with pytest.raises(KeyNotFound):
        store.get("d/one")
    assert list(store.list()) == ["d/two"]
    store.delete("d/one")  # deleting a missing key is not an error
    store.delete("never/was")


def test_put_file_and_download(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "in.warc.gz"
    payload = b"\x1f\x8b" + bytes(range(256)) * 4000
    source.write_bytes(payload)
    store.put_file("raw/x.warc.gz", source, content_type="application/warc", metadata={"records": "3"})
    info = store.head("raw/x.warc.gz")
    assert info.size == len(payload)
    assert info.sha256 == hashlib.sha256(payload).hexdigest()
    assert info.metadata["records"] == "3"
    assert info.content_type == "application/warc"
    target = tmp_path / "out" / "copy.warc.gz"
    target.parent.mkdir()
    store.download("raw/x.warc.gz", target)
    assert target.read_bytes() == payload
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.warc.gz"]


def test_put_file_missing_source_keeps_old_object(store: Store, tmp_path: Path) -> None:
    store.put("k", b"old", content_type="text/plain")
    with pytest.raises(FileNotFoundError):
        store.put_file("k", tmp_path / "does-not-exist", content_type="text/plain")
    assert store.get("k") == b"old"
    assert list(store.list()) == ["k"]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_invalid_keys_are_rejected_everywhere(store: Store, key: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidKey):
        store.put(key, b"x", content_type="text/plain")
    with pytest.raises(InvalidKey):
        store.get(key)
    with pytest.raises(InvalidKey):
        store.head(key)
    with pytest.raises(InvalidKey):
        store.exists(key)
    with pytest.raises(InvalidKey):
        store.delete(key)
    with pytest.raises(InvalidKey):
        store.download(key, tmp_path / "x")
    assert list(store.list()) == []


@pytest.mark.parametrize("prefix", ["/abs", "a//", "../x", "a/.meta", "a\\b", "x\x01"])
def test_invalid_prefixes_are_rejected(store: Store, prefix: str) -> None:
    with pytest.raises(InvalidKey):
        list(store.list(prefix))


@pytest.mark.parametrize(
    "metadata",
    [{"Upper": "x"}, {"bad name": "x"}, {"run_id": "x"}, {"ok": "café"}, {"ok": "line\nbreak"}, {"big": "x" * 3000}],
)
def test_invalid_metadata_is_rejected_before_writing(store: Store, metadata: dict[str, str]) -> None:
    with pytest.raises(InvalidMetadata):
        store.put("k", b"x", content_type="text/plain", metadata=metadata)
    assert not store.exists("k")


def test_invalid_content_type_is_rejected(store: Store) -> None:
    with pytest.raises(InvalidMetadata):
        store.put("k", b"x", content_type="")
    with pytest.raises(InvalidMetadata):
        store.put("k", b"x", content_type="text/plain", content_encoding="gzip\r\nX-Evil: 1")
    assert not store.exists("k")


def test_url_round_trips_through_open_store(store: Store, s3_options_if_needed: object) -> None:
    from newsarchive.archive.store import open_store

    reopened = open_store(store.url, s3=s3_options_if_needed)  # type: ignore[arg-type]
    assert reopened.url == store.url
    store.put("shared/key", b"seen by both", content_type="text/plain")
    assert reopened.get("shared/key") == b"seen by both"
