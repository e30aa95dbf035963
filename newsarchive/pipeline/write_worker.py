"""One write worker process (``python -m newsarchive.pipeline.write_worker``), started and fed by
newsarchive.pipeline.write_pool.

Frames as in newsarchive.pipeline.extract_worker, on stdin and on what was stdout (fd 1 then points at
stderr). The first request is ``("setup", opener, spill_path, job)``: the worker opens the archive
(``opener()``, a ``store.store_opener``) and the spill read-only, and answers ``("ready", pid)`` or
``("failed", traceback)``. Then each request ``(seq, day, entries)`` is one publication day for
``extract_write.write_day``, answered ``(seq, "ok", DayWrite, logs)`` or ``(seq, "error", (exception or None,
traceback), logs)``; ``logs`` are the log records of the day at INFO and above, for the task's log. EOF ends it.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import traceback
from pathlib import Path
from typing import Any, BinaryIO

from newsarchive.pipeline.extract_worker import read_frame, write_frame

FORWARDED_LOG_LEVEL = logging.INFO


class _Collector(logging.Handler):
    """Keeps the log records of the day being written, to send them back with its answer."""

    def __init__(self) -> None:
        super().__init__(FORWARDED_LOG_LEVEL)
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.records.append((record.name, record.levelno, record.getMessage()))
        except Exception:  # a record whose message cannot be formatted is not worth losing the day for
            self.records.append((record.name, record.levelno, str(record.msg)))


def _picklable(error: BaseException) -> BaseException | None:
    """The exception itself if it survives the pipe (the task then raises its own type), else None."""
    try:
        pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:
        return None
    return error


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Set up, then write days until EOF (see the module docstring for the protocol)."""
    from newsarchive.archive.memory import use_system_allocator
    from newsarchive.pipeline.extract_spill import Spill
    from newsarchive.pipeline.extract_write import write_day

    use_system_allocator()  # as in the task process: memory flat in the window's size
    collector = _Collector()
    logging.getLogger().addHandler(collector)
    logging.getLogger().setLevel(FORWARDED_LOG_LEVEL)
    setup = read_frame(requests)
    if setup is None:
        return
    try:
        _, opener, spill_path, job = setup
        store: Any = opener()
        spill = Spill.reader(Path(spill_path))
    except Exception:
        write_frame(answers, ("failed", traceback.format_exc()))
        return
    collector.records.clear()
    write_frame(answers, ("ready", os.getpid()))
    with spill:
        while (request := read_frame(requests)) is not None:
            seq, day, entries = request
            try:
                answer: tuple[str, Any] = ("ok", write_day(job, store, spill, day, entries))
            except Exception as exc:  # the task raises it: a store outage fails the stage as in one process
                answer = ("error", (_picklable(exc), traceback.format_exc()))
            logs, collector.records = collector.records, []
            write_frame(answers, (seq, *answer, logs))


def main() -> int:
    """Entry point: wire stdin/stdout as the channel and serve."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin.buffer, answers)
    except BrokenPipeError:  # the task went away: nothing left to answer
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
