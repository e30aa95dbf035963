# Shortcuts for the scripts (the scripts are the source of truth; make is optional).
.PHONY: demo stop test test-fast lock lint
demo: ; bash scripts/demo.sh
stop: ; bash scripts/stop.sh
test: ; bash scripts/test.sh
# The fast path while working (units, extraction, spiders, archive, readers: no whole-stage suites, no Airflow).
test-fast: ; bash scripts/test.sh -m "not e2e and not stages"
lint: ; .venv/bin/ruff check . && .venv/bin/mypy
# Recompile the lock files after editing requirements/*.in (needs PyPI).
lock:
	.tools/bin/uv pip compile -q --python-version 3.11 requirements/main.in -o requirements/main.lock
	.tools/bin/uv pip compile -q --python-version 3.11 requirements/test.in -o requirements/test.lock
