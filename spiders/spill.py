"""Lines of text kept on disk instead of in memory: a first-in first-out queue that holds a bounded number
of lines in memory and the rest in an anonymous temporary file, and an external sort over such a queue.

The spider's frontier (admitted article requests not yet handed to Scrapy) and its list of fetched articles
grow with the window (a year's sitemaps list 20,000 articles at once); kept here, the spider's memory does
not. The files are anonymous (``tempfile.TemporaryFile``, unlinked at creation) in the crawl's scratch
folder: nothing is left behind, however the process ends.
"""

from __future__ import annotations

import heapq
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

MEMORY_LINES = 256  # lines a queue holds in memory before writing them out together
SORT_RUN_LINES = 4096  # lines sorted in memory at once by sorted_lines (the rest wait in run files)


class SpillFifo:
    """A FIFO queue of text lines (without newlines): at most ``memory_lines`` newest lines in memory, the
    older ones in an anonymous file in ``folder`` (the system's temporary folder when None), created on the
    first spill. OSError when the file cannot be created, written or read."""

    def __init__(self, folder: Path | None, memory_lines: int = MEMORY_LINES) -> None:
        self._folder = folder
        self._limit = max(1, memory_lines)
        self._tail: deque[str] = deque()  # the newest lines, after every line in the file
        self._file: IO[bytes] | None = None
        self._read_at = 0  # byte offset of the oldest unread line in the file
        self._end = 0  # byte offset where the next spilled line goes
        self._on_disk = 0  # lines in the file not read yet
        self.spilled = 0  # lines ever written to the file

    def __len__(self) -> int:
        return self._on_disk + len(self._tail)

    def push(self, line: str) -> None:
        """Append a line (it must not contain a newline)."""
        self._tail.append(line)
        if len(self._tail) >= self._limit:
            self._spill()

    def pop(self, n: int) -> list[str]:
        """Take up to n of the oldest lines, oldest first."""
        out = self._read(min(n, self._on_disk)) if self._on_disk else []
        while len(out) < n and self._tail:
            out.append(self._tail.popleft())
        return out

    def close(self) -> None:
        """Drop the file (idempotent); the queue is empty afterwards."""
        self._tail.clear()
        self._on_disk = 0
        if self._file is not None:
            self._file.close()
            self._file = None

    def _spill(self) -> None:
        if self._file is None:
            # Kept open for the queue's life (closed by close()), so no context manager.
            self._file = tempfile.TemporaryFile(dir=self._folder, prefix="spider-spill-")  # noqa: SIM115
        data = "".join(f"{line}\n" for line in self._tail).encode("utf-8")
        self._file.seek(self._end)
        self._file.write(data)
        self._end += len(data)
        self._on_disk += len(self._tail)
        self.spilled += len(self._tail)
        self._tail.clear()

    def _read(self, n: int) -> list[str]:
        assert self._file is not None
        self._file.seek(self._read_at)
        lines = [self._file.readline().decode("utf-8").rstrip("\n") for _ in range(n)]
        self._read_at = self._file.tell()
        self._on_disk -= n
        if not self._on_disk:  # all read: start the file over rather than let it grow with the crawl
            self._file.seek(0)
            self._file.truncate()
            self._read_at = self._end = 0
        return lines


def sorted_lines(queue: SpillFifo, key: Callable[[str], Any], folder: Path | None,
                 run_lines: int = SORT_RUN_LINES) -> Iterator[str]:
    """Every line of ``queue`` (emptied), sorted by ``key`` (stable), holding about ``run_lines`` lines in
    memory at once: sorted runs go to anonymous files in ``folder``, then are merged."""
    with ExitStack() as stack:
        runs: list[IO[bytes]] = []
        while len(queue):
            run = sorted(queue.pop(run_lines), key=key)
            if not runs and not len(queue):
                yield from run  # it all fitted in one run: no file needed
                return
            file = stack.enter_context(tempfile.TemporaryFile(dir=folder, prefix="spider-sort-"))
            file.write("".join(f"{line}\n" for line in run).encode("utf-8"))
            file.seek(0)
            runs.append(file)
        yield from heapq.merge(*(_lines_of(run) for run in runs), key=key)


def _lines_of(file: IO[bytes]) -> Iterator[str]:
    for raw in file:
        yield raw.decode("utf-8").rstrip("\n")
