"""`newsarchive compact` and the maintenance DAG's task: compact a site's closed months.

``compact_site`` finds the site's months that ended at least ``grace_days`` before ``as_of`` and still have
daily index, bundle or history files (never compacted, or written into after a compaction: a late backfill,
a re-extraction, an update of an old article), and folds each into its month files (``newsarchive.archive.compaction``).
A month another compaction holds is skipped and reported, never waited for.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from newsarchive.instants import parse_day

if TYPE_CHECKING:
    from newsarchive.archive.store import Store

log = logging.getLogger("newsarchive.compaction")


def parse_month(text: str) -> date:
    """``YYYY-MM`` as the month's first day (ValueError otherwise)."""
    try:
        return parse_day(text.strip() + "-01")
    except ValueError:
        raise ValueError(f"not a month: {text!r} (expected YYYY-MM)") from None


def compact_site(store: Store, site_id: str, *, as_of: date, months: list[date] | None = None,
                 grace_days: int | None = None) -> dict[str, Any]:
    """Compact ``months`` of the site (default: every closed month with daily files); a JSON-able summary."""
    from newsarchive.archive.compaction import DEFAULT_GRACE_DAYS, compact_month, months_to_compact
    from newsarchive.archive.keys import check_site
    from newsarchive.archive.lease import LeaseBusy
    from newsarchive.pipeline import settings

    check_site(site_id)
    grace = DEFAULT_GRACE_DAYS if grace_days is None else grace_days
    chosen = months if months is not None else months_to_compact(store, site_id, as_of, grace)
    results, busy = [], []
    for month in chosen:
        try:
            results.append(compact_month(store, site_id, month, workdir=settings.work_dir()).to_dict())
        except LeaseBusy as exc:
            log.warning("%s %s skipped: %s", site_id, f"{month:%Y-%m}", exc)
            busy.append(f"{month:%Y-%m}")
    return {"site": site_id, "as_of": as_of.isoformat(), "months": results, "busy": busy,
            "folded": sum(r["folded"] for r in results)}
