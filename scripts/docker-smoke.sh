#!/usr/bin/env bash
# Smoke-tests a running API (an image, a compose stack): liveness, readiness, a merchant,
# one card payment confirmed, and a metrics scrape. Needs curl and node (for JSON).
#
#   scripts/docker-smoke.sh http://127.0.0.1:3000 "$PLATFORM_ADMIN_KEY" "$METRICS_TOKEN"
set -euo pipefail
base="${1:?usage: docker-smoke.sh BASE_URL ADMIN_KEY METRICS_TOKEN}"
admin="${2:?usage: docker-smoke.sh BASE_URL ADMIN_KEY METRICS_TOKEN}"
metrics_token="${3:?usage: docker-smoke.sh BASE_URL ADMIN_KEY METRICS_TOKEN}"

field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o?.[k],JSON.parse(s));if(v===undefined){console.error("missing "+process.argv[1]+" in "+s);process.exit(1)}console.log(v)})' "$1"; }
fail() { echo "✗ $*" >&2; exit 1; }
post() { curl -fsS -X POST "$base$1" -H "Authorization: Bearer $2" -H "Content-Type: application/json" -d "$3"; }

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
