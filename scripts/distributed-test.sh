#!/usr/bin/env bash
# The distributed path: the same DAGs on CeleryExecutor, Redis as broker, Postgres as metadata DB, the archive on
# an S3 API server, and a Celery worker in its own AIRFLOW_HOME (tasks share nothing on local disk).
#
#   scripts/distributed-test.sh [pytest args]   install what is missing (Debian packages), run tests/ops/test_distributed.py
#   scripts/distributed-test.sh services-up DIR  start Postgres and Redis on free 127.0.0.1 ports, state under DIR;
#                                               prints NEWSARCHIVE_TEST_PG_URL=... and NEWSARCHIVE_TEST_REDIS_URL=...
#   scripts/distributed-test.sh services-down DIR  stop them and remove their data
#
# The test calls services-up / services-down itself, so it also runs inside the whole suite (scripts/test.sh);
# given NEWSARCHIVE_TEST_PG_URL and NEWSARCHIVE_TEST_REDIS_URL it uses those servers instead.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"

_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_pg_bin() {  # Debian keeps initdb and pg_ctl out of PATH, under /usr/lib/postgresql/<version>/bin
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -n "$dir" ]; then echo "$dir"; else dirname "$(command -v pg_ctl)"; fi
}

_as_postgres() {  # initdb and the server refuse to run as root: run them as the postgres user then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

services_up() {
  local dir="$1"
  mkdir -p "$dir"
  bash "$ROOT/scripts/ensure-debian-packages.sh" postgresql redis-server >&2
  local pgbin pgdata pgport redisport
  pgbin="$(_pg_bin)"
  # Its own folder outside DIR: test temp folders are private to root, and the server runs as postgres.
  pgdata="$(mktemp -d /tmp/newsarchive-pg.XXXXXX)"
  echo "$pgdata" >"$dir/pgdata.path"
  [ "$(id -u)" = 0 ] && chown postgres: "$pgdata"
  pgport="$(_free_port)"
  _as_postgres "$pgbin/initdb" -D "$pgdata/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  _as_postgres "$pgbin/pg_ctl" -D "$pgdata/data" -l "$pgdata/server.log" -w -t 60 \
    -o "-p $pgport -k $pgdata -c listen_addresses=127.0.0.1 -c fsync=off" start >&2 \
    || { cat "$pgdata/server.log" >&2; exit 1; }
  _as_postgres "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres airflow
  redisport="$(_free_port)"
  redis-server --port "$redisport" --bind 127.0.0.1 --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --save "" --appendonly no
  for _ in $(seq 50); do redis-cli -p "$redisport" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$redisport" ping >/dev/null || { cat "$dir/redis.log" >&2; exit 1; }
  echo "NEWSARCHIVE_TEST_PG_URL=postgresql+psycopg2://postgres@127.0.0.1:$pgport/airflow"
  echo "NEWSARCHIVE_TEST_REDIS_URL=redis://127.0.0.1:$redisport/0"
}

services_down() {
  local dir="$1" pgdata
  if [ -f "$dir/redis.pid" ]; then
    kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -f "$dir/redis.pid"
  fi
  if [ -f "$dir/pgdata.path" ]; then
    pgdata="$(cat "$dir/pgdata.path")"
    if [ -d "$pgdata/data" ]; then
      _as_postgres "$(_pg_bin)/pg_ctl" -D "$pgdata/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    case "$pgdata" in /tmp/newsarchive-pg.*) rm -rf "$pgdata" ;; esac
    rm -f "$dir/pgdata.path"
  fi
}

case "${1:-}" in
  services-up) services_up "${2:?usage: $0 services-up DIR}" ;;
  services-down) services_down "${2:?usage: $0 services-down DIR}" ;;
  *)
    cd "$ROOT"
    bash scripts/ensure-debian-packages.sh postgresql redis-server
    exec .venv/bin/pytest tests/ops/test_distributed.py "$@"
    ;;
esac
