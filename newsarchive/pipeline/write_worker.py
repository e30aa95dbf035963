"""One write worker process (``python -m newsarchive.pipeline.write_worker``), started and fed by
newsarchive.pipeline.write_pool: publication days of the extract stage's second pass.

Frames as in newsarchive.pipeline.extract_worker, on stdin and on what was stdout (fd 1 then points at stderr).
The first request is ``("setup", opener, spill_path, job)``: the worker opens the archive (``opener()``, a
``store.store_opener``) and the spill read-only, and answers ``("ready", pid)`` or ``("failed", traceback)``.
Then each ``("day", seq, day, entries)`` is one publication day for ``extract_write.write_day``, answered
``(seq, "ok", DayWrite, logs)`` or ``(seq, "error", (exception or None, traceback), logs)``, ``logs`` being the
day's log records at WARNING and above (a record that breaks the schema, a stored copy that cannot be read).
EOF ends it. Not an extract worker: it never extracts a page, so it loads neither the language profiles nor a
warm-up page (an extract worker writing days peaked about 60 MiB higher).
"""

from __future__ import annotations

import os
import pickle
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from newsarchive.pipeline.extract_worker import collect_logs, read_frame, run_worker, write_frame

if TYPE_CHECKING:
    from newsarchive.pipeline.extract_spill import Spill
    from newsarchive.pipeline.extract_write import DayJob


def _picklable(error: BaseException) -> BaseException | None:
    """The exception itself if it survives the pipe (the task then raises its own type), else None."""
    try:
        pickle.loads(pickle.dumps(error, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:
        return None
    return error


class DayWriter:
    """The worker's state: the archive, the spill and the window's job, once set up."""

    def __init__(self) -> None:
        self.store: Any = None
        self.spill: Spill | None = None
        self.job: DayJob | None = None

    def set_up(self, request: tuple[Any, ...]) -> tuple[str, Any]:
        """Answer a ``("setup", opener, spill_path, job)`` request."""
        from newsarchive.archive.memory import use_system_allocator
        from newsarchive.pipeline.extract_spill import Spill

        try:
            _, opener, spill_path, job = request
            use_system_allocator()  # as in the task process: memory flat in the window's size
            store = opener()
            spill = Spill.reader(Path(spill_path))
        except Exception:
            return "failed", traceback.format_exc()
        self.close()
        self.store, self.spill, self.job = store, spill, job
        return "ready", os.getpid()

    def write(self, request: tuple[Any, ...]) -> tuple[int, str, Any]:
        """Answer a ``("day", seq, day, entries)`` request (without the logs: ``serve`` adds them)."""
        from newsarchive.pipeline.extract_write import write_day

        _, seq, day, entries = request
        if self.spill is None or self.job is None:
            return seq, "error", (None, "a day to write before the write set-up")
        try:
            return seq, "ok", write_day(self.job, self.store, self.spill, day, entries)
        except Exception as exc:  # the task raises it: a store outage fails the stage as in one process
            return seq, "error", (_picklable(exc), traceback.format_exc())

    def close(self) -> None:
        """Close the spill (at EOF, or before another set-up)."""
        if self.spill is not None:
            self.spill.__exit__(None, None, None)
            self.spill = None


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer requests until EOF (see the module docstring for the protocol)."""
    collector = collect_logs()
    days = DayWriter()
    try:
        while (request := read_frame(requests)) is not None:
            if request[0] == "setup":
                write_frame(answers, days.set_up(request))
                collector.take()  # what the set-up logged stays out of the first day's answer
            else:
                write_frame(answers, (*days.write(request), collector.take()))
    finally:
        days.close()


if __name__ == "__main__":
    run_worker(serve)
