"""The article pages a crawl kept (200 HTML): STATS.json's ``articles`` list, written one JSON line each to
the crawl's scratch folder as they are fetched, and read back sorted by URL when the crawl is over, so the
list never sits in the spider's memory (20,000 entries for a year's backfill)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spiders.spill import SpillFifo, sorted_lines


@dataclass(frozen=True, slots=True)
class FetchedArticle:
    """An article URL fetched with a 200 HTML response (the extractor's input list)."""

    url: str
    source: str
    date_hint: str | None
    date_hint_kind: str | None
    recheck: str | None = None  # "update" or "revisit" for an archived article fetched again

    def to_json(self) -> dict[str, Any]:
        """The STATS.json form."""
        return {"url": self.url, "source": self.source, "date_hint": self.date_hint,
                "date_hint_kind": self.date_hint_kind, "recheck": self.recheck}


def _url_of(line: str) -> str:
    url: str = json.loads(line)["url"]
    return url


class FetchedArticles:
    """The kept article pages, in a spill queue (``spiders.spill``) in ``folder``. OSError when the scratch
    folder cannot be written or read."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._lines = SpillFifo(folder)

    def __len__(self) -> int:
        return len(self._lines)

    def add(self, article: FetchedArticle) -> None:
        """Record one kept page."""
        self._lines.push(json.dumps(article.to_json(), sort_keys=True))

    def sorted_json(self) -> Iterator[str]:
        """Each page's STATS.json object as JSON, sorted by URL (the queue is emptied)."""
        return sorted_lines(self._lines, _url_of, self.folder)

    def close(self) -> None:
        """Drop the scratch file (idempotent)."""
        self._lines.close()
