"""The write side of an extract worker (newsarchive.pipeline.extract_worker): publication days for
newsarchive.pipeline.write_pool.

An extract worker that has finished the window's pages is handed to the write pool, which sends it
``("setup", opener, spill_path, job)``: the worker opens the archive (``opener()``, a ``store.store_opener``) and the
spill read-only, and answers ``("ready", pid)`` or ``("failed", traceback)``. Then each ``("day", seq, day,
entries)`` is one publication day for ``extract_write.write_day``, answered ``(seq, "ok", DayWrite, logs)`` or
``(seq, "error", (exception or None, traceback), logs)``, ``logs`` being the day's log records the worker forwards
(WARNING and above: a record that breaks the schema, a stored copy that cannot be read).
"""

from __future__ import annotations

import os
import pickle
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    """A worker's state for writing days: the archive, the spill and the window's job, once set up."""

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
        """Answer a ``("day", seq, day, entries)`` request (without the logs: the worker adds them)."""
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
