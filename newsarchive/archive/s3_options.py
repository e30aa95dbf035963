"""S3Options: how to reach an S3 API (AWS S3, MinIO, Ceph RGW, moto), and the boto3 client built from it.

Kept apart from the store so configuration code (CLI, DAGs building options from an Airflow connection)
can read and validate settings without touching the network. boto3 is imported only when a client is
built.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from newsarchive.archive.errors import ArchiveError

ADDRESSING_STYLES = ("auto", "path", "virtual")

# Environment variables read by S3Options.from_env (credentials are NOT among them: they come from
# explicit options or boto3's normal chain: AWS_* variables, shared config files, instance roles).
ENV_ENDPOINT_URL = "NEWSARCHIVE_S3_ENDPOINT_URL"
ENV_REGION = "NEWSARCHIVE_S3_REGION"
ENV_ADDRESSING_STYLE = "NEWSARCHIVE_S3_ADDRESSING_STYLE"
ENV_MAX_ATTEMPTS = "NEWSARCHIVE_S3_MAX_ATTEMPTS"
ENV_CONNECT_TIMEOUT = "NEWSARCHIVE_S3_CONNECT_TIMEOUT"
ENV_READ_TIMEOUT = "NEWSARCHIVE_S3_READ_TIMEOUT"

_SECRET_FIELDS = ("access_key_id", "secret_access_key", "session_token")


@dataclass(frozen=True, repr=False)
class S3Options:
    """Connection settings for S3Store. ``None`` means "let boto3 decide" (its env vars and config files).

    Defaults suit production: 5 attempts in botocore's "standard" retry mode, 10 s to connect, 60 s
    per read. Credentials never appear in repr/str.
    """

    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: str = "auto"
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    max_attempts: int = 5
    connect_timeout: float = 10.0
    read_timeout: float = 60.0

    def __post_init__(self) -> None:
        if self.addressing_style not in ADDRESSING_STYLES:
            raise ArchiveError(f"invalid S3 addressing style {self.addressing_style!r}: use one of {ADDRESSING_STYLES}")
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise ArchiveError(f"invalid S3 max_attempts {self.max_attempts!r}: must be an integer")
        if not 1 <= self.max_attempts <= 50:
            raise ArchiveError(f"invalid S3 max_attempts {self.max_attempts}: must be 1..50")
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3600:
                raise ArchiveError(f"invalid S3 {name} {value!r}: must be seconds in (0, 3600]")
        if self.endpoint_url is not None:
            parts = urlsplit(self.endpoint_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ArchiveError(
                    f"invalid S3 endpoint URL {redact_url(self.endpoint_url)!r}: need http(s)://host[:port]"
                )
        if (self.access_key_id is None) != (self.secret_access_key is None):
            raise ArchiveError("S3 credentials need both access_key_id and secret_access_key, or neither")

    def __repr__(self) -> str:
        shown = []
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in _SECRET_FIELDS and value is not None:
                shown.append(f"{name}='***'")
            elif name == "endpoint_url" and value is not None:
                shown.append(f"{name}={redact_url(value)!r}")
            else:
                shown.append(f"{name}={value!r}")
        return f"S3Options({', '.join(shown)})"

    __str__ = __repr__

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> S3Options:
        """Options from NEWSARCHIVE_S3_* variables (unset ones keep their defaults).

        Without NEWSARCHIVE_S3_ENDPOINT_URL the endpoint stays None, so boto3 applies its own
        AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL handling. NEWSARCHIVE_S3_REGION is optional
        (else AWS_REGION / AWS_DEFAULT_REGION / config files through boto3).
        """
        env = os.environ if environ is None else environ

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def number(name: str, kind: type[int] | type[float], default: Any) -> Any:
            value = text(name)
            if value is None:
                return default
            try:
                return kind(value)
            except ValueError:
                raise ArchiveError(f"{name}={value!r} is not a valid {kind.__name__}") from None

        defaults = cls()
        return cls(
            endpoint_url=text(ENV_ENDPOINT_URL),
            region=text(ENV_REGION),
            addressing_style=(text(ENV_ADDRESSING_STYLE) or defaults.addressing_style).lower(),
            max_attempts=number(ENV_MAX_ATTEMPTS, int, defaults.max_attempts),
            connect_timeout=number(ENV_CONNECT_TIMEOUT, float, defaults.connect_timeout),
            read_timeout=number(ENV_READ_TIMEOUT, float, defaults.read_timeout),
        )

    def client(self) -> Any:
        """A boto3 S3 client configured from these options (own Session: safe across threads)."""
        import boto3
        from botocore.config import Config

        # Typed Any: botocore-stubs want a Literal here, __post_init__ already checked the value.
        s3_config: Any = {"addressing_style": self.addressing_style}
        config = Config(
            retries={"mode": "standard", "max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            s3=s3_config,
            # botocore >= 1.36 adds CRC checksums (and aws-chunked uploads) by default, which several
            # S3-compatible servers (older MinIO, Ceph RGW) reject; we store our own sha256 instead.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        session = boto3.session.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
            region_name=self.region,
        )
        # S3 authenticates with signed keys, never with a URL's user:password: botocore would only log them.
        return session.client("s3", endpoint_url=redact_url(self.endpoint_url), config=config)


def options_from_connection(login: str | None, password: str | None, extra: Mapping[str, Any] | None,
                            environ: Mapping[str, str] | None = None) -> S3Options:
    """S3Options from a connection's plain values, over the NEWSARCHIVE_S3_* settings (S3Options.from_env).

    The one mapping of the Airflow connection ``newsarchive_s3`` (the DAGs and the UI plugin read the
    connection, this maps it): login = access key id, password = secret key, extra ``endpoint_url``,
    ``region_name`` and ``addressing_style``. Empty values leave the setting to the environment.
    """
    extra = extra or {}
    values: dict[str, Any] = {"endpoint_url": extra.get("endpoint_url"), "region": extra.get("region_name"),
              "addressing_style": extra.get("addressing_style"), "access_key_id": login,
              "secret_access_key": password}
    for name in ("endpoint_url", "region_name", "addressing_style"):
        if extra.get(name) is not None and not isinstance(extra[name], str):
            raise ArchiveError(f"the S3 connection's extra {name} must be a string, got {type(extra[name]).__name__}")
    return dataclasses.replace(S3Options.from_env(environ), **{k: v for k, v in values.items() if v})


def redact_url(url: str | None) -> str | None:
    """``url`` without any user:password part (endpoints are shown in messages, credentials never)."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
