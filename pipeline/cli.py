"""The `newsarchive` command line: the pipeline's stages without Airflow, and tools for the archive's users."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline import settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _window(args: argparse.Namespace) -> object:
    from pipeline.window import parse_window

    try:
        return parse_window(args.start, args.end)
    except ValueError as exc:
        raise SystemExit(f"newsarchive: bad window: {exc}") from None


def cmd_extract(args: argparse.Namespace) -> int:
    """Print one page's ArticleRecord as JSON (or the rejection reason on stderr, exit 1)."""
    from extract import Rejected, extract_article

    path = Path(args.page)
    try:
        html = sys.stdin.buffer.read() if args.page == "-" else path.read_bytes()
    except OSError as exc:
        print(f"newsarchive extract: cannot read {args.page}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    try:
        record = extract_article(html, args.url, site=args.site or "")
    except Rejected as exc:
        print(f"newsarchive extract: rejected ({exc.reason}): {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(record.to_json())
    return EXIT_OK


def cmd_stage(args: argparse.Namespace) -> int:
    """crawl, run or reextract one site for a window, printing the result as JSON."""
    from pipeline import stages
    from pipeline.check import QualityGateFailed
    from pipeline.siteerrors import ConfigError

    window = _window(args)
    try:
        if args.command == "reextract":
            result = stages.reextract(args.site, window, url=args.archive)  # type: ignore[arg-type]
        else:
            stage = stages.crawl if args.command == "crawl" else stages.run
            with crawl_progress(f"crawl {args.site}") as progress:
                result = stage(args.site, window, url=args.archive, progress=progress)  # type: ignore[arg-type]
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
def crawl_progress(label: str) -> Iterator[Callable[[Any], None] | None]:
    """A rich progress bar on stderr fed by the crawl's progress events (none when stderr is not a terminal)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("articles {task.fields[articles]} errors {task.fields[errors]}"), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(label, total=None, articles=0, errors=0)

        def update(event: Any) -> None:  # called from the log-forwarding thread; rich is thread-safe
            bar.update(task, completed=event.fetched, total=event.total or None,
                       articles=event.articles, errors=event.errors)

        yield update


def cmd_sites(args: argparse.Namespace) -> int:
    """List the site configs and report every mistake of every invalid one (exit 1 if any is invalid);
    with --reference, print the reference of every field instead (docs/sites.md)."""
    if args.reference:
        from pipeline.sitedoc import reference

        sys.stdout.write(reference())
        return EXIT_OK
    from pipeline.sites import load_sites

    catalog = load_sites(Path(args.sites_dir) if args.sites_dir else settings.sites_dir())
    for site in catalog.sites:
        state = "enabled " if site.enabled else "disabled"
        print(f"{site.id:16} {state} {site.schedule:14} {','.join(site.languages):8} {site.base_url}  ({site.path})")
    for error in catalog.errors:
        for line in error.lines():
            print(f"INVALID {line}", file=sys.stderr)
    return EXIT_FAILED if catalog.errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (one subcommand per stage or tool)."""
    parser = argparse.ArgumentParser(prog="newsarchive", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract one saved page and print its ArticleRecord as JSON")
    p.add_argument("page", help="path to the HTML file, or - for standard input")
    p.add_argument("--url", required=True, help="the URL the page was fetched from")
    p.add_argument("--site", help="site id to record")
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

    from pipeline.analyst_cli import add_commands

    add_commands(sub)  # pull, stats

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
