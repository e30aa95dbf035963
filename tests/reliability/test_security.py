"""Security: private addresses are refused unless a site allows them (links and redirects alike), object keys
cannot escape their prefix, and credentials never show in logs, results, error messages or stored objects."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from newsarchive.archive import keys
from newsarchive.archive.errors import ArchiveError, InvalidKey, StoreUnavailable
from newsarchive.archive.local import LocalStore
from newsarchive.archive.s3 import S3Options, S3Store
from newsarchive.archive.store import validate_key
from newsarchive.demosite import hostile_pages as hp
from tests.reliability.harness import read_all, run_stages, window_of, write_site
from tests.support import S3_ENV, S3Server

ROOT = Path(__file__).resolve().parents[2]
WINDOW = window_of(*hp.WINDOW)


# -- private addresses --------------------------------------------------------------------------------------


def test_loopback_site_is_refused_without_allow_private_addresses(hostile_site: Any, stage_env: Path,
                                                                  tmp_path: Path) -> None:
    write_site(stage_env / "sites", "no-private", hostile_site.url, allow_private=False,
               feeds=["/hostile/feed/schemes.xml"], sitemaps=["/hostile/sitemap/big-stale.xml"])
    before = len(hostile_site.requests)
    run = run_stages("no-private", WINDOW, (tmp_path / "archive").as_uri(), stages=("crawl",))
    assert run.error is None, run.log_text()[-3000:]
    assert hostile_site.requests[before:] == [], "the spider reached a loopback site it was not allowed to"
    counts = run.results["crawl"]["counts"]
    assert counts["skipped"]["private_address"] == 3  # the section page, the feed and the sitemap
    assert sum(counts["fetched"].values()) == 0
    assert any("private_address=3" in line for line in run.logs)


def test_redirects_and_links_to_private_hosts_are_refused(hostile_site: Any, tmp_path: Path) -> None:
    """A site on a public-looking name (reached through an HTTP proxy: the fixture server) whose pages redirect
    and link to loopback, link-local and private addresses that are inside its allowed domains."""
    spec = {
        "site": "proxied", "base_url": "http://news.example/",
        "allowed_domains": ["news.example", "localhost", "169.254.169.254", "10.1.2.3"],
        "start": hp.WINDOW[0], "end": hp.WINDOW[1], "sections": ["/hostile/"],
        "article_allow": [r"^/hostile/(redirect/(to-loopback|to-private-ip|metadata)\.html|charset/)"],
        "politeness": {"obey_robots": True, "download_delay": 0.0, "concurrency": 4, "autothrottle": False,
                       "allow_private_addresses": False},
        "timeout_s": 5,
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["http_proxy"] = hostile_site.url.rstrip("/")
    before = len(hostile_site.requests)
    proc = subprocess.run(
        [sys.executable, "-m", "spiders.runner", "--spec", str(tmp_path / "spec.json"),
         "--warc-out", str(tmp_path / "out.warc.gz"), "--stats-out", str(tmp_path / "stats.json")],
        capture_output=True, text=True, timeout=120, cwd=ROOT, env=env, check=False)
    assert proc.returncode == 0, proc.stderr + proc.stdout[-3000:]
    stats = json.loads((tmp_path / "stats.json").read_text())
    targets = [r.path for r in hostile_site.requests[before:]]
    # Through the proxy every request line names its host: only the site's own public name appears.
    assert targets and all(t.startswith("http://news.example/") for t in targets), targets
    assert "http://news.example/hostile/charset/latin-1.html" in targets, "the crawl itself worked"
    # Three redirects (loopback, private network, link-local metadata) and one link to loopback.
    assert stats["skipped"]["private_address"] == 4, stats["skipped"]
    assert "private_address=4" in proc.stdout


# -- object keys ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [
    "../escape.json", "articles/../../escape.json", "/etc/passwd", "articles/site=a/./x.json", "a//b",
    "articles\\..\\x.json", "articles/x\x00.json", "articles/.hidden", "a/" + "x" * 1100,
])
def test_store_refuses_keys_that_could_escape(key: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidKey):
        validate_key(key)
    root = tmp_path / "archive"
    store = LocalStore(root)
    with pytest.raises(InvalidKey):
        store.put(key, b"x", content_type="text/plain")
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written == [], f"a refused key left files: {written}"


@pytest.mark.parametrize(("site", "article_id"), [
    ("../etc", "0123456789abcdef"), ("demo/../x", "0123456789abcdef"), ("Demo", "0123456789abcdef"),
    ("demo", "../../0123456789"), ("demo", "0123456789ABCDEF"), ("demo", "0123456789abcdef/x"),
])
def test_key_builders_accept_sanitised_parts_only(site: str, article_id: str) -> None:
    from datetime import date

    with pytest.raises(InvalidKey):
        keys.article_key(site, date(2024, 11, 21), article_id)


def test_s3_keys_stay_under_the_archive_prefix(s3_server: S3Server, s3_bucket: str) -> None:
    client = s3_server.client()
    store = S3Store.from_url(f"s3://{s3_bucket}/team/news", S3Options(
        endpoint_url=s3_server.endpoint, region="us-east-1", access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
        secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"], max_attempts=1))
    for key in ("../other/x.json", "../../x.json", "/x.json"):
        with pytest.raises(InvalidKey):
            store.put(key, b"{}", content_type="application/json")
    store.put("articles/site=a/date=2024-11-21/0123456789abcdef.json", b"{}", content_type="application/json")
    listed = [o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket).get("Contents", [])]
    assert listed == ["team/news/articles/site=a/date=2024-11-21/0123456789abcdef.json"]


# -- credentials ----------------------------------------------------------------------------------------------


def test_credentials_never_leak(hostile_site: Any, stage_env: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Stages against a real S3 API with a distinctive secret: grep every log line (DEBUG, botocore included),
    every result handed on (XCom), every stored object; then an unreachable endpoint URL carrying
    user:password: the error and the logs name the endpoint without them."""
    secret = f"SeCrEt-{uuid.uuid4().hex}"
    key_id = f"AKIDTEST{uuid.uuid4().hex[:12].upper()}"
    server = S3Server(tmp_path)
    server.start()
    try:
        bucket = "secrets-test"
        server.client().create_bucket(Bucket=bucket)
        for name, value in {**server.env(), "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
                            "NEWSARCHIVE_S3_MAX_ATTEMPTS": "2"}.items():
            monkeypatch.setenv(name, value)
        write_site(stage_env / "sites", "secrets", hostile_site.url, allow=("^/hostile/charset/",))
        run = run_stages("secrets", WINDOW, f"s3://{bucket}/archive", level=logging.DEBUG)
        assert run.error is None, run.log_text()[-3000:]
        from newsarchive.archive.store import open_store

        objects = read_all(open_store(f"s3://{bucket}/archive"))
    finally:
        server.stop()
    assert run.results["check"]["articles"] == 7
    assert len(run.logs) > 100, "DEBUG logs were captured"
    haystacks = {"logs": run.log_text(), "results": json.dumps(run.results, default=str)}
    haystacks.update({obj.key: obj.data.decode("latin-1") for obj in objects})
    for where, text in haystacks.items():
        assert secret not in text, f"the secret key leaked into {where}"
    for where in ("results", *(o.key for o in objects)):
        assert key_id not in haystacks[where], f"the access key id leaked into {where}"

    # An endpoint URL with user:password that cannot be reached: a clear StoreUnavailable, no password.
    password = f"pw-{uuid.uuid4().hex}"
    monkeypatch.setenv("NEWSARCHIVE_S3_ENDPOINT_URL", f"http://archiver:{password}@127.0.0.1:{server.port}")
    monkeypatch.setenv("NEWSARCHIVE_S3_CONNECT_TIMEOUT", "1")
    failed = run_stages("secrets", WINDOW, f"s3://{bucket}/archive", stages=("extract",),
                        previous={"crawl": run.results["crawl"]}, level=logging.DEBUG)
    assert isinstance(failed.error, StoreUnavailable), repr(failed.error)
    message = str(failed.error)
    assert f"127.0.0.1:{server.port}" in message
    for text in (message, repr(failed.error), failed.log_text()):
        assert password not in text and secret not in text


def test_s3_url_with_credentials_is_refused_without_echoing_them() -> None:
    from newsarchive.archive.store import open_store

    with pytest.raises(ArchiveError) as info:
        open_store("s3://user:hunter2-secret@bucket/prefix")
    assert "hunter2-secret" not in str(info.value)


def test_api_server_binds_loopback_by_default() -> None:
    import configparser

    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / "airflow.cfg")
    assert config["api"]["host"] == "127.0.0.1"
    assert config["api"]["expose_config"] == "False"

