#!/usr/bin/env bash
# Smoke-tests a running API (an image, a compose stack): liveness, readiness, everything
# `npm start` serves besides the API (site, console, API reference, demo, widget; each 200
# with its content type), a merchant, one card payment confirmed, and a metrics scrape.
# Needs curl and node (for JSON). The server must run with DEMO=1 (production has no /demo
# otherwise). scripts/docker-image-smoke.sh runs the image built here and calls this.
#
#   scripts/docker-smoke.sh http://127.0.0.1:3000 "$PLATFORM_ADMIN_KEY" "$METRICS_TOKEN"
set -euo pipefail
base="${1:?usage: docker-smoke.sh BASE_URL ADMIN_KEY METRICS_TOKEN}"
admin="${2:?usage: docker-smoke.sh BASE_URL ADMIN_KEY METRICS_TOKEN}"
metrics_token="${3:?usage: docker-smoke.sh BASE_URL ADMIN_KEY METRICS_TOKEN}"

field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));if(v===undefined){console.error("missing "+process.argv[1]+" in "+s);process.exit(1)}console.log(v)})' "$1"; }
fail() { echo "✗ $*" >&2; exit 1; }
post() { curl -fsS -X POST "$base$1" -H "Authorization: Bearer $2" -H "Content-Type: application/json" -d "$3"; }

body="$(mktemp)"
trap 'rm -f "$body"' EXIT
# serves PATH TYPE TEXT: PATH answers 200 with a Content-Type starting with TYPE, and its
# body contains TEXT (so a fallback page or an empty file does not pass).
serves() {
  local got
  got="$(curl -sS -o "$body" -w '%{http_code} %{content_type}' "$base$1")" || fail "$1: no answer"
  case "$got" in "200 $2"*) ;; *) fail "$1: $got (want 200 $2)" ;; esac
  grep -qF -- "$3" "$body" || fail "$1: the body lacks $3"
  echo "✓ $1 200 ${got#200 }"
}
# assets PATH: every /_astro/ stylesheet and script the page PATH links answers 200.
assets() {
  local asset n=0
  curl -fsS "$base$1" -o "$body"
  for asset in $(grep -oE '(href|src)="/_astro/[^"]+"' "$body" | sed -E 's/^[a-z]+="//; s/"$//' | sort -u); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base$asset")" = 200 ] || fail "$1 links $asset, which does not answer 200"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || fail "$1 links no /_astro/ asset"
  echo "✓ $1: its $n /_astro/ assets answer 200"
}

serves /health "application/json" '"status":"ok"'
serves / "text/html" "<title>Softrack"
assets /
serves /console/ "text/html" "<softrack-console"
assets /console/
serves /docs "text/html" "/docs/scalar.js"
serves /docs/scalar.js "text/javascript" "createApiReference"
serves /openapi.json "application/json" '"openapi"'
serves /widget.js "text/javascript" "softrack-checkout"
serves "/elements/card?origin=http://127.0.0.1" "text/html" "card.js"
serves /demo "text/html" "<softrack-checkout client-secret="

health="$(curl -fsS "$base/health" | field status)"
[ "$health" = ok ] || fail "/health: $health"
echo "✓ /health ok"
ready="$(curl -fsS "$base/ready" | field status)"
[ "$ready" = ready ] || fail "/ready: $ready"
echo "✓ /ready ready"
merchant="$(post /v1/merchants "$admin" '{"name":"Smoke Test","country":"KG","default_currency":"KGS"}')"
sk="$(echo "$merchant" | field keys.secret_key)"
echo "✓ merchant $(echo "$merchant" | field id)"
payment="$(post /v1/payments "$sk" '{"amount":15000,"currency":"KGS"}' | field id)"
status="$(post "/v1/payments/$payment/confirm" "$sk" '{"payment_method_data":{"type":"card","card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"}}}' | field status)"
[ "$status" = succeeded ] || fail "payment $payment: $status"
echo "✓ payment $payment $status"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")" = 401 ] || fail "/metrics answers without its token"
echo "✓ /metrics refuses a scrape without the token"
curl -fsS "$base/metrics" -H "Authorization: Bearer $metrics_token" \
  | grep -q '^http_request_duration_seconds_count{method="POST",route="/v1/payments/:id/confirm",status="200"} [1-9]' \
  || fail "/metrics does not count the confirmation"
echo "✓ /metrics counts the confirmation"
