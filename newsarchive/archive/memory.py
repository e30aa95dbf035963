"""Memory the archive's Arrow buffers hold after use, handed back to the system between the parts of a long task.

A stage that reads and writes thousands of Parquet files (a year's backfill writes a partition a day, then reads
the window's index back) must not keep what each file needed. Two things kept it:

- Arrow's default allocator (mimalloc in the pyarrow wheels) keeps freed pages in a heap per thread, and the
  index is read by a pool of threads: the pages stayed with the threads, and the task's resident memory grew
  with the number of files read (41 MiB for a 20,000-article window). ``use_system_allocator`` makes Arrow
  allocate with the C library's malloc, whose free memory ``give_back`` returns.
- glibc's malloc returns freed memory at the top of its heaps only; ``give_back`` trims every heap.

Both are cheap (a trim takes well under a millisecond on a stage's heaps) and safe to call at any time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None  # glibc only (not musl, macOS)


@functools.cache
def use_system_allocator() -> None:
    """Make Arrow allocate its buffers with the C library's malloc from now on, in this process (once)."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())


def give_back() -> None:
    """Return the memory freed so far to the system: Arrow's unused buffers, then glibc's free heap pages."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
