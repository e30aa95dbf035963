"""The extract stage's rejected pages: each counted under its registered reason and logged with its URL."""

from __future__ import annotations

import logging
from collections import Counter

from newsarchive.pipeline.results import ExtractCounts

log = logging.getLogger("newsarchive.extract")


def reject(counts: Counter[str], reason: str, url: str, detail: str, level: int = logging.INFO) -> None:
    """Count a rejected page under its registered reason (extract.REJECTION_REASONS) and log it with its URL."""
    from extract import is_rejection_reason

    if not is_rejection_reason(reason):
        raise ValueError(f"unregistered rejection reason {reason!r} (add it to extract.errors.REJECTION_REASONS)")
    counts[f"rejected.{reason}"] += 1
    if detail:
        log.log(level, "rejected %s: %s (%s)", url, reason, detail)
    else:
        log.log(level, "rejected %s: %s", url, reason)


def rejection_legend(counts: ExtractCounts) -> dict[str, str]:
    """What each rejection reason counted in ``counts`` means (the run report's legend)."""
    from extract import is_rejection_reason, reason_meaning

    return {r: reason_meaning(r) for r in sorted(counts.rejected) if is_rejection_reason(r)}
