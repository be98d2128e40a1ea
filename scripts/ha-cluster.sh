#!/usr/bin/env bash
# A three-node PostgreSQL cluster on this machine, managed by Patroni, with a three-member etcd
# as its consensus store and HAProxy in front (all from Debian's packages: apt-get install -y
# postgresql patroni etcd-server etcd-client haproxy). Synchronous replication: a COMMIT is
# acknowledged only once a standby has it, so losing the primary loses no acknowledged write.
#
#   scripts/ha-cluster.sh start          -> prints DATABASE_URL (writes) and DATABASE_REPLICA_URL (reads)
#   scripts/ha-cluster.sh status         -> patronictl list
#   scripts/ha-cluster.sh kill-primary   -> SIGKILL the primary's postmaster (and its Patroni)
#   scripts/ha-cluster.sh restart-node N -> bring node N back (it rejoins as a replica)
#   scripts/ha-cluster.sh isolate-primary -> freeze the primary's Patroni (SIGSTOP): cut off from etcd
#                                           and HAProxy while its PostgreSQL runs on; prints its name
#   scripts/ha-cluster.sh heal-node N    -> thaw node N's Patroni (SIGCONT): it demotes, rewinds, follows
#   scripts/ha-cluster.sh etcd-leader    -> the etcd member that leads (etcd1..3)
#   scripts/ha-cluster.sh kill-etcd-leader -> SIGKILL etcd's leader; prints its name
#   scripts/ha-cluster.sh restart-etcd N -> bring etcd member N back (it rejoins with its data)
#   scripts/ha-cluster.sh history        -> Patroni's failover history as JSON ([timeline, lsn, reason, time, leader])
#   scripts/ha-cluster.sh switchover     -> planned switchover to a synchronous standby
#   scripts/ha-cluster.sh wait-healthy   -> until a leader, a synchronous standby, all three nodes and
#                                           all three etcd members run
#   scripts/ha-cluster.sh stop           -> stop everything and remove the cluster's files
# HA_DIR (default /tmp/softrack-ha) holds everything; HA_PORT (default 17000: below Linux's
# ephemeral range, 32768-60999, where any client socket may hold a port) is the first of its
# ports: HAProxy writes HA_PORT+1, reads HA_PORT+2; etcd clients +11..13, peers +21..23; Patroni's
# REST API +31..33; PostgreSQL +41..43. Every node listens on 127.0.0.1. HA_DCS: etcd (v2 API,
# the default) or etcd3, see write_patroni.
# The primary archives its WAL to HA_ARCHIVE_DIR (default $HA_DIR/wal-archive) for point-in-time
# recovery with scripts/pg-backup.sh (docs/operations.md, "Backups and point-in-time recovery").
set -euo pipefail
cmd="${1:-status}"
dir="${HA_DIR:-/tmp/softrack-ha}"
base="${HA_PORT:-17000}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
archive="$(realpath -m "${HA_ARCHIVE_DIR:-$dir/wal-archive}")"
for tool in patroni patronictl etcd etcdctl haproxy; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y patroni etcd-server etcd-client haproxy" >&2; exit 1; }
done
[ -n "$bin" ] || { echo "PostgreSQL is missing: apt-get install -y postgresql" >&2; exit 1; }

