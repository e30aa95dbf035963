"""A newsarchive site config (sites/<id>.toml) for the generated site at any base URL."""

from __future__ import annotations

from pathlib import Path

from newsarchive.demosite.generated.corpus import FIRST_DAY, LAST_DAY, PUBLIC_SECTIONS

SITE_TOML = """\
# The generated fixture site (newsarchive.demosite.generated), served on 127.0.0.1 by tests and benchmarks.
id = "{site_id}"
name = "Generated News (fixture)"
enabled = true
base_url = "{base_url}"
languages = ["fr", "en"]
timezone = "Europe/Paris"
schedule = "0 0 * * *"
start_date = "{first}"
end_date = "{last}"

[discovery]
feeds = ["/rss.xml"]
sitemaps = ["/sitemap.xml"]
sections = [{sections}]
date_archive = "/archive/{{yyyy}}/{{mm}}/{{dd}}/"
article_allow = ['^/[a-z]+/\\d{{4}}/\\d{{2}}/\\d{{2}}/[a-z0-9-]+/?$']
max_section_pages = {max_section_pages}

[politeness]
obey_robots = {obey_robots}
download_delay = {delay}
concurrency = {concurrency}
autothrottle = false
allow_private_addresses = true

[checks]
min_articles = {min_articles}
"""


def site_toml(base_url: str, site_id: str = "gen", *, obey_robots: bool = True, delay: float = 0.0,
              concurrency: int = 8, max_section_pages: int = 3, min_articles: int = 0,
              revisit_after: tuple[str, ...] = (), revisit_budget: int | None = None) -> str:
    """The TOML text of a site config for the generated site served at base_url (an [updates] table when
    revisit_after or revisit_budget is given)."""
    text = SITE_TOML.format(
        site_id=site_id, base_url=base_url, first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat(),
        sections=", ".join(f'"/{s}/"' for s in PUBLIC_SECTIONS), max_section_pages=max_section_pages,
        obey_robots=str(obey_robots).lower(), delay=delay, concurrency=concurrency, min_articles=min_articles)
    if revisit_after or revisit_budget is not None:
        text += "\n[updates]\nrevisit_after = [" + ", ".join(f'"{age}"' for age in revisit_after) + "]\n"
        if revisit_budget is not None:
            text += f"revisit_budget = {revisit_budget}\n"
    return text


def write_site_config(sites_dir: Path, base_url: str, site_id: str = "gen", **options: object) -> Path:
    """Write sites_dir/<site_id>.toml for the generated site at base_url (options as for site_toml)."""
    sites_dir.mkdir(parents=True, exist_ok=True)
    path = sites_dir / f"{site_id}.toml"
    path.write_text(site_toml(base_url, site_id, **options), encoding="utf-8")  # type: ignore[arg-type]
    return path
