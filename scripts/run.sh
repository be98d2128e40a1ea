#!/usr/bin/env bash
# The README's two commands:
#   npm start  -> install, build, start the API on the embedded database (demo merchant, URLs printed)
#   npm test   -> install, build, run every test (embedded database; no server needed)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=ensure-node.sh
source scripts/ensure-node.sh

install() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    # `npm ci`: exactly what the lock says, and the lock is never rewritten (it carries every
    # platform's optional packages: Biome, Rollup and esbuild binaries).
    echo "› installing dependencies (npm ci, from package-lock.json; about 2 minutes the first time)…" >&2
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

need_packages() {
  # Browser tests drive Debian's Chromium; the two-process job test runs a private PostgreSQL
  # from Debian's postgresql. Install them when we can (root on Debian), else say how.
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "› installing Debian's ${missing[*]} for the tests…" >&2
    (apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; })
  else
    echo "The tests need Debian's ${missing[*]} (apt-get install ${missing[*]})." >&2
    exit 1
  fi
}

case "${1:-}" in
  start)
    install
    npx turbo run build --output-logs=errors-only
    exec node apps/api/dist/index.js
    ;;
  test)
    install
    need_packages
    npx turbo run build --output-logs=errors-only
    npx turbo run test --concurrency=1
    # The benches' own unit tests (issue 18's targets, the load generator's SDK transport).
    npx vitest run --dir bench
    ;;
  *)
    echo "usage: scripts/run.sh start|test" >&2
    exit 2
    ;;
esac
