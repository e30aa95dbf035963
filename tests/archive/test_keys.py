"""The key layout: builders, parsers, and what they refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from newsarchive.archive import keys
from newsarchive.archive.errors import InvalidKey
from newsarchive.archive.store import validate_key

START = datetime(2024, 11, 13, tzinfo=UTC)
END = datetime(2024, 11, 14, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


def test_window_label_is_utc() -> None:
    assert keys.window_label(START, END) == "20241113T000000Z_20241114T000000Z"
    # The same instants given in another offset produce the same label.
    assert keys.window_label(START.astimezone(PARIS), END.astimezone(PARIS)) == keys.window_label(START, END)
    assert keys.window_label(datetime(2024, 11, 13, 1, 30, tzinfo=PARIS), END) == ("20241113T003000Z_20241114T000000Z")


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(2024, 11, 13), END),  # naive start
        (START, datetime(2024, 11, 14)),  # naive end
        (END, START),  # reversed
        (START, START),  # empty window
        (START.replace(microsecond=5), END),  # sub-second precision would collide in the label
    ],
)
def test_window_label_rejects(start: datetime, end: datetime) -> None:
    with pytest.raises(InvalidKey):
        keys.window_label(start, end)


def test_builders() -> None:
    assert keys.raw_warc_key("demo", START, END) == (
        "raw/site=demo/date=2024-11-13/20241113T000000Z_20241114T000000Z.warc.gz"
    )
    assert keys.article_key("demo", date(2024, 11, 12), "9b30a7b1c346ae44") == (
        "articles/site=demo/date=2024-11-12/9b30a7b1c346ae44.json"
    )
    assert keys.index_key("le-monde_fr", date(2024, 11, 12), START, END) == (
        "index/site=le-monde_fr/date=2024-11-12/20241113T000000Z_20241114T000000Z.parquet"
    )
    assert keys.report_key("demo", START, END) == "reports/site=demo/20241113T000000Z_20241114T000000Z.json"


def test_raw_key_date_is_window_start_in_utc() -> None:
    # 00:30 in Paris on the 14th is 23:30 UTC on the 13th.
    start = datetime(2024, 11, 14, 0, 30, tzinfo=PARIS)
    key = keys.raw_warc_key("demo", start, start + timedelta(hours=1))
    assert key.startswith("raw/site=demo/date=2024-11-13/20241113T233000Z_")


def test_keys_are_pure_functions_and_valid_store_keys() -> None:
    built = [
        keys.raw_warc_key("demo", START, END),
        keys.article_key("demo", date(2024, 11, 13), "abcdef01"),
        keys.index_key("demo", date(2024, 11, 13), START, END),
        keys.report_key("demo", START, END),
    ]
    assert built == [
        keys.raw_warc_key("demo", START, END),
        keys.article_key("demo", date(2024, 11, 13), "abcdef01"),
        keys.index_key("demo", date(2024, 11, 13), START, END),
        keys.report_key("demo", START, END),
    ]
    for key in built:
        assert validate_key(key) == key


@pytest.mark.parametrize("site", ["", "Demo", "-demo", "_x", "de mo", "a/b", "a" * 64, "démo", "x.y"])
def test_bad_site_ids(site: str) -> None:
    with pytest.raises(InvalidKey, match="site id"):
        keys.raw_warc_key(site, START, END)
    with pytest.raises(InvalidKey):
        keys.article_key(site, date(2024, 1, 1), "abcdef01")


def test_good_site_ids() -> None:
    for site in ["a", "0", "le-monde", "bbc_news", "a" * 63]:
        assert keys.check_site(site) == site


@pytest.mark.parametrize("article_id", ["", "abc", "ABCDEF01", "abcdefg1", "a" * 65, "abcdef01/x", "../../x"])
def test_bad_article_ids(article_id: str) -> None:
    with pytest.raises(InvalidKey, match="article id"):
        keys.article_key("demo", date(2024, 1, 1), article_id)


def test_published_date_must_be_a_date_not_a_datetime() -> None:
    with pytest.raises(InvalidKey):
        keys.article_key("demo", START, "abcdef01")
    with pytest.raises(InvalidKey):
        keys.index_key("demo", "2024-11-13", START, END)  # type: ignore[arg-type]


def test_parsers_invert_builders() -> None:
    raw = keys.parse_raw_warc_key(keys.raw_warc_key("demo", START, END))
    assert raw == keys.RawWarcKey(site="demo", date=date(2024, 11, 13), start=START, end=END)
    art = keys.parse_article_key(keys.article_key("demo", date(2024, 11, 12), "9b30a7b1c346ae44"))
    assert art == keys.ArticleKey(site="demo", published_date=date(2024, 11, 12), article_id="9b30a7b1c346ae44")
    idx = keys.parse_index_key(keys.index_key("demo", date(2024, 11, 12), START, END))
    assert idx == keys.IndexKey(site="demo", published_date=date(2024, 11, 12), start=START, end=END)
    rep = keys.parse_report_key(keys.report_key("demo", START, END))
    assert rep == keys.ReportKey(site="demo", start=START, end=END)
    assert keys.parse_window_label("20241113T000000Z_20241114T000000Z") == (START, END)


@pytest.mark.parametrize(
    ("parser", "key"),
    [
        (keys.parse_raw_warc_key, "raw/site=demo/date=2024-11-14/20241113T000000Z_20241114T000000Z.warc.gz"),
        (keys.parse_raw_warc_key, "raw/site=Demo/date=2024-11-13/20241113T000000Z_20241114T000000Z.warc.gz"),
        (keys.parse_raw_warc_key, "raw/site=demo/date=2024-11-13/20241113T000000Z_20241114T000000Z.warc"),
        (keys.parse_article_key, "articles/site=demo/date=2024-13-01/abcdef01.json"),
        (keys.parse_article_key, "articles/site=demo/date=2024-11-13/XYZ.json"),
        (keys.parse_article_key, "articles/site=demo/2024-11-13/abcdef01.json"),
        (keys.parse_article_key, "prefix/articles/site=demo/date=2024-11-13/abcdef01.json"),
        (keys.parse_index_key, "index/site=demo/date=2024-11-13/20241114T000000Z_20241113T000000Z.parquet"),
        (keys.parse_index_key, "index/site=demo/date=2024-11-13/20241399T000000Z_20241114T000000Z.parquet"),
        (keys.parse_report_key, "reports/site=demo/20241113T000000Z_20241114T000000Z.json.tmp"),
        (keys.parse_report_key, "reports/site=demo/date=2024-11-13/20241113T000000Z_20241114T000000Z.json"),
    ],
)
def test_parsers_reject_foreign_keys(parser: object, key: str) -> None:
    with pytest.raises(InvalidKey):
        parser(key)  # type: ignore[operator]


def test_prefixes_select_exactly_their_keys() -> None:
    raw = keys.raw_warc_key("demo", START, END)
    article = keys.article_key("demo", date(2024, 11, 12), "abcdef01")
    assert raw.startswith(keys.raw_prefix("demo", date(2024, 11, 13)))
    assert not raw.startswith(keys.raw_prefix("demo", date(2024, 11, 12)))
    assert article.startswith(keys.articles_prefix("demo", date(2024, 11, 12)))
    assert article.startswith(keys.articles_prefix("demo"))
    assert not article.startswith(keys.articles_prefix("dem"))  # site prefix ends with '/': no bleed
    assert keys.articles_prefix() == "articles/"
    assert keys.index_prefix("demo") == "index/site=demo/"
    assert keys.reports_prefix("demo") == "reports/site=demo/"
    with pytest.raises(InvalidKey):
        keys.articles_prefix(None, date(2024, 1, 1))


ATTEMPT = "20241114T021500Z-0123456789ab"


def test_raw_keys_one_per_crawl_attempt() -> None:
    key = keys.raw_warc_key("demo", START, END, ATTEMPT)
    assert key == f"raw/site=demo/date=2024-11-13/20241113T000000Z_20241114T000000Z/{ATTEMPT}.warc.gz"
    assert key.startswith(keys.raw_window_prefix("demo", START, END))
    assert key.startswith(keys.raw_prefix("demo", date(2024, 11, 13)))
    assert keys.crawl_stats_key(key) == key.removesuffix(".warc.gz") + ".crawl.json"
    assert keys.parse_raw_warc_key(key) == keys.RawWarcKey("demo", date(2024, 11, 13), START, END, ATTEMPT)
    assert validate_key(key) == key
    # The single WARC per window of archives written before attempts still parses (attempt None).
    old = keys.raw_warc_key("demo", START, END)
    assert keys.parse_raw_warc_key(old).attempt is None
    assert keys.crawl_stats_key(old) == "raw/site=demo/date=2024-11-13/20241113T000000Z_20241114T000000Z.crawl.json"


@pytest.mark.parametrize("attempt", ["", "x", "20241114T021500Z", "20241114T021500Z-XYZ", "../../etc",
                                     "20241114T021500Z-0123456789ab/x", "20241114T021500Z-0123"])
def test_bad_attempt_ids(attempt: str) -> None:
    with pytest.raises(InvalidKey, match="attempt"):
        keys.raw_warc_key("demo", START, END, attempt)
    with pytest.raises(InvalidKey):
        keys.parse_raw_warc_key(f"raw/site=demo/date=2024-11-13/20241113T000000Z_20241114T000000Z/{attempt}.warc.gz")


def test_the_record_schema_accepts_both_raw_layouts() -> None:
    import json
    import re
    from pathlib import Path

    from newsarchive import archive

    schema = json.loads((Path(archive.__file__).parent / "schemas" / "article.schema.json").read_text())
    raw = next(v for v in schema["properties"]["raw"]["anyOf"] if v.get("type") == "object")
    pattern = re.compile(raw["properties"]["warc_key"]["pattern"])
    assert pattern.match(keys.raw_warc_key("demo", START, END, ATTEMPT))
    assert pattern.match(keys.raw_warc_key("demo", START, END))
    assert not pattern.match(keys.raw_window_prefix("demo", START, END) + "../x.warc.gz")
