#!/usr/bin/env bash
# Backups with point-in-time recovery for Softrack's PostgreSQL (Debian's postgresql; a plain
# server or the Patroni cluster of scripts/ha-cluster.sh). A base backup (pg_basebackup) plus every
# WAL segment since, archived to a directory, restore the database as it was at any instant after
# the backup. docs/operations.md ("Backups and point-in-time recovery") is the runbook;
# bench/pitr.ts is the tested restore.
#
#   scripts/pg-backup.sh archive-command ARCHIVE_DIR   -> the archive_command that copies WAL there
#   scripts/pg-backup.sh archive-settings ARCHIVE_DIR  -> postgresql.conf lines turning archiving on
#   scripts/pg-backup.sh base --from URL --to DIR      -> a base backup of the server at URL (its primary)
#   scripts/pg-backup.sh restore --base DIR --archive ARCHIVE_DIR --target-time T --to DATA_DIR [--port P] [--timeout S]
#        -> a new server on DATA_DIR, recovered to T and promoted; prints RESTORED_DATABASE_URL
#   scripts/pg-backup.sh stop DATA_DIR                  -> stops a restored server
#   scripts/pg-backup.sh prune --archive ARCHIVE_DIR --oldest-base DIR
#        -> deletes the WAL that no base backup from DIR on needs (retention)
# Runs PostgreSQL's programs as the `postgres` user when started as root (the server refuses root).
set -euo pipefail
cmd="${1:-}"
[ $# -gt 0 ] && shift
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
[ -n "$bin" ] || { echo "PostgreSQL is missing: apt-get install -y postgresql" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
own_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$@"; fi; }
die() { echo "$*" >&2; exit 1; }

# --name value pairs into variables: --target-time → target_time.
declare -A opt=()
parse() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --*) [ $# -ge 2 ] || die "$1 needs a value"; opt["${1#--}"]="$2"; shift 2 ;;
      *) die "unexpected argument: $1" ;;
    esac
  done
}
need() { [ -n "${opt[$1]:-}" ] || die "--$1 is required"; echo "${opt[$1]}"; }

# Copies one WAL segment into the archive, durably (fsync before and after the rename), and
# succeeds again for a segment already archived with the same bytes: PostgreSQL retries a
# segment whose success it never heard of, and a different file under that name is refused.
archive_command() {
  local a="$1"
  echo "f=$a/%f; if [ -f \$f ]; then cmp -s %p \$f; else cp %p \$f.tmp && sync \$f.tmp && mv \$f.tmp \$f && sync $a; fi"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

case "$cmd" in
  archive-command)
    archive_command "$(realpath -m "${1:?archive directory}")"
    ;;
  archive-settings)
    a="$(realpath -m "${1:?archive directory}")"
    # archive_mode needs a restart; archive_timeout bounds how old the newest archived WAL can be
    # when the server is quiet (the most a lost host can take with it, beyond the replicas).
    echo "wal_level = replica"
    echo "archive_mode = on"
    echo "archive_timeout = 60"
    echo "archive_command = '$(archive_command "$a")'"
    ;;
  base)
    parse "$@"
    from="$(need from)"
    to="$(realpath -m "$(need to)")"
    [ ! -e "$to" ] || [ -z "$(ls -A "$to")" ] || die "$to is not empty"
    mkdir -p "$to"
    own_pg "$to"
    # -X stream: the WAL written during the copy travels with it, so the backup alone is consistent;
    # -c fast: an immediate checkpoint instead of waiting for the next one. The manifest lets
    # pg_verifybackup check every file before the backup is trusted.
    as_pg "$bin/pg_basebackup" -d "$from" -D "$to" -Fp -X stream -c fast --no-password
    as_pg "$bin/pg_verifybackup" -q "$to"
    grep -E '^(START WAL LOCATION|START TIME)' "$to/backup_label"
    ;;
  restore)
    parse "$@"
    base="$(realpath -m "$(need base)")"
    archive="$(realpath -m "$(need archive)")"
    target="$(need target-time)"
    data="$(realpath -m "$(need to)")"
    port="${opt[port]:-$(free_port)}"
    [ -f "$base/backup_label" ] || die "$base is not a base backup (no backup_label)"
    [ ! -e "$data" ] || die "$data exists: restore into a new directory"
    mkdir -p "$(dirname "$data")"
    cp -a "$base" "$data"
    own_pg "$data"
    chmod 700 "$data"
    # A backup taken from a replica carries its standby.signal; this copy recovers on its own.
    rm -f "$data/standby.signal" "$data/postmaster.pid" "$data/backup_manifest"
    touch "$data/recovery.signal"
    # Last in postgresql.auto.conf wins over the copied configuration (Patroni's included).
    cat >>"$data/postgresql.auto.conf" <<CONF
# pg-backup.sh restore: recover from the archive up to the target, then take writes.
restore_command = 'cp $archive/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
primary_conninfo = ''
primary_slot_name = ''
# Alone: no standby to wait for, and never archive into the source's archive.
synchronous_standby_names = ''
archive_mode = off
# No reads during recovery: a hot standby would also need max_connections and the like at least
# as high as the source's, which a base backup does not always carry (they may be command-line options).
hot_standby = off
CONF
    own_pg "$data"
    log="$data.log"
    touch "$log"
    own_pg "$log"
    # With hot_standby off the server accepts connections once recovery ended and it was promoted.
    as_pg "$bin/pg_ctl" -D "$data" -l "$log" -w -t "${opt[timeout]:-3600}" \
      -o "-p $port -k $data -c listen_addresses=127.0.0.1" start >/dev/null \
      || { tail -n 30 "$log" >&2; die "the restored server did not start; see $log"; }
    # Promoted once the target is reached; a target past the archived WAL stops the server instead.
    for _ in $(seq 1 240); do
      state="$(as_pg "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null || echo down)"
      [ "$state" = f ] && break
      if [ "$state" = down ] && ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        tail -n 30 "$log" >&2
        die "recovery stopped before $target; see $log"
      fi
      sleep 0.25
    done
    [ "$state" = f ] || die "not promoted 60 s after recovery; see $log"
    echo "export RESTORED_DATABASE_URL=postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    data="$(realpath -m "${1:?data directory}")"
    as_pg "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true
    ;;
  prune)
    parse "$@"
    archive="$(realpath -m "$(need archive)")"
    oldest="$(realpath -m "$(need oldest-base)")"
    # The first segment the oldest kept backup needs; every older one goes.
    first="$(sed -n 's/^START WAL LOCATION: .* (file \([0-9A-F]\{24\}\))$/\1/p' "$oldest/backup_label")"
    [ -n "$first" ] || die "no START WAL LOCATION in $oldest/backup_label"
    as_pg "$bin/pg_archivecleanup" "$archive" "$first"
    ;;
  *)
    echo "usage: $0 archive-command DIR | archive-settings DIR | base --from URL --to DIR |" >&2
    echo "       restore --base DIR --archive DIR --target-time T --to DATA_DIR [--port P] | stop DATA_DIR |" >&2
    echo "       prune --archive DIR --oldest-base DIR" >&2
    exit 2
    ;;
esac
