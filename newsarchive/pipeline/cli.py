"""The `newsarchive` command line: the pipeline's stages without Airflow, and tools for the archive's users."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from newsarchive.pipeline import settings

if TYPE_CHECKING:
    from newsarchive.instants import Window
    from newsarchive.pipeline.crawl_stage import ProgressCallback, ProgressEvent

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _window(args: argparse.Namespace) -> Window:
    from newsarchive.instants import parse_window

    try:
        return parse_window(args.start, args.end)
    except ValueError as exc:
        raise SystemExit(f"newsarchive: bad window: {exc}") from None


def cmd_extract(args: argparse.Namespace) -> int:
    """Print one page's ArticleRecord as JSON (or the rejection reason on stderr, exit 1).

    The page is extracted in a worker process under the same per-page time limit as the extract stage, so a
    page that would run for minutes is a clear ``too_slow`` rejection here too.
    """
    from extract.hints import DEFAULT_MAX_BYTES
    from newsarchive.pipeline.extract_pool import ExtractPool, Page, pool_settings

    try:
        settings = pool_settings(1, args.page_timeout) if args.page_timeout else pool_settings(1)
        # Read one byte past the limit: the extractor then refuses the page as too_large without more memory.
        if args.page == "-":
            html = sys.stdin.buffer.read(DEFAULT_MAX_BYTES + 1)
        else:
            with Path(args.page).open("rb") as stream:
                html = stream.read(DEFAULT_MAX_BYTES + 1)
    except OSError as exc:
        print(f"newsarchive extract: cannot read {args.page}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:
        print(f"newsarchive extract: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with ExtractPool(1, settings.page_timeout_s, site=args.site or "") as pool:
        outcome = next(pool.extract([Page(html, args.url)]))
    if outcome.record is None:
        print(f"newsarchive extract: rejected ({outcome.reason}): {outcome.detail}", file=sys.stderr)
        return EXIT_FAILED
    print(outcome.record.to_json())
    return EXIT_OK


def cmd_stage(args: argparse.Namespace) -> int:
    """crawl, run or reextract one site for a window, printing the result as JSON."""
    from newsarchive.pipeline import stages
    from newsarchive.pipeline.check import QualityGateFailed
    from newsarchive.pipeline.siteerrors import ConfigError

    window = _window(args)
    try:
        if args.command == "reextract":
            result = stages.reextract(args.site, window, url=args.archive).to_xcom()
        else:
            with crawl_progress(f"crawl {args.site}") as progress:
                if args.command == "crawl":
                    result = stages.crawl(args.site, window, url=args.archive, progress=progress).to_xcom()
                else:
                    result = stages.run(args.site, window, url=args.archive, progress=progress).to_xcom()
    except (KeyError, LookupError) as exc:
        print(f"newsarchive {args.command}: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:  # a site file or window the crawl spec refuses (e.g. a window over a year)
        print(f"newsarchive {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except QualityGateFailed as exc:
        print(f"newsarchive {args.command}: quality gate failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(result, indent=1, ensure_ascii=False, default=str))
    return EXIT_OK


@contextlib.contextmanager
def crawl_progress(label: str) -> Iterator[ProgressCallback | None]:
    """A rich progress bar on stderr fed by the crawl's progress events (none when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("articles {task.fields[articles]} errors {task.fields[errors]}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=None, articles=0, errors=0)

        def update(event: ProgressEvent) -> None:  # called from the log-forwarding thread; rich is thread-safe
            bar.update(task, completed=event.fetched, total=event.total or None,
                       articles=event.articles, errors=event.errors)

        yield update


def cmd_sites(args: argparse.Namespace) -> int:
    """List the site configs and report every mistake of every invalid one (exit 1 if any is invalid);
    with --reference, print the reference of every field instead (docs/sites.md)."""
    if args.reference:
        from newsarchive.pipeline.sitedoc import reference

        sys.stdout.write(reference())
        return EXIT_OK
    from newsarchive.pipeline.sites import load_sites

    catalog = load_sites(Path(args.sites_dir) if args.sites_dir else settings.sites_dir())
    for site in catalog.sites:
        state = "enabled " if site.enabled else "disabled"
        print(f"{site.id:16} {state} {site.schedule:14} {','.join(site.languages):8} {site.base_url}  ({site.path})")
    for error in catalog.errors:
        for line in error.lines():
            print(f"INVALID {line}", file=sys.stderr)
    return EXIT_FAILED if catalog.errors else EXIT_OK


