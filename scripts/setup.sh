#!/usr/bin/env bash
# Set up newsarchive from nothing: uv in its own venv, the project venv synced to the lock file, the package
# installed editable, Airflow's metadata DB migrated. Idempotent: run it again after pulling.
#   scripts/setup.sh          runtime dependencies (requirements/main.lock)
#   scripts/setup.sh --test   runtime + test tools (requirements/test.lock)
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
lock=requirements/main.lock
# A venv already synced for tests keeps the test tools (test.lock is main.lock plus them): running the demo
# after the tests must not uninstall pytest.
if [ "${1:-}" = "--test" ] || [ "$(cat .venv/.newsarchive-lock 2>/dev/null)" = requirements/test.lock ]; then
  lock=requirements/test.lock
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "newsarchive needs Python >= 3.11 as \$PYTHON or python3 (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
  echo "Python's venv module is missing: on Debian, apt-get install python3-venv" >&2
  exit 1
fi
# uv lives in its own venv: `uv pip sync` removes from the project venv whatever the lock lacks, uv included.
if [ ! -x .tools/bin/uv ] || [ "$(.tools/bin/uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
  "$PYTHON" -m venv .tools
  .tools/bin/pip install -q "uv==$UV_VERSION"
fi
[ -x .venv/bin/python ] || .tools/bin/uv venv -q --python "$PYTHON" .venv
# --compile-bytecode: every process starts from .pyc files. uv writes none by default, and where
# PYTHONDONTWRITEBYTECODE is set Python never caches one, so each Airflow task, extract or write worker and CLI
# call compiled its imports from source again: `import airflow.sdk` took 3.4 s instead of 1.4 s here.
.tools/bin/uv pip sync -q --compile-bytecode --python .venv/bin/python "$lock"
.tools/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
.venv/bin/python -m compileall -q -j 0 newsarchive extract spiders >/dev/null  # the project's own modules too
echo "$lock" > .venv/.newsarchive-lock
echo "newsarchive: environment synced to $lock"
