#!/usr/bin/env bash
# Stop what the demo command started (Airflow's components and the demo site), each by its PID file.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
.venv/bin/python -m newsarchive.pipeline.demo stop