def cmd_takedown(args: argparse.Namespace) -> int:
    """Take an article down for good (see newsarchive.pipeline.takedown); print what was removed as JSON."""
    from newsarchive.archive.errors import ArchiveError
    from newsarchive.pipeline import stages
    from newsarchive.pipeline.extract_stage import now_iso
    from newsarchive.pipeline.takedown import TakedownError, takedown

    try:
        result = takedown(stages.open_archive(args.archive), args.site, url=args.url, article_id=args.id,
                          reason=args.reason, requested_by=args.by, requested_at=now_iso(), raw=not args.keep_raw)
    except (TakedownError, ValueError) as exc:
        print(f"newsarchive takedown: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ArchiveError as exc:
        print(f"newsarchive takedown: {exc} (run it again: it carries on where it stopped)", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return EXIT_OK


def cmd_compact(args: argparse.Namespace) -> int:
    """Compact closed months of the archive (see newsarchive.pipeline.compaction); print a summary per site as JSON."""
    from datetime import UTC, datetime

    from newsarchive.archive.errors import ArchiveError
    from newsarchive.archive.reader import Archive
    from newsarchive.instants import parse_day
    from newsarchive.pipeline import stages
    from newsarchive.pipeline.compaction import compact_site, parse_month

    try:
        months = [parse_month(m) for m in args.month] if args.month else None
        as_of = parse_day(args.as_of) if args.as_of else datetime.now(UTC).date()
        store = stages.open_archive(args.archive)
        sites = args.site or Archive(store).sites()
        results = [compact_site(store, site, as_of=as_of, months=months, grace_days=args.grace_days)
                   for site in sites]
    except ValueError as exc:
        print(f"newsarchive compact: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ArchiveError as exc:
        print(f"newsarchive compact: {exc} (safe to run again)", file=sys.stderr)
        return EXIT_FAILED
    print(json.dumps(results, indent=1))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (one subcommand per stage or tool)."""
    parser = argparse.ArgumentParser(prog="newsarchive", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract one saved page and print its ArticleRecord as JSON")
    p.add_argument("page", help="path to the HTML file, or - for standard input")
    p.add_argument("--url", required=True, help="the URL the page was fetched from")
    p.add_argument("--site", help="site id to record")
    p.add_argument("--page-timeout", type=float, metavar="SECONDS",
                   help="CPU seconds the page may take (default: $NEWSARCHIVE_EXTRACT_PAGE_TIMEOUT_S or 20)")
    p.set_defaults(func=cmd_extract)

    for name, text in (("crawl", "crawl a site for a window into the archive's WARC"),
                       ("run", "crawl + extract + check a site for a window, without Airflow"),
                       ("reextract", "rebuild a window's articles, index and reports from the stored WARC, offline")):
        p = sub.add_parser(name, help=text)
        p.add_argument("site", help="site id (see `newsarchive sites`)")
        p.add_argument("--start", required=True, help="window start, ISO date or date-time (inclusive)")
        p.add_argument("--end", required=True, help="window end, ISO date or date-time (exclusive)")
        p.add_argument("--archive", help="archive URL (default: $NEWSARCHIVE_URL or var/archive)")
        p.set_defaults(func=cmd_stage)

    from newsarchive.pipeline.analyst_cli import add_commands

    add_commands(sub)  # pull, stats

    p = sub.add_parser("takedown", help="remove an article and all its versions from the archive, for good",
                       description="Remove an article (by URL or id) from articles/, versions/, the index, the "
                                   "bundles and the history; overwrite its raw responses; keep later crawls and "
                                   "re-extractions from bringing it back. Writes an audit record without the text.")
    p.add_argument("--site", required=True, help="site id")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--url", help="the article's URL or canonical URL")
    which.add_argument("--id", help="the article id (16 hex digits)")
    p.add_argument("--reason", required=True, help="why (kept in the audit record)")
    p.add_argument("--by", help="who asked (default: $NEWSARCHIVE_OPERATOR, else the user name)")
    p.add_argument("--keep-raw", action="store_true", help="leave the raw responses in the WARCs")
    p.add_argument("--archive", help="archive URL (default: $NEWSARCHIVE_URL or var/archive)")
    p.set_defaults(func=cmd_takedown)

    p = sub.add_parser("compact", help="fold closed months' daily index/bundle/history files into one per month")
    p.add_argument("--site", action="append", help="site id; repeat for several (default: every site)")
    p.add_argument("--month", action="append", metavar="YYYY-MM", help="compact this month (default: every "
                   "closed month with daily files)")
    p.add_argument("--as-of", help="a month is closed once it ended --grace-days before this date (default: today)")
    p.add_argument("--grace-days", type=int, default=None, help="default 2")
    p.add_argument("--archive", help="archive URL (default: $NEWSARCHIVE_URL or var/archive)")
    p.set_defaults(func=cmd_compact)

    p = sub.add_parser("sites", help="list and validate the site configs")
    p.add_argument("--sites-dir", help="folder of site TOML files (default: $NEWSARCHIVE_SITES_DIR or sites/)")
    p.add_argument("--reference", action="store_true",
                   help="print the reference of every site-file field (type, default, range), as docs/sites.md")
    p.set_defaults(func=cmd_sites)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsarchive` console script."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
