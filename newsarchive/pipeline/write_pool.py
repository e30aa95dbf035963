"""The extract stage's second pass on both cores: publication days written by several processes at once.

Each publication day is its own partition: its article objects, bundle and index share nothing with another
day's, so days can be written in any order and at once. ``write_days`` hands each day to
``extract_write.write_day``, in this process for a small window (below ``PARALLEL_MIN_ARTICLES``), with one
worker, or when the store cannot be opened by another process (``store.store_opener``: a wrapper, a test's
store); otherwise to ``DayWriters``: as many write workers (``python -m newsarchive.pipeline.write_worker``) as
the stage's pool had, started once the pool's own are stopped (an extract worker that went on to write days
peaked 60 MiB higher, for no measurable time saved). They open the same archive and read the spill by its path,
one day per request, the next day going to whichever worker is free. Either way the days come back in day
order with the same content, so the archive is the same byte for byte (tests/pipeline/test_extract_passes.py,
tests/pipeline/test_write_pool.py).

A day that fails in a worker raises its own exception here (a store error stays a store error: the task is
retried as it would be), with the worker's traceback in a note; a worker that dies (the OOM killer) raises
``WriteWorkerError``. Either way the workers are stopped and the stage fails: no day is lost silently, and
the rerun rewrites what was written (the writes are idempotent: newsarchive.pipeline.versions).
"""

from __future__ import annotations

import logging
import os
import pickle
import select
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.pipeline.extract_pool import spawn_worker, stop_workers
from newsarchive.pipeline.extract_worker import read_frame, write_frame

if TYPE_CHECKING:
    import subprocess

    from newsarchive.archive.store import Store
    from newsarchive.pipeline.extract_pool import ExtractPool
    from newsarchive.pipeline.extract_spill import Kept, Spill
    from newsarchive.pipeline.extract_write import DayJob, DayWrite

log = logging.getLogger("newsarchive.extract")

# Below this many articles in the window the days are written in the task process: setting the workers up
# (imports, the archive) and the round trips would cost about what the second core gives back.
PARALLEL_MIN_ARTICLES = 500
ENV_PARALLEL_MIN = "NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES"
WORKER_MODULE = "newsarchive.pipeline.write_worker"

Days = list[tuple[date, list["Kept"]]]


class WriteWorkerError(RuntimeError):
    """A write worker died, or could not start: the stage fails and its task is retried."""


def parallel_min_articles(env: dict[str, str] | None = None) -> int:
    """The smallest window (articles) written by worker processes: NEWSARCHIVE_WRITE_PARALLEL_MIN_ARTICLES, or
    PARALLEL_MIN_ARTICLES. ValueError for a value that is not a whole number >= 0."""
    value = (os.environ if env is None else env).get(ENV_PARALLEL_MIN, "").strip()
    if not value:
        return PARALLEL_MIN_ARTICLES
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"{ENV_PARALLEL_MIN}={value!r} is not a whole number of articles >= 0")
    return number


def write_days(job: DayJob, store: Store, spill: Spill, days: Days, pool: ExtractPool) -> Iterator[DayWrite]:
    """Write the days (in day order, as given), yielding what each gave in the same order: in worker processes
    when the window is big enough, the stage's ``pool`` has two workers or more, and the store can be reopened in
    them (the pool is closed first, its workers' memory freed); in this process otherwise."""
    from newsarchive.archive.store import store_opener
    from newsarchive.pipeline.extract_write import write_day

    workers = min(pool.size, len(days))
    articles = sum(len(entries) for _, entries in days)
    opener = store_opener(store) if workers > 1 and articles >= parallel_min_articles() else None
    if opener is None:
        for day, entries in days:
            yield write_day(job, store, spill, day, entries)
        return
    spill.flush()  # the workers read the records from the file
    log.info("%s: writing %d publication days (%d articles) with %d write workers", job.site.id, len(days),
             articles, workers)
    pool.close()  # the pages are done: their workers' memory goes before the writers start
    with DayWriters(workers, opener, spill.path, job) as writers:
        yield from writers.write(days)


