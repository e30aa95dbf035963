"""S3Store specifics on a real moto_server: options, endpoint fallback, multipart, outages, secrets."""

from __future__ import annotations

import hashlib
import socket
import time
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive.errors import ArchiveError, InvalidKey, KeyNotFound, StoreUnavailable
from newsarchive.archive.s3 import MIB, S3Options, S3Store
from newsarchive.archive.store import open_store

SECRET = "sekret-DO-NOT-LEAK-4f1c9e"
TOKEN = "token-DO-NOT-LEAK-77aa"


def secret_options(endpoint: str, **overrides: Any) -> S3Options:
    """Options carrying recognisable secrets, small timeouts and a 2-attempt retry budget."""
    values: dict[str, Any] = {
        "endpoint_url": endpoint,
        "region": "us-east-1",
        "access_key_id": "AKIA-DO-NOT-LEAK",
        "secret_access_key": SECRET,
        "session_token": TOKEN,
        "max_attempts": 2,
        "connect_timeout": 0.5,
        "read_timeout": 0.5,
    }
    values.update(overrides)
    return S3Options(**values)


def assert_no_secret(text: str) -> None:
    for secret in (SECRET, TOKEN, "AKIA-DO-NOT-LEAK"):
        assert secret not in text


# -- options --------------------------------------------------------------------------------------


def test_defaults_suit_production() -> None:
    opts = S3Options()
    assert (opts.max_attempts, opts.connect_timeout, opts.read_timeout) == (5, 10.0, 60.0)
    assert opts.addressing_style == "auto"
    assert opts.endpoint_url is None


def test_from_env_reads_newsarchive_variables() -> None:
    env = {
        "NEWSARCHIVE_S3_ENDPOINT_URL": "http://minio.internal:9000",
        "NEWSARCHIVE_S3_ADDRESSING_STYLE": "PATH",
        "NEWSARCHIVE_S3_MAX_ATTEMPTS": "3",
        "NEWSARCHIVE_S3_CONNECT_TIMEOUT": "2.5",
        "NEWSARCHIVE_S3_READ_TIMEOUT": "30",
        "NEWSARCHIVE_S3_REGION": "eu-west-3",
        "AWS_SECRET_ACCESS_KEY": SECRET,  # credentials are left to boto3's chain, never copied
    }
    opts = S3Options.from_env(env)
    assert opts == S3Options(
        endpoint_url="http://minio.internal:9000",
        region="eu-west-3",
        addressing_style="path",
        max_attempts=3,
        connect_timeout=2.5,
        read_timeout=30.0,
    )
    assert S3Options.from_env({}) == S3Options()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NEWSARCHIVE_S3_MAX_ATTEMPTS", "many", "NEWSARCHIVE_S3_MAX_ATTEMPTS"),
        ("NEWSARCHIVE_S3_MAX_ATTEMPTS", "0", "max_attempts"),
        ("NEWSARCHIVE_S3_READ_TIMEOUT", "-1", "read_timeout"),
        ("NEWSARCHIVE_S3_CONNECT_TIMEOUT", "soon", "NEWSARCHIVE_S3_CONNECT_TIMEOUT"),
        ("NEWSARCHIVE_S3_ADDRESSING_STYLE", "dns", "addressing style"),
        ("NEWSARCHIVE_S3_ENDPOINT_URL", "minio:9000", "endpoint"),
    ],
)
def test_from_env_rejects_bad_values(name: str, value: str, message: str) -> None:
    with pytest.raises(ArchiveError, match=message):
        S3Options.from_env({name: value})


def test_half_credentials_rejected() -> None:
    with pytest.raises(ArchiveError, match="both"):
        S3Options(access_key_id="x")


def test_repr_never_shows_secrets() -> None:
    opts = secret_options("http://user:pa55word@127.0.0.1:9")
    for text in (repr(opts), str(opts), f"{opts}"):
        assert_no_secret(text)
        assert "pa55word" not in text
        assert "'***'" in text
    store = S3Store("bucket", "p", opts.client())
    assert_no_secret(repr(store) + str(store) + store.url)
    assert "pa55word" not in repr(store)


# -- against the session server -------------------------------------------------------------------


def test_endpoint_falls_back_to_boto3_environment(s3_bucket: str) -> None:
    # s3_bucket set AWS_ENDPOINT_URL_S3 and the AWS_* keys: no options needed at all.
    store = open_store(f"s3://{s3_bucket}/env")
    store.put("k", b"via env", content_type="text/plain")
    assert store.get("k") == b"via env"


def test_newsarchive_endpoint_wins_over_aws_variable(
    s3_server: Any, s3_bucket: str, monkeypatch: pytest.MonkeyPatch, free_tcp_port: int
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_tcp_port}")  # nothing there
    monkeypatch.setenv("NEWSARCHIVE_S3_ENDPOINT_URL", s3_server.endpoint)
    store = open_store(f"s3://{s3_bucket}")
    store.put("k", b"x", content_type="text/plain")
    assert list(store.list()) == ["k"]


