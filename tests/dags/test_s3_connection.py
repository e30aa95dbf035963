"""The Airflow connection `newsarchive_s3` -> S3Options: one mapping (newsarchive.archive.s3_options), used by the DAGs'
tasks and by the UI plugin, which only read the connection."""

from __future__ import annotations

import pytest

from newsarchive.archive.errors import ArchiveError
from newsarchive.archive.s3_options import options_from_connection

ENV = {"NEWSARCHIVE_S3_REGION": "eu-west-3", "NEWSARCHIVE_S3_MAX_ATTEMPTS": "2"}


def test_connection_values_override_the_environment() -> None:
    extra = {"endpoint_url": "http://127.0.0.1:9000", "region_name": "us-east-1", "addressing_style": "path"}
    options = options_from_connection("key-id", "secret-key", extra, environ=ENV)
    assert (options.endpoint_url, options.region, options.addressing_style) == ("http://127.0.0.1:9000",
                                                                              "us-east-1", "path")
    assert (options.access_key_id, options.secret_access_key) == ("key-id", "secret-key")
    assert options.max_attempts == 2  # what the connection does not say comes from NEWSARCHIVE_S3_*
    assert "secret-key" not in repr(options)


def test_empty_connection_values_leave_the_environment_and_the_aws_chain() -> None:
    options = options_from_connection("", None, None, environ=ENV)
    assert options.region == "eu-west-3" and options.endpoint_url is None
    assert options.access_key_id is None and options.secret_access_key is None


@pytest.mark.parametrize(("login", "password", "extra", "words"), [
    ("key-id", None, {}, "both access_key_id and secret_access_key"),
    (None, None, {"endpoint_url": 9000}, "extra endpoint_url must be a string"),
    (None, None, {"endpoint_url": "ftp://minio"}, "invalid S3 endpoint URL"),
    (None, None, {"addressing_style": "sideways"}, "invalid S3 addressing style"),
])
def test_a_wrong_connection_is_an_archive_error(login: str | None, password: str | None, extra: dict[str, object],
                                                words: str) -> None:
    with pytest.raises(ArchiveError, match=words):
        options_from_connection(login, password, extra, environ={})
