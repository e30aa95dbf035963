"""The Scrapy side of newsarchive: discover and fetch one site's articles for a window, record it all as WARC.

Run as ``python -m spiders.runner --spec SPEC.json --warc-out OUT.warc.gz --stats-out STATS.json``.
Modules: ``spec`` (the spec), ``urls`` (allowed origins, fetch URLs and dedup keys; the canonical form is
``urlcanon``'s), ``dates`` (date hints, window test), ``discovery`` (feeds, sitemaps, robots.txt), ``pages``
(listing pages), ``spider`` (NewsSpider), ``middlewares`` (origins, private addresses, robots.txt, redirects),
``retry`` (Retry-After and backoff), ``incremental`` (what the archive already holds), ``rechecks``
(conditional re-checks of archived articles: updates and revisits), ``warc`` (WARC capture),
``reasons`` (why things were dropped), ``stats`` (STATS.json), ``progress`` (progress lines), ``settings``
(Scrapy settings), ``lifeline`` (the spider dies with its parent), ``crawl`` (the command).
"""