def test_prefixes_isolate_stores_in_one_bucket(s3_options: S3Options, s3_bucket: str) -> None:
    opts = s3_options
    one = open_store(f"s3://{s3_bucket}/tenant/one", s3=opts)
    two = open_store(f"s3://{s3_bucket}/tenant/two/", s3=opts)
    root = open_store(f"s3://{s3_bucket}", s3=opts)
    one.put("k", b"1", content_type="text/plain")
    two.put("k", b"2", content_type="text/plain")
    assert (one.get("k"), two.get("k")) == (b"1", b"2")
    assert list(one.list()) == ["k"]
    assert list(root.list()) == ["tenant/one/k", "tenant/two/k"]
    assert (one.url, two.url, root.url) == (
        f"s3://{s3_bucket}/tenant/one",
        f"s3://{s3_bucket}/tenant/two",
        f"s3://{s3_bucket}",
    )


def test_large_file_goes_up_in_parts(s3_server: Any, s3_options: S3Options, s3_bucket: str, tmp_path: Path) -> None:
    client = s3_server.client()
    store = S3Store(s3_bucket, "big", s3_options.client(), multipart_threshold=5 * MIB, part_size=5 * MIB)
    source = tmp_path / "big.warc.gz"
    payload = hashlib.sha256(b"seed").digest() * (11 * MIB // 32 + 7)
    source.write_bytes(payload)
    store.put_file("raw/big.warc.gz", source, content_type="application/warc", metadata={"records": "9"})
    etag = client.head_object(Bucket=s3_bucket, Key="big/raw/big.warc.gz")["ETag"]
    assert etag.strip('"').endswith("-3")  # three parts: 5 + 5 + 1 MiB
    info = store.head("raw/big.warc.gz")
    assert (info.size, info.sha256, info.metadata["records"]) == (
        len(payload),
        hashlib.sha256(payload).hexdigest(),
        "9",
    )
    target = tmp_path / "back.warc.gz"
    store.download("raw/big.warc.gz", target)
    assert target.read_bytes() == payload
    assert client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


def test_missing_bucket_is_not_a_missing_key(s3_options: S3Options) -> None:
    store = open_store(f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}", s3=s3_options)
    with pytest.raises(ArchiveError, match="NoSuchBucket") as info:
        store.get("k")
    assert not isinstance(info.value, KeyNotFound)


@pytest.mark.parametrize("url", ["s3://", "s3:///key", "s3://user:pw@bucket/x", "s3://bucket/a//b", "s3://b/x?y=1"])
def test_bad_s3_urls(url: str) -> None:
    with pytest.raises(InvalidKey):
        open_store(url, s3=S3Options())


# -- outages --------------------------------------------------------------------------------------


@pytest.fixture
def free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def stopped_server(s3_server: Any, tmp_path: Path) -> Iterator[Any]:
    """A second moto_server that held a bucket and was then stopped."""
    server = type(s3_server)(tmp_path)
    server.start()
    try:
        server.client().create_bucket(Bucket="gone")
    finally:
        server.stop()
    yield server
    server.stop()


def _outage_calls(store: S3Store, tmp_path: Path) -> list[tuple[str, Any]]:
    source = tmp_path / "f"
    source.write_bytes(b"x")
    return [
        ("PutObject", lambda: store.put("k", b"x", content_type="text/plain")),
        ("PutObject", lambda: store.put_file("k", source, content_type="text/plain")),
        ("GetObject", lambda: store.get("k")),
        ("GetObject", lambda: store.download("k", tmp_path / "out")),
        ("HeadObject", lambda: store.head("k")),
        ("HeadObject", lambda: store.exists("k")),
        ("ListObjectsV2", lambda: list(store.list())),
        ("DeleteObject", lambda: store.delete("k")),
    ]


def test_endpoint_down_raises_store_unavailable_quickly(stopped_server: Any, tmp_path: Path) -> None:
    store = open_store("s3://gone/p", s3=secret_options(stopped_server.endpoint))
    assert isinstance(store, S3Store)
    for operation, call in _outage_calls(store, tmp_path):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as info:
            call()
        elapsed = time.monotonic() - started
        assert elapsed < 5, f"{operation} took {elapsed:.1f}s to give up"
        message = str(info.value)
        assert operation in message
        assert stopped_server.endpoint in message
        assert_no_secret(message)
        assert_no_secret("".join(traceback.format_exception(info.value)))
    assert not (tmp_path / "out").exists()


def test_silent_endpoint_raises_store_unavailable_after_read_timeout(tmp_path: Path) -> None:
    # A socket that accepts connections (the kernel's backlog) but never answers: a read timeout.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        endpoint = f"http://127.0.0.1:{listener.getsockname()[1]}"
        store = open_store("s3://silent", s3=secret_options(endpoint, read_timeout=0.3))
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="ListObjectsV2") as info:
            list(store.list())
        assert time.monotonic() - started < 6
        assert "ReadTimeout" in str(info.value)
        assert_no_secret("".join(traceback.format_exception(info.value)))
