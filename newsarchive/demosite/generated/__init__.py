"""A generated fixture news site at scale: ~400 fr/en articles over 90 days (seeded), feeds, sitemaps
(index, monthly children, news), date archives, paginated sections, duplicate URLs, a robots-disallowed
section and one article that can be updated at run time. See ``routes`` for the URL layout, ``truth`` for
the ground truth and ``config`` for a matching newsarchive site config.

    from newsarchive.demosite.generated import serve_generated, truth
    site = serve_generated("127.0.0.1", 0)   # site.url, site.requests, site.update_article(), site.stop()
"""

from __future__ import annotations

from newsarchive.demosite.generated.server import GeneratedSite, serve_generated

__all__ = ["GeneratedSite", "serve_generated"]
