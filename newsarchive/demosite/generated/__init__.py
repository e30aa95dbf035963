"""A generated fixture news site at any size: by default ~400 fr/en articles over 90 days (seeded); with a
size N, exactly N public articles over up to a year (``Size``; ``python -m newsarchive.demosite.generated --articles
N``).
Feeds, sitemaps (index, monthly children split past 1,000 URLs, news), date archives, paginated sections,
duplicate URLs, a robots-disallowed section and one article that can be updated at run time. See ``routes``
for the URL layout, ``truth`` for the ground truth and ``config`` for a matching newsarchive site config.

    from newsarchive.demosite.generated import serve_generated, truth
    site = serve_generated("127.0.0.1", 0)   # site.url, site.requests, site.update_article(), site.stop()
    big = serve_generated("127.0.0.1", 0, size=20_000); truth.articles(20_000)
"""

from __future__ import annotations

from newsarchive.demosite.generated.corpus import Size
from newsarchive.demosite.generated.server import GeneratedSite, serve_generated

__all__ = ["GeneratedSite", "Size", "serve_generated"]
