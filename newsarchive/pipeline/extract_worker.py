"""One extract worker process (``python -m newsarchive.pipeline.extract_worker``), started and fed by
newsarchive.pipeline.extract_pool.

It reads requests on stdin and answers on what was stdout (fd 1 is then pointed at stderr, so a library that
prints cannot corrupt the channel). Every message is a frame: an 8-byte big-endian length, then a pickle.
The worker first answers ``("ready", pid)`` once its imports are done and a warm-up page was extracted, then
for each request ``(seq, cpu_limit_s, page_kwargs)`` answers ``(seq, kind, payload, logs)`` with kind ``ok``
(an ArticleRecord), ``rejected`` ((reason, detail)) or ``error`` (a traceback). EOF on stdin ends it.

The per-page limit holds in C code too: an ITIMER_PROF timer of ``cpu_limit_s`` CPU seconds is armed for each
page, and SIGPROF's default action terminates the process wherever it is (inside libxml2 included); the pool
sees the signal in the exit status and counts the page as ``too_slow``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import Callable
from typing import Any, BinaryIO, NoReturn

HEADER = struct.Struct(">Q")
# Log records of the extraction libraries at this level and above go back to the pool with the page's answer.
FORWARDED_LOG_LEVEL = logging.WARNING
WARM_UP_PAGE = (
    "<!DOCTYPE html><html lang='en'><head><title>Warm-up</title></head><body><article><p>"
    + "This paragraph loads the language profiles and the parsers before the first real page. " * 8
    + "</p></article></body></html>"
)


def read_frame(stream: BinaryIO) -> Any:
    """The next message, or None at EOF (also when the stream ends inside a frame)."""
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    payload = _read_exactly(stream, HEADER.unpack(header)[0])
    return None if payload is None else pickle.loads(payload)


def write_frame(stream: BinaryIO, message: Any) -> None:
    """Send one message (length, then pickle) and flush it."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class LogCollector(logging.Handler):
    """Keeps the log records (FORWARDED_LOG_LEVEL and above) of the request being answered, to send them back
    with its answer; installed on the root logger by ``collect_logs``."""

    def __init__(self) -> None:
        super().__init__(FORWARDED_LOG_LEVEL)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.records.append((record.name, record.levelno, record.getMessage()))
        except Exception:  # a record whose message cannot be formatted is not worth losing the answer for
            self.records.append((record.name, record.levelno, str(record.msg)))

    def take(self) -> list[tuple[str, int, str]]:
        """The records kept since the last call."""
        taken, self.records = self.records, []
        return taken


def collect_logs() -> LogCollector:
    """A LogCollector on the root logger, which lets through FORWARDED_LOG_LEVEL and above."""
    collector = LogCollector()
    logging.getLogger().addHandler(collector)
    logging.getLogger().setLevel(FORWARDED_LOG_LEVEL)
    return collector


def run_worker(serve: Callable[[BinaryIO, BinaryIO], None]) -> NoReturn:
    """A worker's entry point: fd 1 becomes the answer channel and then points at stderr (a library that prints
    cannot corrupt the channel); ``serve`` reads requests on stdin until EOF.

    At EOF (or when the parent went away) the process leaves at once, without the interpreter's teardown:
    freeing an extract worker's language profiles and parser caches object by object took 0.2 s, which the
    stage waited for on its critical path once per worker. Nothing is left to flush but the streams, flushed
    here; an exception still ends the worker the usual way, with its traceback."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with contextlib.suppress(BrokenPipeError):  # the parent went away: nothing left to answer
        serve(sys.stdin.buffer, answers)
    for stream in (answers, sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):
            stream.flush()
    os._exit(0)


def _extract(page: dict[str, Any]) -> tuple[str, Any]:
    from extract import Rejected, extract_article

    try:
        return "ok", extract_article(**page)
    except Rejected as exc:
        return "rejected", (exc.reason, exc.detail)
    except Exception:  # an extractor bug on one page: reported with its traceback, the worker goes on
        return "error", traceback.format_exc()


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer requests until EOF (see the module docstring for the protocol)."""
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # an overrun page ends the process, even inside C code
    collector = collect_logs()
    _extract({"html": WARM_UP_PAGE, "url": "https://warm-up.invalid/"})
    collector.records.clear()
    write_frame(answers, ("ready", os.getpid()))
    while (request := read_frame(requests)) is not None:
        seq, cpu_limit_s, page = request
        signal.setitimer(signal.ITIMER_PROF, cpu_limit_s)
        try:
            kind, payload = _extract(page)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        write_frame(answers, (seq, kind, payload, collector.take()))


if __name__ == "__main__":
    run_worker(serve)
