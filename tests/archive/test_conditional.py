"""Conditional writes and ranged reads, on a folder and on a real S3 API server (moto_server)."""

from __future__ import annotations

import threading

import pytest

from newsarchive.archive.errors import KeyNotFound, PreconditionFailed
from newsarchive.archive.store import Store


def test_create_only_and_replace_if_unchanged(store: Store) -> None:
    first = store.put_if("c/k.json", b"one", etag=None, content_type="application/json")
    with pytest.raises(PreconditionFailed):
        store.put_if("c/k.json", b"two", etag=None, content_type="application/json")
    assert store.get("c/k.json") == b"one"
    tagged = store.get_tagged("c/k.json")
    assert (tagged.data, tagged.etag) == (b"one", first)
    second = store.put_if("c/k.json", b"two", etag=first, content_type="application/json")
    assert second != first and store.get("c/k.json") == b"two"
    with pytest.raises(PreconditionFailed):  # the tag read before the second write is stale now
        store.put_if("c/k.json", b"three", etag=first, content_type="application/json")
    assert store.get("c/k.json") == b"two"
    assert store.head("c/k.json").sha256 is not None  # conditional writes keep the digest metadata


def test_replace_if_fails_on_an_object_deleted_meanwhile(store: Store) -> None:
    tag = store.put_if("c/gone.json", b"x", etag=None, content_type="application/json")
    store.delete("c/gone.json")
    with pytest.raises(PreconditionFailed):
        store.put_if("c/gone.json", b"y", etag=tag, content_type="application/json")
    assert not store.exists("c/gone.json")


def test_delete_if_unchanged(store: Store) -> None:
    tag = store.put_if("d/k", b"one", etag=None, content_type="text/plain")
    newer = store.put_if("d/k", b"two", etag=tag, content_type="text/plain")
    with pytest.raises(PreconditionFailed):
        store.delete_if("d/k", tag)
    assert store.get("d/k") == b"two"
    assert store.delete_if("d/k", newer) is True
    assert not store.exists("d/k")
    assert store.delete_if("d/k", newer) is False  # gone already: nothing to do


def test_a_plain_put_makes_a_read_tag_stale(store: Store) -> None:
    store.put("e/k", b"one", content_type="text/plain")
    tag = store.get_tagged("e/k").etag
    store.put("e/k", b"two", content_type="text/plain")  # another writer, unconditional
    with pytest.raises(PreconditionFailed):
        store.put_if("e/k", b"mine", etag=tag, content_type="text/plain")
    assert store.get("e/k") == b"two"


def test_only_one_of_many_concurrent_conditional_writers_wins(store: Store) -> None:
    tag = store.put_if("f/counter", b"0", etag=None, content_type="text/plain")
    wins: list[int] = []
    losses: list[int] = []
    barrier = threading.Barrier(6)

    def writer(n: int) -> None:
        barrier.wait()
        try:
            store.put_if("f/counter", str(n).encode(), etag=tag, content_type="text/plain")
            wins.append(n)
        except PreconditionFailed:
            losses.append(n)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1 and len(losses) == 5
    assert store.get("f/counter") == str(wins[0]).encode()


def test_ranged_reads(store: Store) -> None:
    data = bytes(range(256)) * 4
    store.put("r/blob", data, content_type="application/octet-stream")
    assert store.read_range("r/blob", 10, 5) == data[10:15]
    assert store.read_range("r/blob", 1020, 100) == data[1020:]
    assert store.read_range("r/blob", 5000, 10) == b""
    assert store.read_tail("r/blob", 16) == (data[-16:], len(data))
    assert store.read_tail("r/blob", 5000) == (data, len(data))
    store.put("r/empty", b"", content_type="application/octet-stream")
    assert store.read_tail("r/empty", 8) == (b"", 0)
    with pytest.raises(KeyNotFound):
        store.read_tail("r/none", 8)
    with pytest.raises(KeyNotFound):
        store.read_range("r/none", 0, 8)
