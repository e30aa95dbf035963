"""The ArticleRecord JSON Schema: real records pass, broken ones fail naming the field."""

from __future__ import annotations

import json
from dataclasses import fields
from types import ModuleType
from typing import Any

import pytest

from extract.record import SCHEMA_VERSION, TRANSIENT_FIELDS, ArticleRecord
from newsarchive.archive import InvalidArticle, validate_article
from newsarchive.archive.schema import article_schema
from newsarchive.pipeline.export import ARTICLE_ARROW_SCHEMA, ARTICLE_COLUMNS


def good(worlds: ModuleType) -> dict[str, Any]:
    record: dict[str, Any] = worlds.make_record("demo", "x1", "2024-11-13T10:00:00+01:00").to_dict()
    return record


def test_schema_is_valid_draft_2020_12() -> None:
    from jsonschema import Draft202012Validator

    schema = article_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_schema_covers_exactly_the_record_fields(worlds: ModuleType) -> None:
    stored = set(good(worlds))
    derived = {"word_count", "text_sha256"}
    assert stored == {f.name for f in fields(ArticleRecord)} - set(TRANSIENT_FIELDS) | derived
    assert set(article_schema()["properties"]) == stored
    assert set(article_schema()["required"]) == stored
    assert set(ARTICLE_COLUMNS) == stored == set(ARTICLE_ARROW_SCHEMA.names)


def test_real_records_pass(local_world: Any) -> None:
    for record in local_world.records:
        validate_article(record.to_dict())
        validate_article(json.loads(record.to_json()))  # what readers get back from the archive


def test_extracted_record_passes() -> None:
    from extract import extract_article
    from extract.record import RawRef

    body = " ".join(["The council approved the new tram line after a long debate on Tuesday."] * 12)
    html = (
        '<html lang="en"><head><title>Tram line approved</title>'
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2024-11-13T09:30:00+01:00"></head>'
        f"<body><article><h1>Tram line approved</h1><p>{body}</p><p>{body}</p></article></body></html>"
    )
    record = extract_article(
        html, "https://demo.example/news/tram", site="demo", fetched_at="2024-11-13T10:00:00Z",
        raw=RawRef("raw/site=demo/date=2024-11-13/20241113T000000Z_20241114T000000Z.warc.gz", 0),
    )  # fmt: skip
    validate_article(record.to_dict())


def test_bare_dates_nulls_and_fractions_pass(worlds: ModuleType) -> None:
    record = good(worlds)
    record.update(published="2024-11-13", modified=None, language=None, raw=None, image=None, section=None,
                  fetched_at="2024-11-13T10:00:00.123456Z", authors=[], tags=[], dropped={})  # fmt: skip
    validate_article(record)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"id": "ABCDEF0123456789"}, "id", "does not match"),
        ({"id": "0123abcd"}, "id", "does not match"),
        ({"published": "13/11/2024"}, "published", "does not match"),
        ({"published": None}, "published", "None is not of type 'string'"),
        ({"published": "2024-11-13T10:00:00"}, "published", "does not match"),  # an instant needs its offset
        ({"published": "2024-02-30"}, "published", "not a real calendar date"),
        ({"modified": "yesterday"}, "modified", "does not match"),
        ({"fetched_at": "2024-11-13"}, "fetched_at", "does not match"),
        ({"schema_version": 1}, "schema_version", "2 was expected"),
        ({"access": "subscribers"}, "access", "is not one of"),
        ({"authors": "Ann Lee"}, "authors", "is not of type 'array'"),
        ({"tags": ["ok", 3]}, "tags[1]", "is not of type 'string'"),
        ({"language": "EN"}, "language", "does not match"),
        ({"language_confidence": 1.5}, "language_confidence", "greater than the maximum"),
        ({"language_source": "guessed"}, "language_source", "is not one of"),
        ({"raw": {"warc_key": "raw/x.warc.gz", "offset": 1}}, "raw.warc_key", "does not match"),
        ({"raw": {"warc_key": None, "offset": -1}}, "raw.offset", "less than the minimum"),
        ({"url": "ftp://demo.example/x"}, "url", "does not match"),
        ({"image": "/relative.jpg"}, "image", "does not match"),
        ({"site": "Demo Site"}, "site", "does not match"),
        ({"extractor": {}}, "extractor.newsarchive-extract", "is a required property"),
        ({"dropped": {"ads": -1}}, "dropped.ads", "less than the minimum"),
        ({"word_count": 999}, "word_count", "but the text has"),
        ({"text_sha256": "0" * 64}, "text_sha256", "does not match the SHA-256"),
        ({"text": " \n "}, "text", "does not match"),
        ({"surprise": 1}, "surprise", "Additional properties are not allowed"),
    ],
)
def test_bad_records_name_the_field(worlds: ModuleType, change: dict[str, Any], field: str, reason: str) -> None:
    record = {**good(worlds), **change}
    with pytest.raises(InvalidArticle) as caught:
        validate_article(record)
    assert field in caught.value.fields
    assert any(f == field and reason in r for f, r in caught.value.problems), caught.value.problems
    assert f"{field}: " in str(caught.value)


def test_missing_fields_are_all_listed(worlds: ModuleType) -> None:
    record = good(worlds)
    del record["title"], record["fetched_at"]
    record["id"] = "nope"
    with pytest.raises(InvalidArticle, match=r"invalid article record 'nope': 3 problem\(s\)") as caught:
        validate_article(record)
    assert set(caught.value.fields) == {"title", "fetched_at", "id"}


def test_not_a_dict() -> None:
    with pytest.raises(InvalidArticle, match="must be a JSON object"):
        validate_article([])  # type: ignore[arg-type]
