"""`newsarchive pull` and `newsarchive stats`: the archive's analyst commands.

``add_commands(subparsers)`` registers both on the main CLI's parser; ``python -m newsarchive.pipeline.analyst_cli``
runs them on their own. Exit codes: 0 done, 1 the archive or the output failed, 2 bad arguments,
130 interrupted. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
# Libraries that log routine chatter at INFO ("Found credentials in environment variables"): kept at
# WARNING so a pull in a pipe prints nothing but the data.
QUIET_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")


class UsageError(Exception):
    """Arguments that cannot work together (exit 2)."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", action="append", metavar="S", help="site id; repeat for several (default: all)")
    parser.add_argument("--start", help="published at or after: ISO date (midnight UTC) or date-time")
    parser.add_argument("--end", help="published before: ISO date (midnight UTC) or date-time")
    parser.add_argument("--lang", action="append", metavar="L", help="language code; repeat for several")
    parser.add_argument("--access", action="append", metavar="A",
                        help="free, paywalled or metered; repeat for several (default: all)")
    parser.add_argument("--archive", metavar="URL", help="archive URL (default: $NEWSARCHIVE_URL or var/archive)")


def add_commands(subparsers: Any) -> None:
    """Register the ``pull`` and ``stats`` subcommands on the main CLI's subparsers."""
    p = subparsers.add_parser(
        "pull", help="write matching articles (with their text) as JSON Lines, Parquet or CSV",
        description="Stream the archived articles matching the filters, in publication order.",
    )  # fmt: skip
    _add_filters(p)
    p.add_argument("--contains", metavar="WORD", help="keep articles whose text contains WORD (any case)")
    p.add_argument("--format", help="jsonl, parquet or csv (default: from -o's suffix, else jsonl)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    p.add_argument("--limit", type=_positive_int, metavar="N", help="stop after N articles")
    p.add_argument("--versions", action="store_true",
                   help="write every version of each matching article, oldest first, the latest last, "
                        "with `version` (label, null for the latest) and `latest` fields")
    p.set_defaults(func=cmd_pull)

    p = subparsers.add_parser(
        "stats", help="count archived articles per site, day and language",
        description="A table of articles and words per site, publication day and language.",
    )  # fmt: skip
    _add_filters(p)
    p.add_argument("--plot", metavar="FILE.png", help="also write a PNG chart of articles per day per site")
    p.set_defaults(func=cmd_stats)


def _fail(command: str, message: str, code: int) -> int:
    print(f"newsarchive {command}: {message}", file=sys.stderr)
    return code


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    """The reader's filter keywords from the arguments, validated (InvalidQuery/InvalidKey if bad)."""
    from newsarchive.archive.query import Query

    filters = {
        "site": getattr(args, "site", None) or None,
        "start": getattr(args, "start", None),
        "end": getattr(args, "end", None),
        "lang": getattr(args, "lang", None) or None,
        "access": getattr(args, "access", None) or None,
    }
    Query.build(**filters)
    return filters


def _open(args: argparse.Namespace) -> Any:
    from newsarchive.archive.reader import open_archive
    from newsarchive.pipeline import settings

    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
    return open_archive(getattr(args, "archive", None) or settings.archive_url())


def run_command(command: str, body: Callable[[], int]) -> int:
    """Run a command body, turning every expected failure into one line on stderr and an exit code."""
    from newsarchive.archive.errors import ArchiveError, InvalidKey
    from newsarchive.archive.query import InvalidQuery
    from newsarchive.pipeline.export import ExportError

    try:
        return body()
    except UsageError as exc:
        return _fail(command, str(exc), EXIT_USAGE)
    except (InvalidQuery, InvalidKey) as exc:
        return _fail(command, str(exc), EXIT_USAGE)
    except (ArchiveError, ExportError) as exc:
        return _fail(command, str(exc), EXIT_FAILED)
    except BrokenPipeError:
        # The reader of our output went away (`| head`): stop quietly, and keep Python's exit-time
        # flush of stdout from complaining about the closed pipe.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(command, f"cannot write{where}: {exc.strerror or exc}", EXIT_FAILED)
    except KeyboardInterrupt:
        return _fail(command, "interrupted", EXIT_INTERRUPTED)


# -- pull ---------------------------------------------------------------------------------------


def output_format(fmt: str | None, output: str | None) -> str:
    """The format to write: --format, else -o's suffix, else jsonl; UsageError when impossible."""
    from newsarchive.pipeline.export import FORMATS, SUFFIX_FORMATS

    chosen = (fmt or "").strip().lower() or SUFFIX_FORMATS.get(Path(output or "").suffix.lower(), "jsonl")
    if chosen not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if chosen == "parquet" and not output:
        raise UsageError("parquet is a binary file format: give -o FILE.parquet (it is never written to stdout)")
    return chosen


@contextlib.contextmanager
def _sink(output: str | None) -> Iterator[IO[bytes]]:
    """Standard output, or a temp file beside ``output`` renamed over it only when all went well."""
    if not output:
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
    try:
        with open(tmp, "xb") as stream:
            yield stream
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _show_progress(output: str | None) -> bool:
    # A bar only for a person watching stderr, and never drawn over records going to the same terminal.
    return sys.stderr.isatty() and (bool(output) or not sys.stdout.isatty())


def cmd_pull(args: argparse.Namespace) -> int:
    """Write the matching articles to -o or stdout; return the exit code."""
    return run_command("pull", lambda: _pull(args))


def _pull(args: argparse.Namespace) -> int:
    from newsarchive.pipeline.export import open_writer

    output = getattr(args, "output", None)
    fmt = output_format(getattr(args, "format", None), output)
    if output and not Path(output).parent.is_dir():
        raise UsageError(f"cannot write {output}: folder {Path(output).parent} does not exist")
    filters = _filters(args)
    limit = getattr(args, "limit", None)
    if limit is not None and limit < 0:
        raise UsageError(f"--limit {limit} is negative")
    archive = _open(args)
    selection = archive.select(**filters)
    contains = getattr(args, "contains", None)
    total = len(selection) if contains or limit is None else min(limit, len(selection))
    versions = bool(getattr(args, "versions", False))
    with _progress(_show_progress(output), total) as advance, _sink(output) as stream:
        writer = open_writer(fmt, stream, versions)
        if versions:
            for version in archive.with_versions(selection, contains=contains, limit=limit, progress=advance):
                writer.write(version.tagged())
        else:
            for record in archive.records(selection, contains=contains, limit=limit, progress=advance):
                writer.write(record)
        writer.close()
    return EXIT_OK


@contextlib.contextmanager
def _progress(enabled: bool, total: int) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr counting fetched articles, or nothing."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("pulling"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    # redirect_stdout off: the records go to stdout's byte buffer and must not pass through rich.
    with Progress(*columns, console=Console(file=sys.stderr), redirect_stdout=False) as bar:
        task = bar.add_task("pull", total=total)
        yield lambda fetched: bar.update(task, completed=fetched)


# -- stats --------------------------------------------------------------------------------------


def cmd_stats(args: argparse.Namespace) -> int:
    """Print counts per site, day and language (and write --plot); return the exit code."""
    return run_command("stats", lambda: _stats(args))


def _stats(args: argparse.Namespace) -> int:
    from newsarchive.pipeline.plot import plot_daily

    plot = getattr(args, "plot", None)
    if plot and (Path(plot).suffix.lower() != ".png" or not Path(plot).parent.is_dir()):
        raise UsageError(f"--plot {plot}: give a .png file name in an existing folder")
    filters = _filters(args)
    archive = _open(args)
    stats = archive.stats(**filters)
    print_stats(stats, sys.stdout)
    if plot:
        plot_daily(stats, plot, title=f"Articles per day ({archive.url})")
    return EXIT_OK


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def print_stats(stats: Any, stream: IO[str]) -> None:
    """Render the stats table (site, date, language, articles, words) with rich, plus a total row."""
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream)
    rows = stats.to_pylist()
    if not rows:
        console.print("no articles match")
        return
    table = Table(title="Articles per site, day and language", show_footer=True)
    table.add_column("site", footer="total")
    table.add_column("date", footer=_count(len({r["date"] for r in rows}), "day"))
    table.add_column("language", footer=_count(len({r["language"] for r in rows}), "language"))
    table.add_column("articles", justify="right", footer=str(sum(r["articles"] for r in rows)))
    table.add_column("words", justify="right", footer=str(sum(r["words"] for r in rows)))
    for row in rows:
        table.add_row(row["site"], row["date"].isoformat(), row["language"] or "-", str(row["articles"]),
                      str(row["words"]))  # fmt: skip
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    """Run `pull` or `stats` without the main CLI (``python -m newsarchive.pipeline.analyst_cli pull ...``)."""
    parser = argparse.ArgumentParser(prog="newsarchive", description=__doc__)
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    # The same logging set-up as the main CLI, so what shows on stderr here shows there too.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
