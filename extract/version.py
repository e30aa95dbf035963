"""Version of the extraction rules, and the versions of the libraries behind them."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import trafilatura

# Bump when extraction output may change for the same page (rules, patterns, options).
EXTRACTOR_VERSION = "1.0.0"


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


# Read once at import: records carry it, and re-extraction compares it.
EXTRACTOR_VERSIONS: dict[str, str] = {
    "newsarchive-extract": EXTRACTOR_VERSION,
    "trafilatura": str(trafilatura.__version__),
    "langdetect": _package_version("langdetect"),
}