@dataclass(eq=False)
class _Writer:
    proc: subprocess.Popen[bytes]
    seq: int | None = None  # the day it is writing (its place in the days given)


class DayWriters:
    """Write worker processes for one window; a context manager (the workers stop on exit)."""

    def __init__(self, size: int, opener: partial[Store], spill_path: Path, job: DayJob) -> None:
        if size < 1:
            raise ValueError(f"need at least one write worker, got {size}")
        self.size, self.opener, self.spill_path, self.job = size, opener, spill_path, job
        self.writers: list[_Writer] = []

    def __enter__(self) -> DayWriters:
        try:
            # Every worker starts (imports) at once; each is set up once it reads its first request.
            self.writers = [_Writer(spawn_worker(WORKER_MODULE)) for _ in range(self.size)]
            setup = ("setup", self.opener, str(self.spill_path), self.job)
            for writer in self.writers:
                self._send(writer, setup)
            for writer in self.writers:
                answer = self._answer(writer, "setting up")
                if answer[0] != "ready":
                    raise WriteWorkerError(f"write worker {writer.proc.pid} could not start: {answer[1]}")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (an idle one exits when its stdin closes; a busy one is killed)."""
        stop_workers(writer.proc for writer in self.writers)
        self.writers = []

    def write(self, days: Days) -> Iterator[DayWrite]:
        """Write the days, each by the next free worker; yield what each gave, in the days' order."""
        waiting = deque(enumerate(days))
        done: dict[int, DayWrite] = {}
        next_out = 0
        while next_out < len(days):
            for writer in self.writers:
                if writer.seq is None and waiting:
                    seq, (day, entries) = waiting.popleft()
                    self._send(writer, ("day", seq, day, entries))
                    writer.seq = seq
            busy = {w.proc.stdout.fileno(): w for w in self.writers if w.seq is not None}  # type: ignore[union-attr]
            readable, _, _ = select.select(list(busy), [], [])
            for fd in readable:
                writer = busy[fd]
                finished = writer.seq
                assert finished is not None  # busy: it has a day
                done[finished] = self._day_written(writer, days[finished][0])
                writer.seq = None
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _day_written(self, writer: _Writer, day: date) -> DayWrite:
        """The worker's answer for ``day``: what it wrote, or its error raised here."""
        _, kind, payload, logs = self._answer(writer, f"writing publication day {day}")
        for name, level, text in logs:
            logging.getLogger(name).log(level, "%s", text)
        if kind == "ok":
            written: DayWrite = payload
            return written
        error, trace = payload
        if not isinstance(error, BaseException):
            raise WriteWorkerError(f"write worker {writer.proc.pid} failed writing publication day {day}:\n{trace}")
        error.add_note(f"(in write worker {writer.proc.pid}, writing publication day {day})\n{trace}")
        raise error

    def _send(self, writer: _Writer, message: Any) -> None:
        try:
            assert writer.proc.stdin is not None
            write_frame(writer.proc.stdin, message)  # type: ignore[arg-type]
        except OSError:  # its stdin is closed: it died
            raise self._died(writer, "being sent work") from None

    def _answer(self, writer: _Writer, doing: str) -> Any:
        assert writer.proc.stdout is not None
        try:
            message = read_frame(writer.proc.stdout)  # type: ignore[arg-type]
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            raise WriteWorkerError(f"write worker {writer.proc.pid} sent an unreadable answer while {doing}: "
                                   f"{exc}") from exc
        if message is None:
            raise self._died(writer, doing)
        return message

    def _died(self, writer: _Writer, doing: str) -> WriteWorkerError:
        code = writer.proc.wait()
        return WriteWorkerError(f"write worker {writer.proc.pid} died while {doing} (exit status {code}; see the "
                                "log above for its error)")
