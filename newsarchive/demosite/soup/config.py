"""A newsarchive site config (sites/<id>.toml) for the soup site at any base URL."""

from __future__ import annotations

from pathlib import Path

SITE_TOML = """\
# The soup fixture site (newsarchive.demosite.soup): hashed class names, captions beside the body's paragraphs.
id = "{site_id}"
name = "Soup Daily (fixture)"
enabled = true
base_url = "{base_url}"
languages = ["fr", "en"]
timezone = "Europe/Paris"
schedule = "0 0 * * *"
start_date = "2024-10-01"
end_date = "2025-02-01"

[discovery]
feeds = ["/rss.xml"]
sitemaps = ["/sitemap.xml"]
article_allow = ['^/\\d{{4}}/\\d{{2}}/\\d{{2}}/[a-z0-9-]+$']

[politeness]
download_delay = 0.0
concurrency = 8
autothrottle = false
allow_private_addresses = true

[checks]
min_articles = 0
"""


def site_toml(base_url: str, site_id: str = "soup") -> str:
    """The TOML text of a site config for the soup site served at base_url."""
    return SITE_TOML.format(site_id=site_id, base_url=base_url)


def write_site_config(sites_dir: Path, base_url: str, site_id: str = "soup") -> Path:
    """Write sites_dir/<site_id>.toml for the soup site at base_url."""
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{site_id}.toml"
    path.write_text(site_toml(base_url, site_id), encoding="utf-8")
    return path