etcd_client() { echo $((base + 10 + $1)); }
etcd_peer() { echo $((base + 20 + $1)); }
rest_port() { echo $((base + 30 + $1)); }
pg_port() { echo $((base + 40 + $1)); }
etcd_hosts() { echo "127.0.0.1:$(etcd_client 1),127.0.0.1:$(etcd_client 2),127.0.0.1:$(etcd_client 3)"; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# A daemon in its own session, its pid kept in $dir/<name>.pid, its output in $dir/<name>.log.
spawn() {
  local name="$1"
  shift
  setsid "$@" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}
alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

start_etcd() {
  local i="$1" cluster=""
  for j in 1 2 3; do cluster+="etcd$j=http://127.0.0.1:$(etcd_peer "$j"),"; done
  mkdir -p "$dir/etcd$i"
  local state=new
  [ -d "$dir/etcd$i/member" ] && state=existing
  spawn "etcd$i" etcd --name "etcd$i" --data-dir "$dir/etcd$i" \
    --listen-client-urls "http://127.0.0.1:$(etcd_client "$i")" --advertise-client-urls "http://127.0.0.1:$(etcd_client "$i")" \
    --listen-peer-urls "http://127.0.0.1:$(etcd_peer "$i")" --initial-advertise-peer-urls "http://127.0.0.1:$(etcd_peer "$i")" \
    --initial-cluster "${cluster%,}" --initial-cluster-state "$state" --initial-cluster-token softrack-ha \
    --heartbeat-interval 100 --election-timeout 1000 --enable-v2=true
}

write_patroni() {
  local i="$1"
  # Patroni talks to etcd through its v2 API by default. Debian's Patroni 3.0.2 has a bug in its
  # etcd3 module (patroni/patroni#2689, fixed in 3.0.3): a primary whose Patroni stalled past its
  # lease (a freeze, a long GC or swap pause) writes the leader key back unconditionally when it
  # wakes, taking the lock from the node promoted meanwhile, which is then rewound: every write
  # acknowledged on the new timeline is lost (seen with isolate-primary + heal-node); the v2
  # module renews the key with compare-and-swap (prevValue = its own name) and demotes instead.
  # HA_DCS=etcd3 brings the etcd3 module back (with a Patroni >= 3.0.3).
  local dcs="${HA_DCS:-etcd}"
  cat >"$dir/node$i.yml" <<YAML
scope: softrack
name: node$i
restapi:
  listen: 127.0.0.1:$(rest_port "$i")
  connect_address: 127.0.0.1:$(rest_port "$i")
$dcs:
  hosts: $(etcd_hosts)
bootstrap:
  dcs:
    # A dead primary's leader key expires after ttl; loop_wait is how often each node looks.
    ttl: 10
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 0
    # A COMMIT waits for a synchronous standby; only a synchronous standby may be promoted, so a
    # failover never loses an acknowledged transaction.
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        max_connections: 200
        shared_buffers: 128MB
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        synchronous_commit: "on"
        # Whichever node is primary archives each finished WAL segment (one archive for the cluster).
        archive_mode: "on"
        archive_timeout: 60
        archive_command: '$(bash "$(dirname "$0")/pg-backup.sh" archive-command "$archive")'
  initdb:
    - encoding: UTF8
    - data-checksums
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$(pg_port "$i")
  connect_address: 127.0.0.1:$(pg_port "$i")
  data_dir: $dir/node$i/data
  bin_dir: $bin
  pgpass: $dir/node$i/pgpass
  authentication:
    superuser: { username: postgres, password: postgres }
    replication: { username: replicator, password: replicator }
  parameters:
    unix_socket_directories: $dir/node$i
tags:
  nofailover: false
  noloadbalance: false
YAML
  mkdir -p "$dir/node$i" "$archive"
  chown -R postgres:postgres "$dir/node$i" "$dir/node$i.yml" "$archive" 2>/dev/null || true
}

start_patroni() {
  local i="$1"
  [ "$(id -u)" = 0 ] && touch "$dir/patroni$i.log" && chown postgres "$dir/patroni$i.log"
  if [ "$(id -u)" = 0 ]; then spawn "patroni$i" runuser -u postgres -- patroni "$dir/node$i.yml"; else spawn "patroni$i" patroni "$dir/node$i.yml"; fi
}

write_haproxy() {
  local servers_w="" servers_r=""
  for i in 1 2 3; do
    servers_w+="    server node$i 127.0.0.1:$(pg_port "$i") check port $(rest_port "$i")"$'\n'
    servers_r+="    server node$i 127.0.0.1:$(pg_port "$i") check port $(rest_port "$i")"$'\n'
  done
  cat >"$dir/haproxy.cfg" <<CFG
global
    maxconn 1000
defaults
    mode tcp
    timeout connect 2s
    timeout client 30m
    timeout server 30m
    timeout check 1s
# Writes go to the node whose Patroni says it is the primary; when that changes, HAProxy closes
# every session to the old one (on-marked-down), so no client keeps writing to a demoted node.
listen write
    bind 127.0.0.1:$((base + 1))
    option httpchk GET /primary
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
$servers_w
# Reads go to replicas that are streaming (lag-tolerant endpoints only).
listen read
    bind 127.0.0.1:$((base + 2))
    balance roundrobin
    option httpchk GET /replica
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
$servers_r
CFG
}

# Patroni runs under runuser (the pid file's); kill its Python and the postmaster by their command lines.
kill_node() {
  pkill -9 -f "patroni $dir/node$1.yml" || true
  pkill -9 -f "$bin/postgres -D $dir/node$1/data" || true
}

patronictl_() { patronictl -c "$dir/node1.yml" "$@"; }
# The first node's answer to Patroni's GET /cluster (every node answers for the whole cluster).
cluster_json() {
  for i in 1 2 3; do
    curl -fsS --max-time 2 "http://127.0.0.1:$(rest_port "$i")/cluster" 2>/dev/null && return
  done
  return 1
}
# The name (node1..3) of the member in role $1 (and, for a standby, replicating), or nothing.
member_in_role() {
  local out
  out="$(cluster_json)" || return 0
  python3 -c 'import json,sys; r=sys.argv[1]; d=json.load(sys.stdin); print(next((m["name"] for m in d["members"] if m["role"]==r and (r=="leader" or m.get("state") in ("running","streaming"))), ""))' "$1" <<<"$out"
}
leader() { member_in_role leader; }
sync_standby() { member_in_role sync_standby; }
# Patroni's Python (and the runuser around it) for node N, by command line.
patroni_pids() { pgrep -f "patroni $dir/node$1.yml" || true; }
# The etcd member that leads, by asking each member whether it is the leader.
etcd_leader() {
  for i in 1 2 3; do
    local out
    out="$(ETCDCTL_API=3 etcdctl --endpoints="127.0.0.1:$(etcd_client "$i")" --dial-timeout=1s --command-timeout=2s endpoint status -w json 2>/dev/null)" || continue
    if python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["Status"]; sys.exit(0 if s["leader"]==s["header"]["member_id"] else 1)' <<<"$out"; then
      echo "etcd$i"
      return
    fi
  done
}
# HAProxy 2.6 starts every server UP and marks the replicas down only after their first failed
# check, so a connection in its first moments may reach a read-only replica (a CREATE DATABASE
# then fails with 25006). Round robin over three servers: three connections in a row that all
# reach a server out of recovery mean the replicas are marked down.
writes_reach_primary_only() {
  for _ in 1 2 3; do
    [ "$(psql -h 127.0.0.1 -p $((base + 1)) -U postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] || return 1
  done
}
wait_for() {
  local what="$1" seconds="$2"
  for _ in $(seq 1 $((seconds * 4))); do
    if eval "$what"; then return 0; fi
    sleep 0.25
  done
  return 1
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    chmod 755 "$dir"
    for i in 1 2 3; do alive "etcd$i" || start_etcd "$i"; done
    wait_for "ETCDCTL_API=3 etcdctl --endpoints=$(etcd_hosts) endpoint health >/dev/null 2>&1" 30 || { echo "etcd did not become healthy" >&2; exit 1; }
    for i in 1 2 3; do [ -f "$dir/node$i.yml" ] || write_patroni "$i"; alive "patroni$i" || start_patroni "$i"; done
    wait_for '[ -n "$(leader)" ]' 90 || { echo "no PostgreSQL primary after 90 s; see $dir/patroni*.log" >&2; exit 1; }
    wait_for '[ -n "$(sync_standby)" ]' 90 || { echo "no synchronous standby after 90 s; see $dir/patroni*.log" >&2; exit 1; }
    write_haproxy
    alive haproxy || spawn haproxy haproxy -f "$dir/haproxy.cfg" -db
    wait_for writes_reach_primary_only 30 || { echo "HAProxy does not send writes to the primary alone" >&2; exit 1; }
    echo "export DATABASE_URL=postgres://postgres:postgres@127.0.0.1:$((base + 1))/postgres"
    echo "export DATABASE_REPLICA_URL=postgres://postgres:postgres@127.0.0.1:$((base + 2))/postgres"
    ;;
  status)
    patronictl_ list
    ;;
  leader)
    leader
    ;;
  kill-primary)
    name="$(leader)"
    [ -n "$name" ] || { echo "no primary" >&2; exit 1; }
    i="${name#node}"
    # The host's death, as far as this machine can show it: Patroni and the postmaster together.
    kill_node "$i"
    echo "$name"
    ;;
  restart-node)
    i="${2:?node number}"
    alive "patroni$i" || start_patroni "$i"
    ;;
  isolate-primary)
    name="$(leader)"
    [ -n "$name" ] || { echo "no primary" >&2; exit 1; }
    i="${name#node}"
    # The primary cut off from the others, as far as its own side can tell: its Patroni stops
    # renewing the leader key and stops answering HAProxy's checks, while its PostgreSQL runs
    # on and would take writes. Harsher than a network partition, where Patroni would demote its
    # node itself after retry_timeout: here the fences are HAProxy (marks it down, cuts its
    # sessions) and synchronous replication (its commits wait on a standby that now follows
    # another primary).
    for pid in $(patroni_pids "$i"); do kill -STOP "$pid"; done
    echo "$name"
    ;;
  heal-node)
    i="${2:?node number}"
    for pid in $(patroni_pids "$i"); do kill -CONT "$pid"; done
    ;;
  etcd-leader)
    etcd_leader
    ;;
  kill-etcd-leader)
    name="$(etcd_leader)"
    [ -n "$name" ] || { echo "etcd has no leader" >&2; exit 1; }
    kill -9 "$(cat "$dir/$name.pid")"
    echo "$name"
    ;;
  restart-etcd)
    i="${2:?member number}"
    alive "etcd$i" || start_etcd "$i"
    ;;
  history)
    for i in 1 2 3; do curl -fsS --max-time 2 "http://127.0.0.1:$(rest_port "$i")/history" 2>/dev/null && exit 0; done
    echo "no Patroni answers" >&2
    exit 1
    ;;
  wait-healthy)
    # A leader, a synchronous standby, and all three members running or streaming on the leader's
    # timeline (a member key left from before a freeze still says "running" on the old one).
    healthy() {
      local out
      out="$(cluster_json)" || return 1
      python3 -c 'import json,sys; m=json.load(sys.stdin)["members"]; l=[x for x in m if x["role"]=="leader"]; ok=len(m)==3 and len(l)==1 and all(x.get("state") in ("running","streaming") and x.get("timeline")==l[0].get("timeline") for x in m) and any(x["role"]=="sync_standby" for x in m); sys.exit(0 if ok else 1)' <<<"$out"
    }
    wait_for healthy "${2:-120}" || { echo "the cluster is not healthy" >&2; exit 1; }
    wait_for "ETCDCTL_API=3 etcdctl --endpoints=$(etcd_hosts) --dial-timeout=1s endpoint health >/dev/null 2>&1" "${2:-120}" || { echo "etcd is not healthy" >&2; exit 1; }
    ;;
  switchover)
    name="$(leader)"
    target="$(sync_standby)"
    patronictl_ switchover --leader "$name" --candidate "$target" --force softrack
    ;;
  stop)
    alive haproxy && kill "$(cat "$dir/haproxy.pid")" || true
    # A frozen Patroni (isolate-primary) would not act on SIGTERM until thawed.
    for i in 1 2 3; do for pid in $(patroni_pids "$i"); do kill -CONT "$pid" 2>/dev/null || true; done; done
    for i in 1 2 3; do pkill -f "patroni $dir/node$i.yml" || true; done
    sleep 3
    for i in 1 2 3; do kill_node "$i"; done
    for i in 1 2 3; do alive "etcd$i" && kill "$(cat "$dir/etcd$i.pid")" || true; done
    sleep 1
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|status|leader|kill-primary|restart-node N|isolate-primary|heal-node N|etcd-leader|kill-etcd-leader|restart-etcd N|history|switchover|wait-healthy|stop" >&2; exit 2 ;;
esac
