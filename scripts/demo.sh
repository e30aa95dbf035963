#!/usr/bin/env bash
# The first command: set up from nothing and run the main job on the embedded default.
# Starts the bundled demo news site and Airflow (api-server, scheduler, dag-processor; SQLite, LocalExecutor)
# on 127.0.0.1, triggers the demo site's DAG for its two months of news, waits for the green run, and leaves
# the UI up. Archive: var/archive (or $NEWSARCHIVE_URL). Stop everything with: bash scripts/stop.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
exec .venv/bin/python -m newsarchive.pipeline.demo up
