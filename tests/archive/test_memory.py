"""Arrow's buffers go through the C library's malloc once a stage asks, and freed memory goes back to the
system: Arrow's default (mimalloc) kept freed pages per reading thread, and the extract task's memory grew
with the window (benchmarks/scale.py measures the task; this checks the switch and the give-back)."""

from __future__ import annotations

import subprocess
import sys


def test_arrow_allocates_with_malloc_and_freed_buffers_go_back() -> None:
    script = """
import pyarrow as pa
from newsarchive.archive.memory import give_back, use_system_allocator
use_system_allocator()
use_system_allocator()  # once is enough; again is harmless
pool = pa.default_memory_pool()
assert pool.backend_name == "system", pool.backend_name
table = pa.table({"text": ["x" * 1000] * 20_000})
assert pool.bytes_allocated() > 10_000_000
del table
give_back()
assert pool.bytes_allocated() == 0, pool.bytes_allocated()
print("ok")
"""
    # A fresh interpreter: the pool is process-wide state, and the suite's own process must not be changed.
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
