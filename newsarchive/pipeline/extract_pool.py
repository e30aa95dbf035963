"""Extract pages in worker processes: both cores used, and a per-page time limit that holds in C code too.

``ExtractPool(workers, page_timeout_s, ...)`` starts ``workers`` processes (``python -m
newsarchive.pipeline.extract_worker``) and ``pool.extract(pages)`` streams the outcomes back in the order the pages came
in, whatever the number of workers (so the records are the same for any pool size). At most ``max_ahead``
pages are read ahead of the oldest unfinished one: memory does not grow with the window.

A page may use ``page_timeout_s`` seconds of CPU (the worker's SIGPROF timer kills it even inside libxml2),
and three times that plus ten seconds of wall-clock time (the pool SIGKILLs it); either way the page is rejected as
``too_slow``, the worker is replaced and the run goes on. A worker that dies otherwise (a crash in C code,
the OOM killer) costs its page an ``extractor_error``.

Workers are plain subprocesses, not ``multiprocessing`` children: Celery's and Airflow's task processes may
be daemonic, and daemonic processes may not have ``multiprocessing`` children; a fresh interpreter also
inherits no threads or locks from a forked task process.
"""

from __future__ import annotations

import logging
import math
import os
import select
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsarchive.pipeline.extract_worker import read_frame, write_frame

if TYPE_CHECKING:  # the pool itself never imports the extractor: its workers do
    from extract import ArticleRecord, ExtractHints, RawRef

log = logging.getLogger("newsarchive.extract")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PAGE_TIMEOUT_S = 20.0  # the slowest development-set page takes 0.6 s of CPU
WALL_FACTOR = 3.0  # wall-clock allowance per page: WALL_FACTOR x the CPU limit + WALL_GRACE_S (a loaded machine)
WALL_GRACE_S = 10.0
READ_AHEAD_PER_WORKER = 4
WORKER_START_TIMEOUT_S = 120.0
MAX_START_FAILURES = 3
STOP_GRACE_S = 1.0  # how long a stopped worker may take to exit before it is killed
ENV_WORKERS = "NEWSARCHIVE_EXTRACT_WORKERS"
ENV_PAGE_TIMEOUT = "NEWSARCHIVE_EXTRACT_PAGE_TIMEOUT_S"


class ExtractPoolError(RuntimeError):
    """The workers cannot run at all (they fail to start): the stage fails and its task is retried."""


@dataclass(frozen=True)
class PoolSettings:
    """How many workers, and how long one page may take (CPU seconds)."""

    workers: int
    page_timeout_s: float


