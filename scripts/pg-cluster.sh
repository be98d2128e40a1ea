#!/usr/bin/env bash
# A private, throw-away PostgreSQL cluster for tests and benchmarks (Debian's postgresql).
#   scripts/pg-cluster.sh start [DIR] [PORT]  -> prints: export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-cluster.sh stop  [DIR]
# Runs as the `postgres` system user (the server refuses root); fsync and synchronous_commit
# stay ON, as in production and in the reference pgbench figures.
set -euo pipefail
cmd="${1:-start}"
dir="${2:-/tmp/softrack-pg}"
port="${3:-55432}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
if [ -z "$bin" ]; then
  echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2
  exit 1
fi
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case "$cmd" in
  start)
    # Test files start the cluster from parallel workers: one start at a time, the others
    # find it running (else two pg_ctl starts race for postmaster.pid and one fails). The
    # server must not inherit the lock's descriptor (9>&- below), or it would hold the lock.
    exec 9>"$dir.lock"
    flock 9
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$bin/initdb -D '$dir/data' -A trust -U postgres --no-sync" >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl -D '$dir/data' status" >/dev/null 2>&1; then
      if ! as_pg "$bin/pg_ctl -D '$dir/data' -l '$dir/log' -w -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=256MB\" start" >/dev/null 9>&-; then
        # Say why (a port in use, a stale lock file, …): the caller usually deletes the directory.
        echo "PostgreSQL did not start on port $port; the end of $dir/log:" >&2
        tail -n 20 "$dir/log" >&2 || true
        exit 1
      fi
    fi
    echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$bin/pg_ctl -D '$dir/data' -m fast stop" >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop [DIR] [PORT]" >&2; exit 2 ;;
esac
