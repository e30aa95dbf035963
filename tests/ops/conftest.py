"""Fixtures of the ops tests: the plugin's modules importable, a webhook recorder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# Airflow puts plugins/ on sys.path in its processes (it is a folder of plugin files, not a package); the unit
# tests import the page module the same way. Test helpers are imported as modules of the tests package.
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

from tests.ops.ops_support import Recorder  # noqa: E402


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """An HTTP server on 127.0.0.1 recording the POSTs it gets."""
    server = Recorder().start()
    yield server
    server.stop()