def usable_cpus() -> int:
    """The CPUs this process may use: its affinity mask, within a cgroup v2 CPU quota (containers, pods)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text(encoding="ascii").split()[:2]
        if quota != "max":
            cpus = min(cpus, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cpus)


def pool_settings(workers: int = 0, page_timeout_s: float = DEFAULT_PAGE_TIMEOUT_S,
                  env: dict[str, str] | None = None) -> PoolSettings:
    """The pool's size and page limit: the site's ``[extraction] workers`` / ``page_timeout_s`` unless the
    environment overrides them (NEWSARCHIVE_EXTRACT_WORKERS, NEWSARCHIVE_EXTRACT_PAGE_TIMEOUT_S, e.g. per
    Celery worker); ``workers = 0`` means one per usable CPU. ValueError for a bad environment value."""
    env = dict(os.environ) if env is None else env
    if env.get(ENV_WORKERS, "").strip():
        workers = _env_number(env, ENV_WORKERS, int)
    if env.get(ENV_PAGE_TIMEOUT, "").strip():
        page_timeout_s = _env_number(env, ENV_PAGE_TIMEOUT, float)
    if workers < 0 or page_timeout_s <= 0:
        raise ValueError(f"extract pool: workers must be >= 0 and page_timeout_s > 0, got {workers}, {page_timeout_s}")
    return PoolSettings(workers or usable_cpus(), page_timeout_s)


def _env_number(env: dict[str, str], name: str, kind: type[Any]) -> Any:
    try:
        return kind(env[name].strip())
    except ValueError:
        raise ValueError(f"{name}={env[name]!r} is not a number") from None


@dataclass(frozen=True)
class Page:
    """One page to extract: ``extract_article``'s arguments except the site-wide ones."""

    body: bytes | str
    url: str
    fetched_at: str | None = None
    raw: RawRef | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of a page: a record, or a rejection reason (extract.REJECTION_REASONS) and its detail."""

    page: Page
    record: ArticleRecord | None = None
    reason: str | None = None
    detail: str = ""


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen[bytes]
    started: float
    ready: bool = False
    seq: int | None = None  # the page it is working on
    since: float = 0.0  # when that page was sent
    killed_for_time: bool = False


@dataclass
class _Run:
    """The bookkeeping of one extract() call."""

    pages: Iterator[Page]
    # Pages read but not sent yet, in the order they go out: one read ahead (a worker that answers gets its next
    # page without waiting for the WARC to be parsed), and those a dead worker gave back, first.
    waiting: deque[tuple[int, Page]] = field(default_factory=deque)
    in_flight: dict[int, Page] = field(default_factory=dict)
    done: dict[int, Outcome] = field(default_factory=dict)
    next_seq: int = 0
    next_out: int = 0
    exhausted: bool = False


class ExtractPool:
    """Worker processes extracting pages for one site; a context manager (the workers stop on exit)."""

    def __init__(self, workers: int, page_timeout_s: float, *, site: str = "", hints: ExtractHints | None = None,
                 max_ahead: int | None = None) -> None:
        if workers < 1 or page_timeout_s <= 0:
            raise ValueError(f"need at least one worker and a positive page timeout, got {workers}, {page_timeout_s}")
        self.size = workers
        self.page_timeout_s = page_timeout_s
        self.wall_timeout_s = WALL_FACTOR * page_timeout_s + WALL_GRACE_S
        self.site = site
        self.hints = hints
        self.max_ahead = max_ahead or READ_AHEAD_PER_WORKER * workers
        self.workers: list[_Worker] = []
        self.start_failures = 0
        self.restarts = 0
        self.entered = False

    def __enter__(self) -> ExtractPool:
        self.entered = True
        for _ in range(self.size):
            self.workers.append(self._spawn())
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (closing stdin ends an idle one; a busy one is killed)."""
        stop_workers(worker.proc for worker in self.workers)
        self.workers.clear()
        self.entered = False

    def extract(self, pages: Iterable[Page]) -> Iterator[Outcome]:
        """Extract the pages, yielding one Outcome per page in the pages' order, as results come in."""
        if not self.entered:
            raise RuntimeError("ExtractPool.extract() outside its `with` block")
        run = _Run(iter(pages))
        while True:
            while run.next_out in run.done:
                yield run.done.pop(run.next_out)
                run.next_out += 1
            if run.exhausted and not run.waiting and run.next_out == run.next_seq:
                return
            self._dispatch(run)
            self._wait(run)
            self._dispatch(run)  # a worker that just answered starts its next page before the outcomes go on

    # -- dispatching and waiting ------------------------------------------------------------------------

    def _dispatch(self, run: _Run) -> None:
        # A worker that died is replaced only while there may be pages left for it.
        while len(self.workers) < self.size and (run.waiting or not run.exhausted):
            self.workers.append(self._spawn())
        for worker in list(self.workers):
            if not worker.ready or worker.seq is not None:
                continue
            item = self._next_page(run)
            if item is None:
                return
            seq, page = item
            request = (seq, self.page_timeout_s, {
                "html": page.body, "url": page.url, "site": self.site, "hints": self.hints,
                "fetched_at": page.fetched_at, "raw": page.raw, "content_type": page.content_type})
            try:
                assert worker.proc.stdin is not None
                write_frame(worker.proc.stdin, request)  # type: ignore[arg-type]
            except OSError:  # died while idle (a broken pipe): the page goes to the next worker
                run.waiting.appendleft((seq, page))
                self._drop(worker, "died while idle")
                continue
            worker.seq, worker.since = seq, time.monotonic()
            run.in_flight[seq] = page
        if not run.waiting and (item := self._read_page(run)) is not None:  # while the workers are busy
            run.waiting.append(item)

    def _next_page(self, run: _Run) -> tuple[int, Page] | None:
        return run.waiting.popleft() if run.waiting else self._read_page(run)

    def _read_page(self, run: _Run) -> tuple[int, Page] | None:
        """The next page from the input with its sequence number; None at its end or at the read-ahead bound."""
        if run.exhausted or run.next_seq - run.next_out >= self.max_ahead:
            return None
        page = next(run.pages, None)
        if page is None:
            run.exhausted = True
            return None
        run.next_seq += 1
        return run.next_seq - 1, page

    def _wait(self, run: _Run) -> None:
        """Wait for an answer or a deadline, then handle what happened."""
        waiting = {w.proc.stdout.fileno(): w for w in self.workers  # type: ignore[union-attr]
                   if not w.ready or w.seq is not None}
        if not waiting:
            return
        now = time.monotonic()
        deadlines = [self._deadline(w) for w in waiting.values()]
        timeout = max(0.0, min(deadlines) - now)
        readable, _, _ = select.select(list(waiting), [], [], timeout)
        for fd in readable:
            self._receive(waiting[fd], run)
        now = time.monotonic()
        for worker in self.workers:
            waits = not worker.ready or worker.seq is not None  # starting, or busy with a page
            if waits and self._deadline(worker) <= now and worker.proc.poll() is None:
                worker.killed_for_time = True
                worker.proc.kill()  # its pipe closes: the next _receive reports the page

    def _deadline(self, worker: _Worker) -> float:
        if not worker.ready:
            return worker.started + WORKER_START_TIMEOUT_S
        return worker.since + self.wall_timeout_s

    def _receive(self, worker: _Worker, run: _Run) -> None:
        assert worker.proc.stdout is not None
        message = read_frame(worker.proc.stdout)  # type: ignore[arg-type]
        if message is None:
            self._worker_died(worker, run)
            return
        if message[0] == "ready":
            worker.ready = True
            self.start_failures = 0
            return
        seq, kind, payload, logs = message
        page = run.in_flight.pop(seq)
        worker.seq = None
        for name, level, text in logs:
            logging.getLogger(name).log(level, "%s (while extracting %s)", text, page.url)
        if kind == "ok":
            run.done[seq] = Outcome(page, record=payload)
        elif kind == "rejected":
            run.done[seq] = Outcome(page, reason=payload[0], detail=payload[1])
        else:
            run.done[seq] = Outcome(page, reason="extractor_error", detail=payload)

    def _worker_died(self, worker: _Worker, run: _Run) -> None:
        code = worker.proc.wait()
        if not worker.ready:
            self.start_failures += 1
            if self.start_failures >= MAX_START_FAILURES:
                raise ExtractPoolError(f"extract workers fail to start ({self.start_failures} in a row, last exit "
                                       f"status {code}; see the log above for their error)")
            self._drop(worker, f"failed to start (exit status {code})")
            return
        if worker.seq is not None:
            page = run.in_flight.pop(worker.seq)
            if worker.killed_for_time or code == -signal.SIGPROF:
                limit = (f"{self.wall_timeout_s:g} s of wall-clock time" if worker.killed_for_time
                         else f"{self.page_timeout_s:g} s of CPU time")
                run.done[worker.seq] = Outcome(page, reason="too_slow", detail=f"extraction took more than {limit}")
            else:
                run.done[worker.seq] = Outcome(page, reason="extractor_error",
                                               detail=f"the extract worker died (exit status {code})")
        self._drop(worker, f"exit status {code}")

    def _spawn(self) -> _Worker:
        return _Worker(spawn_worker("newsarchive.pipeline.extract_worker"), started=time.monotonic())

    def _drop(self, worker: _Worker, why: str) -> None:
        """Stop and forget a worker (the next dispatch starts a new one if pages remain)."""
        stop_workers([worker.proc])
        self.workers = [w for w in self.workers if w is not worker]
        self.restarts += 1
        log.debug("extract worker %d stopped (%s)", worker.proc.pid, why)


def spawn_worker(module: str) -> subprocess.Popen[bytes]:
    """Start ``python -m module`` as a worker talking frames on its stdin and stdout (extract_worker's)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [sys.executable, "-m", module], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        env=env, start_new_session=True)  # a Ctrl-C meant for the CLI is not the workers' to get


def stop_workers(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """End workers: close their pipes (an idle one exits at EOF), all first, so they exit at once rather than one
    after the other; kill any still running a second later; reap them all."""
    procs = list(procs)
    for proc in procs:
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
    deadline = time.monotonic() + STOP_GRACE_S
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
