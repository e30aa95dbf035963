#!/usr/bin/env bash
# The second command: install what the tests need, then lint, type-check and run the whole test suite.
# Tests start their own servers on 127.0.0.1 (demo site, moto_server, Airflow components) and need no network.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
# OS packages some tests drive for real: Chromium (the UI plugin page), Postgres and Redis (the Celery path).
bash scripts/ensure-debian-packages.sh chromium postgresql redis-server
source scripts/env.sh
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== pytest"; .venv/bin/pytest "$@"
