"""Address policy and the failure -> reason mapping."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from spiders.middlewares import address_is_private, resolve_is_private
from spiders.reasons import (
    ERROR_REASONS,
    SKIP_REASONS,
    DuplicateRedirect,
    OffsiteRedirect,
    PrivateAddress,
    RedirectLoop,
    RobotsDisallowed,
    classify_failure,
)


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True), ("10.1.2.3", True), ("172.16.0.1", True), ("192.168.1.1", True),
        ("169.254.169.254", True), ("0.0.0.0", True), ("100.64.0.1", True), ("::1", True),
        ("fe80::1%eth0", True), ("fc00::1", True), ("::ffff:127.0.0.1", True), ("224.0.0.1", True),
        ("93.184.216.34", False), ("2606:4700::1111", False), ("::ffff:8.8.8.8", False),
    ],
)
def test_address_is_private(address: str, private: bool) -> None:
    assert address_is_private(address) is private


def test_resolve_is_private_for_literals_and_names() -> None:
    assert resolve_is_private("127.0.0.1")
    assert resolve_is_private("[::1]")
    assert resolve_is_private("localhost")  # resolves to loopback
    assert not resolve_is_private("8.8.8.8")
    # An unresolvable name is left to the download, which counts it as a dns error.
    assert not resolve_is_private("does-not-exist.invalid")


def test_classify_failures() -> None:
    request = Request("http://h/x")
    assert classify_failure(RobotsDisallowed("x")) == ("skipped", "robots")
    assert classify_failure(PrivateAddress("x")) == ("skipped", "private_address")
    assert classify_failure(OffsiteRedirect("x")) == ("skipped", "offsite")
    assert classify_failure(DuplicateRedirect("x")) == ("skipped", "duplicate")
    assert classify_failure(RedirectLoop("x")) == ("errors", "redirect_loop")
    assert classify_failure(HttpError(Response("http://h/x", status=410, request=request))) == ("errors",
                                                                                                "http_410")
    assert classify_failure(DownloadTimeoutError()) == ("errors", "timeout")
    assert classify_failure(CannotResolveHostError()) == ("errors", "dns")
    assert classify_failure(DownloadConnectionRefusedError()) == ("errors", "connection")
    assert classify_failure(DownloadCancelledError()) == ("errors", "too_large")
    assert classify_failure(IgnoreRequest()) == ("skipped", "ignored")
    try:
        try:
            raise _DecompressionMaxSizeExceeded(2000, 1000)
        except _DecompressionMaxSizeExceeded as exc:
            raise IgnoreRequest("too big") from exc
    except IgnoreRequest as exc:
        assert classify_failure(exc) == ("errors", "too_large")
    assert classify_failure(RuntimeError()) == ("errors", "other")


def test_reason_exceptions_use_known_codes() -> None:
    for cls in (RobotsDisallowed, PrivateAddress, OffsiteRedirect, DuplicateRedirect):
        assert cls.reason in SKIP_REASONS and issubclass(cls, IgnoreRequest)
    assert RedirectLoop.reason in ERROR_REASONS
    assert str(RobotsDisallowed("http://h/p")) == "robots: http://h/p"
