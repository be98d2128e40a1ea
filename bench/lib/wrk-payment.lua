-- wrk script for bench/lib/wrk.ts: wallet payments as the SDK sends them. Its argument is the file
-- wrk.ts writes (a Lua table): the SDK's headers, whether each POST carries a fresh
-- Idempotency-Key, the body cut around its amount and customer, the customers, and the steps:
--   "one": POST /v1/payments with confirm: true, one request a payment (path (c));
--   "two": POST /v1/payments, then POST /v1/payments/{id}/confirm from the wallet (paths (a), (b)).
-- A payment counts when an answer says "status":"succeeded"; any other answer but a created
-- payment's counts as failed. done() prints one JSON line for wrk.ts. Globals, not locals, where
-- done() reads them from each thread (thread:get).

local threads = {}

function setup(thread)
  thread:set("seed", #threads + 1)
  table.insert(threads, thread)
end

local spec, headers
succeeded, failed = 0, 0
-- Created payments waiting for their confirmation (step "two"), this thread's.
local created = {}
-- Each thread's last requests and answers, kept apart (wrk does not say which connection answered);
-- wrk.ts pairs them through the keys' stored answers and sends one again.
KEEP = 64
sent, answers, n_sent, n_answers = {}, {}, 0, 0

function init(args)
  spec = dofile(args[1])
  math.randomseed(os.time() * 100 + seed)
  headers = {}
  for name, value in pairs(spec.headers) do headers[name] = value end
end

-- The SDK's key: "sdk_", then 12 hex digits of milliseconds (wrk's Lua has seconds, so the
-- milliseconds are drawn), the version digit 7, the variant digit (8-b) among 19 random digits.
local function key()
  local ms = os.time() * 1000 + math.random(0, 999)
  local hi, lo = math.floor(ms / 16777216), ms % 16777216
  return string.format("sdk_%06x%06x7%03x%x%05x%05x%05x", hi, lo, math.random(0, 4095), 8 + math.random(0, 3),
    math.random(0, 1048575), math.random(0, 1048575), math.random(0, 1048575))
end

function request()
  local path, body
  if #created > 0 then
    path, body = "/v1/payments/" .. table.remove(created, 1) .. "/confirm", spec.confirm_body
  else
    path = "/v1/payments"
    body = spec.before_amount .. math.random(100, 999) .. spec.before_customer
      .. spec.customers[math.random(1, #spec.customers)] .. spec.after_customer
  end
  local k = spec.keyed and key() or "-"
  n_sent = n_sent + 1
  sent[n_sent % KEEP + 1] = k .. " " .. path .. " " .. body
  if spec.keyed then headers["Idempotency-Key"] = k end
  return wrk.format("POST", path, headers, body)
end

function response(status, _, body)
  n_answers = n_answers + 1
  answers[n_answers % KEEP + 1] = status .. " " .. body
  if status == 200 and string.find(body, '"status":"succeeded"', 1, true) then
    succeeded = succeeded + 1
  elseif spec.steps == "two" and status == 200 and string.find(body, '"status":"requires_payment_method"', 1, true) then
    table.insert(created, string.match(body, '"id":"(pay_%w+)"'))
  else
    failed = failed + 1
  end
end

function done(summary, latency, _)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do
    ok = ok + t:get("succeeded")
    bad = bad + t:get("failed")
  end
  -- 1,000 quantiles of the latency per request (µs), so that slices merge into one distribution.
  local q = {}
  for i = 1, 1000 do q[i] = string.format("%d", latency:percentile(i / 10)) end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"succeeded":%d,"failed":%d,"errors":%d,"cpu_seconds":%.6f,"duration_us":%d,"quantiles_us":[%s]}\n',
    summary.requests, ok, bad, e.connect + e.read + e.write + e.timeout, os.clock(), summary.duration,
    table.concat(q, ",")))
  for _, t in ipairs(threads) do
    for _, line in pairs(t:get("sent")) do io.write("SENT " .. line .. "\n") end
    for _, line in pairs(t:get("answers")) do io.write("ANSWER " .. line .. "\n") end
  end
end
