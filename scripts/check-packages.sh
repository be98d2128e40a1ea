#!/usr/bin/env bash
# The published packages as their users get them (issue 23): publint and arethetypeswrong on
# each, then `npm pack` of each installed into an empty project, where a smoke test imports it
# (ESM and CommonJS where offered). Needs built dist/ folders (npm test builds them).
#   scripts/check-packages.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=ensure-node.sh
source scripts/ensure-node.sh

# attw profiles: the core and the SDK ship ESM and CommonJS for Node 16+ resolution (node10's
# resolution knows no subpath exports); the widget is a browser component, ESM only.
declare -A profile=([core]=node16 [sdk]=node16 [widget]=esm-only)
for p in core sdk widget; do
  echo "› publint and attw: @softrack/$p"
  (cd "packages/$p" && npx publint --strict --level suggestion && npx attw --pack . --profile "${profile[$p]}" --format ascii)
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for p in core sdk widget; do (cd "packages/$p" && npm pack --silent --pack-destination "$work" >/dev/null); done
cd "$work"
npm init -y >/dev/null
# The three tarballs together, so @softrack/* come from them and not from the registry.
npm install --no-audit --no-fund --loglevel=error ./softrack-core-*.tgz ./softrack-sdk-*.tgz ./softrack-widget-*.tgz esbuild

echo "› smoke: ESM and CommonJS imports"
node --input-type=module -e '
  import { applyTransaction, quoteFee } from "@softrack/core";
  import Softrack from "@softrack/sdk";
  import { webhooks } from "@softrack/sdk/webhooks";
  import { luhnValid } from "@softrack/widget/validators";
  for (const [name, v] of Object.entries({ applyTransaction, quoteFee, Softrack, verify: webhooks.verify, luhnValid })) {
    if (typeof v !== "function") throw new Error(`ESM: ${name} is ${typeof v}`);
  }
  if (!luhnValid("4242424242424242")) throw new Error("the widget validators do not work");
  const client = new Softrack({ apiKey: "sk_test_x", baseURL: "http://127.0.0.1:9" });
  if (typeof client.payments.create !== "function") throw new Error("the SDK has no payments.create");
  console.log("  ESM ok");
'
node -e '
  const core = require("@softrack/core");
  const sdk = require("@softrack/sdk");
  const webhooks = require("@softrack/sdk/webhooks");
  if (typeof core.applyTransaction !== "function" || typeof (sdk.default ?? sdk.Softrack) !== "function" || typeof webhooks.webhooks.verify !== "function")
    throw new Error("CommonJS exports are missing");
  console.log("  CommonJS ok");
'
echo "› smoke: the widget and its React and Vue entries bundle for a browser"
for entry in @softrack/widget @softrack/widget/define @softrack/widget/react @softrack/widget/vue @softrack/widget/cdn/softrack-checkout.js; do
  echo "import \"$entry\";" | npx esbuild --bundle --platform=browser --format=esm --log-level=error \
    --external:react --external:vue --outfile=/dev/null
done
echo "  widget ok"
