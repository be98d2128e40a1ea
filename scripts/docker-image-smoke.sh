#!/usr/bin/env bash
# Runs the image scripts/docker-build.sh built, without a Docker engine, and checks that it
# serves what `npm start` serves, in production: scripts/docker-smoke.sh (/, /console/,
# /docs, /demo, /widget.js, /health … each 200 with its content type, then a card payment
# and a metrics scrape), the image's own HEALTHCHECK command, and a clean stop on SIGTERM.
# Prints the image's size (BENCHMARKS.md, "Container image").
#
#   scripts/docker-image-smoke.sh [image]      default: localhost/softrack/api:dev
#   SMOKE_PORT=3300                            the port the API listens on (127.0.0.1)
#
# `buildah run --isolation chroot` starts the image's CMD in its own root with its ENV,
# WORKDIR and USER, like a container runtime, but on the host's network: so the API is
# bound to 127.0.0.1 (HOST) on SMOKE_PORT. Production refuses to start without its
# secrets: a fresh admin key and metrics token are generated for the run and never
# printed; DEMO=1 turns /demo on (production serves none otherwise). Needs root, buildah,
# curl and node; the container is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

image="${1:-localhost/softrack/api:dev}"
port="${SMOKE_PORT:-3300}"
storage=(--storage-driver "${STORAGE_DRIVER:-vfs}")
fail() { echo "✗ $*" >&2; exit 1; }
# args JSON: a JSON array of strings (an image's CMD, its HEALTHCHECK), NUL-separated.
args() { node -e 'for (const a of JSON.parse(process.argv[1]) ?? []) process.stdout.write(a + "\0")' "$1"; }
# config PATH: a field of the container's image configuration as JSON, e.g. OCIv1.config.Cmd.
config() {
  buildah "${storage[@]}" inspect --type container "$ctr" | node -e 'let s = "";
process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const v = process.argv[1].split(".").reduce((o, k) => o?.[k], JSON.parse(s));
  process.stdout.write(JSON.stringify(v ?? null));
});' "$1"
}
secret() { node -e 'console.log(process.argv[1] + require("node:crypto").randomBytes(24).toString("hex"))' "$1"; }

curl -s -o /dev/null "http://127.0.0.1:$port/" && fail "port $port is taken: set SMOKE_PORT"
echo "› $image: $(buildah "${storage[@]}" images --format '{{.Size}}' "$image")"
admin="$(secret sk_admin_smoke_)"
metrics="$(secret metrics_smoke_)"
log="$(mktemp)"
ctr="$(buildah "${storage[@]}" from --pull-never --name "softrack-smoke-$$" "$image")"
runner=""
# The process tree is buildah → buildah-chroot-runtime → buildah-chroot-exec → node, and
# buildah does not pass signals on: the API's own node process is found by its id.
app_pid() {
  local pid="$runner" child
  for _ in 1 2 3; do
    child="$(ps -o pid= --ppid "$pid" | head -n 1 | tr -d ' ')"
    [ -n "$child" ] || return 1
    pid="$child"
  done
  echo "$pid"
}
cleanup() {
  local pid
  if [ -n "$runner" ] && kill -0 "$runner" 2>/dev/null; then
    pid="$(app_pid || true)"
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
    wait "$runner" 2>/dev/null || true
  fi
  buildah "${storage[@]}" rm "$ctr" >/dev/null
  rm -f "$log"
}
trap cleanup EXIT

mapfile -d '' cmd < <(args "$(config OCIv1.config.Cmd)")
buildah "${storage[@]}" run --isolation chroot \
  --env HOST=127.0.0.1 --env PORT="$port" --env PUBLIC_URL="http://localhost:$port" \
  --env PLATFORM_ADMIN_KEY="$admin" --env METRICS_TOKEN="$metrics" --env DEMO=1 \
  "$ctr" -- "${cmd[@]}" >"$log" 2>&1 &
runner=$!

for _ in $(seq 1 90); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break
  kill -0 "$runner" 2>/dev/null || { cat "$log" >&2; fail "the API stopped before answering /health"; }
  sleep 2
done
curl -fs -o /dev/null "http://127.0.0.1:$port/health" || { cat "$log" >&2; fail "no /health after 180 s"; }
args "$(config OCIv1.config.Env)" | grep -qzx NODE_ENV=production || fail "the image does not set NODE_ENV=production"
echo "✓ the image sets NODE_ENV=production"
[ "$(ps -o uid= -p "$(app_pid)" | tr -d ' ')" = 1000 ] || fail "the API does not run as uid 1000"
echo "✓ the API runs as uid 1000"

scripts/docker-smoke.sh "http://127.0.0.1:$port" "$admin" "$metrics"

# The HEALTHCHECK the image declares, run inside the same container.
mapfile -d '' check < <(args "$(config Docker.config.Healthcheck.Test)")
[ "${check[0]:-}" = CMD ] || fail "no HEALTHCHECK CMD in the image"
buildah "${storage[@]}" run --isolation chroot --env PORT="$port" "$ctr" -- "${check[@]:1}" || fail "the HEALTHCHECK fails"
echo "✓ HEALTHCHECK passes"

pid="$(app_pid)"
kill -TERM "$pid"
rc=0
wait "$runner" || rc=$?
runner=""
[ "$rc" = 0 ] || { cat "$log" >&2; fail "the API exited $rc on SIGTERM"; }
echo "✓ SIGTERM: the API drained and exited 0"
