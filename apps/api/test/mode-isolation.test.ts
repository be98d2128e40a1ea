import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payoutSimulator } from "../src/connectors/payout-rail.js";
import { clearingAccount, walletAccount } from "../src/store/accounts.js";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { type Http, http, type Reply, startTestApi, TEST_CARD } from "./support.js";

/**
 * The wall between test and live mode (contract v1.1, "Test and live modes"; issue 19).
 *
 * The route list is read from /openapi.json at run time: every operation that takes an id
 * (a path parameter) or lists (a GET answering {"object":"list"}) is tried with each
 * credential of one mode on the other mode's objects, and must answer 404 (a list: show
 * nothing of the other mode), and change nothing. An operation whose path parameter no
 * fixture covers fails the suite, so a new route cannot be added uncovered.
 */

type Mode = "test" | "live";
const MODES: Mode[] = ["test", "live"];
const other = (m: Mode): Mode => (m === "test" ? "live" : "test");

/**
 * Operations outside this suite, each with the reason. Anything else that takes an id or
 * lists must be covered below.
 */
const OUT_OF_SCOPE: Record<string, string> = {
  "POST /v1/merchants/{id}/activate": "admin key only: the platform's operator, above both modes",
  "GET /v1/merchants/{id}": "the caller's own merchant account (one account holds both modes); another id is a 404 already",
  "POST /v1/merchants/{id}/members": "the caller's own merchant account: members are people of the account, not objects of a mode",
  "GET /v1/members": "people of the merchant account (identities), shared by both modes by design",
  "DELETE /v1/members/{id}": "people of the merchant account (identities), shared by both modes by design",
  "GET /v1/auth/sessions": "about the caller itself: its own sign-in sessions",
  "POST /v1/auth/sessions/{id}/revoke": "about the caller itself: its own sign-in sessions",
  "GET /v1/test_helpers/outbox": "the development mail outbox (admin key; not in production): no merchant objects",
  "GET /v1/reconciliations": "admin key only: the platform's settlement files, above both modes",
  "GET /v1/reconciliations/{id}": "admin key only: the platform's settlement files, above both modes",
};

/** The fixture kind a path parameter names: by the id prefix in its example, or by its name. */
function kindOf(param: { name: string; schema?: { example?: string } }): string | undefined {
  if (param.name === "code") return "tariff";
  return /^([a-z]+)_/.exec(param.schema?.example ?? "")?.[1];
}

/** A request body for each operation that needs one: valid, so only the mode check can refuse it. */
const tappedAt = () => new Date(Date.now() - 86_400_000).toISOString();
const BODIES: Record<string, (target: Fixtures) => unknown> = {
  "POST /v1/payments/{id}/confirm": (t) => ({ payment_method_data: { type: "card", card: TEST_CARD }, client_secret: t.clientSecret }),
  "POST /v1/payments/{id}/verify": (t) => ({ code: "123456", client_secret: t.clientSecret }),
  "POST /v1/payments/{id}/retry": (t) => ({ client_secret: t.clientSecret }),
  "POST /v1/payments/{id}/capture": () => ({}),
  "POST /v1/orders/{id}/handover": (t) => ({ accepted: [{ sku: "dress", quantity: 1 }], handover_code: t.handoverCode }),
  "POST /v1/orders/{id}/returns": () => ({ items: [{ sku: "dress", quantity: 1 }], reason: "does not fit" }),
  "POST /v1/orders/{id}/fail": () => ({ reason: "not collected" }),
  "PUT /v1/tariffs/{code}": () => ({ kind: "fare", effective_from: "2021-01-01T00:00:00Z", rules: { default_fare: 45_000 } }),
  "POST /v1/tariffs/{code}/quote": () => ({ route: "7", tapped_at: tappedAt() }),
  "POST /v1/webhook_endpoints/{id}": () => ({ status: "disabled", description: "changed by the other mode" }),
  "POST /v1/api_keys/{id}/roll": () => ({ expires_in: 0 }),
  "POST /v1/test_helpers/payments/{id}/dispute": () => ({ reason: "general" }),
  "POST /v1/disputes/{id}/evidence": () => ({ text: "from the other mode" }),
  "POST /v1/test_helpers/disputes/{id}/close": () => ({ outcome: "won" }),
};
/** Query strings that carry the target's secrets, so a publishable key is refused for the mode, not for a missing secret. */
const QUERIES: Record<string, (target: Fixtures) => string> = {
  "GET /v1/payments/{id}": (t) => `?client_secret=${encodeURIComponent(t.clientSecret)}`,
};
/**
 * Writes that are mode-scoped by design rather than refused: a PUT of a tariff code publishes
 * a version in the caller's own mode. The other mode's versions must stay as they were.
 */
const WRITES_OWN_MODE = new Set(["PUT /v1/tariffs/{code}"]);
/** Run after everything else: if the wall were broken they could revoke the suite's own keys. */
const LAST = new Set(["POST /v1/api_keys/{id}/roll", "POST /v1/api_keys/{id}/revoke", "PUT /v1/tariffs/{code}"]);

interface Fixtures {
  ids: Record<string, string>;
  clientSecret: string;
  handoverCode: string;
}
interface Credential {
  name: string;
  mode: Mode;
  kind: "secret" | "publishable" | "session";
  http: Http;
}

let api: TestApi;
let admin: Http;
const sk: Record<Mode, Http> = {} as never;
const fixtures: Record<Mode, Fixtures> = {} as never;
const credentials: Credential[] = [];

/** A live wallet has no live provider to top it up here: the top-up is posted as a provider's settlement would be. */
async function fund(mode: Mode, customer: string, amount: number) {
  if (mode === "live") {
    const { ledger, database } = api.runtime.deps;
    const m = api.merchant.id;
    await database.db.transaction((tx) =>
      ledger.post(tx, [
        {
          type: "test.fund",
          merchantId: m,
          livemode: true,
          postings: [
            { account: clearingAccount("card", true, "KGS"), amount: -amount },
            { account: walletAccount(m, customer, true, "KGS"), amount },
          ],
        },
      ]),
    );
    return;
  }
  const topup = await sk.test.post("/v1/payments", { amount, currency: "KGS", purpose: { type: "wallet_topup", customer } });
  await sk.test.post(`/v1/payments/${topup.body.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } });
}

/** A live dispute comes from the provider, not a test helper: its row as the provider's notice would open it (only the wall is checked here). */
async function liveDispute(payment: string): Promise<string> {
  const id = `dp_live_${payment.slice(4)}`;
  await api.runtime.database.rows(
    sql`INSERT INTO disputes (id, livemode, merchant_id, payment_id, amount, currency, fee, reason, status)
        VALUES (${id}, true, ${api.merchant.id}, ${payment}, 100, 'KGS', 0, 'general', 'needs_response')`,
  );
  return id;
}

async function ok(r: Promise<Reply>, what: string) {
  const res = await r;
  if (res.status !== 200) throw new Error(`fixture ${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** One object of every kind in this mode, made with this mode's secret key. */
async function makeFixtures(mode: Mode): Promise<Fixtures> {
  const k = sk[mode];
  const live = mode === "live";
  const customer = (await ok(k.post("/v1/customers", { name: `Aibek ${mode}` }), "customer")).id;
  await fund(mode, customer, 900_000);
  const open = await ok(k.post("/v1/payments", { amount: 1_000, currency: "KGS", customer }), "payment");
  const paid = await ok(k.post("/v1/payments", { amount: 2_000, currency: "KGS", customer }), "paid payment");
  await ok(k.post(`/v1/payments/${paid.id}/confirm`, { payment_method_data: { type: "wallet", customer } }), "wallet confirm");
  const refund = await ok(k.post("/v1/refunds", { payment: paid.id, amount: 500 }), "refund");
  // A card network disputes a card payment (a wallet payment has none behind it).
  const carded = live
    ? undefined
    : await ok(
        k.post("/v1/payments", { amount: 2_000, currency: "KGS", confirm: true, payment_method_data: { type: "card", card: TEST_CARD } }),
        "card payment",
      );
  const dispute = carded
    ? (await ok(k.post(`/v1/test_helpers/payments/${carded.id}/dispute`, { reason: "general", amount: 100 }), "dispute")).id
    : await liveDispute(paid.id);
  const point = await ok(k.post("/v1/pickup_points", { name: `PVZ ${mode}`, address: "Bishkek, Asanbay 12" }), "pickup point");
  const order = await ok(
    k.post("/v1/orders", {
      currency: "KGS",
      customer,
      items: [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }],
      no_show_fee: 50_000,
      delivery: { type: "pickup_point", point: point.id, collect_by: new Date(Date.now() + 3 * 86_400_000).toISOString() },
    }),
    "order",
  );
  await ok(k.post(`/v1/payments/${order.payment.id}/confirm`, { payment_method_data: { type: "wallet", customer } }), "order payment");
  const held = await ok(k.get(`/v1/orders/${order.id}`), "held order");
  const endpoint = await ok(
    k.post("/v1/webhook_endpoints", { url: live ? "https://1.1.1.1/softrack-hooks" : "http://127.0.0.1:9/hooks", events: ["*"] }),
    "webhook endpoint",
  );
  const code = `fares-${mode}`;
  await ok(
    k.put(`/v1/tariffs/${code}`, { kind: "fare", effective_from: "2020-01-01T00:00:00Z", rules: { default_fare: 2_000 } }),
    "tariff",
  );
  const terminal = await ok(k.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: code }), "terminal");
  const tap = await ok(
    k.post("/v1/transit/taps", { terminal: terminal.id, customer, tapped_at: tappedAt(), client_tap_id: `iso-${mode}` }),
    "tap",
  );
  const event = (await ok(k.get("/v1/events?limit=1"), "events")).data[0];
  const bankAccount = await ok(
    k.post("/v1/bank_accounts", {
      country: "KG",
      holder_name: `Asel ${mode}`,
      account_number: "1240020000123456",
      bank_code: "124002",
      currency: "KGS",
    }),
    "bank account",
  );
  const payout = await ok(k.post("/v1/payouts", { amount: 100, currency: "KGS" }), "payout");
  // A key of this mode for the key routes: a spare publishable key, so the suite's own keys are never the target.
  const key = await ok(k.post("/v1/api_keys", { kind: "publishable" }), "api key");
  return {
    ids: {
      cus: customer,
      pay: open.id,
      re: refund.id,
      ord: held.id,
      pp: point.id,
      we: endpoint.id,
      evt: event.id,
      tariff: code,
      term: terminal.id,
      tap: tap.id,
      key: key.id,
      paid: paid.id,
      ba: bankAccount.id,
      po: payout.id,
      dp: dispute,
    },
    clientSecret: open.client_secret,
    handoverCode: held.handover_code.code,
  };
}

/** Everything a mode owns, read back with its own secret key: compared before and after the other mode's attempts. */
async function snapshot(mode: Mode) {
  const k = sk[mode];
  const f = fixtures[mode].ids;
  const reads = [
    `/v1/customers/${f.cus}`,
    `/v1/payments/${f.pay}`,
    `/v1/payments/${f.paid}`,
    `/v1/refunds/${f.re}`,
    `/v1/disputes/${f.dp}`,
    `/v1/orders/${f.ord}`,
    `/v1/orders/${f.ord}/events`,
    `/v1/webhook_endpoints/${f.we}`,
    `/v1/webhook_endpoints/${f.we}/attempts`,
    `/v1/events/${f.evt}`,
    `/v1/tariffs/${f.tariff}/versions`,
    `/v1/transit/terminals/${f.term}`,
    `/v1/transit/taps/${f.tap}`,
    `/v1/bank_accounts/${f.ba}`,
    `/v1/payouts/${f.po}`,
    `/v1/payouts/${f.po}/transactions`,
    "/v1/payout_schedule",
    "/v1/balance",
    "/v1/ledger/transactions?limit=100",
  ];
  const out: Record<string, unknown> = {};
  await Promise.all(
    reads.map(async (path) => {
      const r = await k.get(path);
      out[path] = { status: r.status, body: r.body };
    }),
  );
  // The key routes' target, as its own mode lists it (rolled or revoked would show).
  const keys = (await k.get("/v1/api_keys")).body.data as { id: string }[];
  out.key = keys.find((x) => x.id === f.key) ?? "missing";
  const [job] = await api.runtime.database.rows<{ status: string }>(
    sql`SELECT status FROM jobs WHERE dedupe_key = ${`order.expire:${f.ord}`}`,
  );
  out.job = job?.status;
  return out;
}

interface Operation {
  method: string;
  path: string;
  op: string;
  params: { name: string; schema?: { example?: string } }[];
  queryParams: string[];
  lists: boolean;
  needsBody: boolean;
}

/** The parts of an OpenAPI document this suite reads. */
interface Schema {
  $ref?: string;
  properties?: { object?: { enum?: string[] } };
}
interface OpenApiOperation {
  parameters?: { name: string; in: string; schema?: { example?: string } }[];
  requestBody?: { required?: boolean };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

async function operations(): Promise<Operation[]> {
  const doc = (await http(api.url).get("/openapi.json")).body as {
    paths: Record<string, Record<string, OpenApiOperation>>;
    components: { schemas: Record<string, Schema> };
  };
  const resolve = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? resolve(doc.components.schemas[s.$ref.split("/").pop() as string]) : s;
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const parameters = op.parameters ?? [];
      const response = resolve(op.responses?.["200"]?.content?.["application/json"]?.schema);
      const lists = method === "get" && response?.properties?.object?.enum?.[0] === "list";
      const params = parameters.filter((p) => p.in === "path");
      if (params.length === 0 && !lists) continue;
      out.push({
        method: method.toUpperCase(),
        path,
        op: `${method.toUpperCase()} ${path}`,
        params,
        queryParams: parameters.filter((p) => p.in === "query").map((p) => p.name),
        lists,
        needsBody: Boolean(op.requestBody?.required),
      });
    }
  }
  return out;
}

/** Every id of a mode's fixtures: none may appear in an answer to the other mode. */
const idsOf = (mode: Mode) => Object.values(fixtures[mode].ids).filter((id) => id.includes("_"));

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  admin = http(api.url, api.adminKey);
  const liveKeys = (await admin.post(`/v1/merchants/${api.merchant.id}/activate`)).body.keys;
  sk.test = http(api.url, api.merchant.secretKey);
  sk.live = http(api.url, liveKeys.secret_key);
  // A console member's session: a secret caller of test mode (see routes/auth).
  const people = accounts(api);
  await people.invite("owner@mode-isolation.test", "owner");
  const session = await people.signIn("owner@mode-isolation.test");
  credentials.push(
    { name: "sk_test", mode: "test", kind: "secret", http: sk.test },
    { name: "pk_test", mode: "test", kind: "publishable", http: http(api.url, api.merchant.publishableKey) },
    { name: "test-mode console session (owner)", mode: "test", kind: "session", http: session },
    { name: "sk_live", mode: "live", kind: "secret", http: sk.live },
    { name: "pk_live", mode: "live", kind: "publishable", http: http(api.url, liveKeys.publishable_key) },
  );
  // A live-mode console session, where the API offers one (an owner with an authenticator switches a session to live).
  if ((await http(api.url).get("/openapi.json")).body.paths["/v1/auth/sessions/live_mode"]?.post) {
    await people.invite("live-owner@mode-isolation.test", "owner");
    const liveSession = await people.signIn("live-owner@mode-isolation.test");
    const setup = await liveSession.post("/v1/auth/totp/setup");
    await ok(liveSession.post("/v1/auth/totp/enable", { code: people.totpCode(setup.body.secret) }), "authenticator");
    people.advance(30_000); // a code is good once: the switch takes the next one
    const on = await ok(liveSession.post("/v1/auth/sessions/live_mode", { code: people.totpCode(setup.body.secret) }), "live mode");
    if (on.livemode !== true) throw new Error(`live mode: ${JSON.stringify(on)}`);
    credentials.push({ name: "live-mode console session (owner)", mode: "live", kind: "session", http: liveSession });
  }
  // The operator's live payout rail, plugged in as a live deployment would: the simulator here.
  api.runtime.deps.livePayoutRail = payoutSimulator;
  fixtures.test = await makeFixtures("test");
  fixtures.live = await makeFixtures("live");
}, 120_000);
afterAll(() => api.close());

describe("test and live are two worlds", () => {
  it("every operation that takes an id or lists is covered, or out of scope with a reason", async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(30);
    const uncovered: string[] = [];
    for (const o of ops) {
      if (OUT_OF_SCOPE[o.op]) continue;
      for (const p of o.params) {
        const kind = kindOf(p);
        if (!kind || !(kind in fixtures.test.ids))
          uncovered.push(`${o.op}: path parameter '${p.name}' (${kind ?? "no id prefix"}) has no fixture; add one to makeFixtures()`);
      }
      if (o.needsBody && !BODIES[o.op]) uncovered.push(`${o.op}: needs a request body; add a valid one to BODIES`);
    }
    expect(uncovered, uncovered.join("\n")).toEqual([]);
    // Stale entries would hide nothing, but keep the list honest.
    const known = new Set(ops.map((o) => o.op));
    expect(Object.keys(OUT_OF_SCOPE).filter((op) => !known.has(op))).toEqual([]);
  });

  // Before the probes below: their tariff PUTs publish same-named codes in each mode, by design.
  it("a body or filter naming the other mode's object is refused as missing", async () => {
    const cases = MODES.flatMap((mode) => {
      const k = sk[mode];
      const t = fixtures[other(mode)].ids;
      const own = fixtures[mode].ids;
      return [
        [`${mode}: refund of the other mode's payment`, k.post("/v1/refunds", { payment: t.paid, amount: 100 })],
        [`${mode}: payment for the other mode's customer`, k.post("/v1/payments", { amount: 100, currency: "KGS", customer: t.cus })],
        [
          `${mode}: order at the other mode's pickup point`,
          k.post("/v1/orders", {
            currency: "KGS",
            items: [{ sku: "a", name: "A", amount: 100, quantity: 1 }],
            delivery: { type: "pickup_point", point: t.pp, collect_by: new Date(Date.now() + 86_400_000).toISOString() },
          }),
        ],
        [
          `${mode}: terminal on the other mode's tariff`,
          k.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: t.tariff }),
        ],
        [
          `${mode}: tap at the other mode's terminal`,
          k.post("/v1/transit/taps", { terminal: t.term, customer: own.cus, tapped_at: tappedAt(), client_tap_id: `x-${mode}-1` }),
        ],
        [
          `${mode}: tap by the other mode's rider`,
          k.post("/v1/transit/taps", { terminal: own.term, customer: t.cus, tapped_at: tappedAt(), client_tap_id: `x-${mode}-2` }),
        ],
      ] as const;
    });
    const answers = await Promise.all(cases.map(async ([what, r]) => [what, await r] as const));
    const wrong = answers
      .filter(([, r]) => r.status !== 404 && !(r.status === 200 && r.body.decision === "declined"))
      .map(([what, r]) => `${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    expect(wrong, wrong.join("\n")).toEqual([]);
  });

  it("no credential of one mode reads, lists, changes or runs anything of the other", async () => {
    const before = { test: await snapshot("test"), live: await snapshot("live") };
    const ops = (await operations()).filter((o) => !OUT_OF_SCOPE[o.op]);
    const problems: string[] = [];

    const probe = async (o: Operation, c: Credential) => {
      const target = fixtures[other(c.mode)];
      let path = o.path;
      for (const p of o.params) path = path.replace(`{${p.name}}`, encodeURIComponent(target.ids[kindOf(p) as string] as string));
      path += QUERIES[o.op]?.(target) ?? "";
      const r = await c.http.call(o.method, path, BODIES[o.op]?.(target));
      const where = `${c.name} → ${o.op} on ${other(c.mode)} ${path}`;
      if (r.status >= 500) problems.push(`${where}: ${r.status}`);
      if (WRITES_OWN_MODE.has(o.op)) {
        // A write of the caller's own mode: allowed where the credential may write, never into the other mode.
        if (r.status === 200 && r.body.livemode !== (c.mode === "live")) problems.push(`${where}: wrote livemode ${r.body.livemode}`);
        if (r.status !== 200 && r.status !== 403) problems.push(`${where}: ${r.status} ${JSON.stringify(r.body)}`);
        return;
      }
      if (o.params.length > 0) {
        // A secret caller gets as far as the lookup: 404. A publishable key may be refused before it (403).
        const allowed = c.kind === "publishable" ? [403, 404] : [404];
        if (!allowed.includes(r.status))
          problems.push(`${where}: expected ${allowed.join(" or ")}, got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        else if (r.body?.error?.type === undefined) problems.push(`${where}: not the error envelope`);
        return;
      }
      // A list: nothing of the other mode, whatever the filters name.
      if (r.status === 403 && c.kind === "publishable") return;
      if (r.status !== 200) return void problems.push(`${where}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      const text = JSON.stringify(r.body);
      const leaked = idsOf(other(c.mode)).filter((id) => text.includes(id));
      if (leaked.length > 0) problems.push(`${where}: lists the other mode's ${leaked.join(", ")}`);
      const wrongMode = (r.body.data as { livemode?: boolean }[]).filter(
        (x) => x.livemode !== undefined && x.livemode !== (c.mode === "live"),
      );
      if (wrongMode.length > 0) problems.push(`${where}: ${wrongMode.length} item(s) of the other mode`);
    };

    // Lists are also tried with every id filter they take set to the other mode's ids.
    const FILTERS: Record<string, string> = { payment: "paid", customer: "cus", source: "paid" };
    const listProbes = (o: Operation, c: Credential) => {
      const filters = o.queryParams.filter((q) => FILTERS[q]);
      if (!o.lists || o.params.length > 0 || filters.length === 0) return [];
      return filters.map(async (q) => {
        const id = fixtures[other(c.mode)].ids[FILTERS[q] as string] as string;
        await probe({ ...o, path: `${o.path}?${q}=${encodeURIComponent(id)}` }, c);
      });
    };

    const first = ops.filter((o) => !LAST.has(o.op));
    await Promise.all(first.flatMap((o) => credentials.flatMap((c) => [probe(o, c), ...listProbes(o, c)])));
    for (const o of ops.filter((o) => LAST.has(o.op))) for (const c of credentials) await probe(o, c);

    expect(problems, problems.join("\n")).toEqual([]);
    expect(await snapshot("live")).toEqual(before.live);
    expect(await snapshot("test")).toEqual(before.test);

    // The test helpers, with every test credential, on a clock far ahead: live jobs and deliveries stay put.
    for (const c of credentials.filter((x) => x.mode === "test" && x.kind !== "publishable")) {
      const run = await c.http.post("/v1/test_helpers/run_jobs", { now: new Date(Date.now() + 60 * 86_400_000).toISOString() });
      if (run.status !== 200) problems.push(`${c.name} → run_jobs: ${run.status}`);
    }
    // ... and a live credential may not run them at all.
    for (const c of credentials.filter((x) => x.mode === "live")) {
      const run = await c.http.post("/v1/test_helpers/run_jobs", { now: new Date().toISOString() });
      if (run.status !== 403) problems.push(`${c.name} → run_jobs: expected 403, got ${run.status}`);
    }

    expect(problems, problems.join("\n")).toEqual([]);
    // Nothing of the live mode changed; the test mode's own order did expire.
    expect(await snapshot("live")).toEqual(before.live);
    expect((await snapshot("test")).job).toBe("done");
  }, 120_000);
});

describe("a list's cursor names an object of that list", () => {
  // A page cursor is an id like any other: the other mode's (or nobody's) is a 404 naming the
  // cursor, never a page that starts wherever that id would sort.
  it("starting_after or ending_before with the other mode's id, or an unknown one, is a 404 naming it", async () => {
    const lists = (await operations()).filter((o) => o.lists && !OUT_OF_SCOPE[o.op] && o.queryParams.includes("starting_after"));
    expect(lists.length).toBeGreaterThan(10);
    const problems: string[] = [];
    // Lists probed with an item of the other mode: every list at least once (live webhook
    // deliveries wait for the background worker, off here, so a live endpoint lists no attempts).
    const probed = new Set<string>();
    const at = (o: Operation, mode: Mode) => {
      let path = o.path;
      for (const p of o.params) path = path.replace(`{${p.name}}`, encodeURIComponent(fixtures[mode].ids[kindOf(p) as string] as string));
      return path;
    };
    await Promise.all(
      MODES.flatMap((mode) =>
        lists.map(async (o) => {
          // An item of the same list in the other mode, read with that mode's own key.
          const theirs = await sk[other(mode)].get(`${at(o, other(mode))}?limit=1`);
          const id = theirs.body?.data?.[0]?.id as string | undefined;
          if (id) probed.add(o.op);
          const cursors = [
            ...(id
              ? ([
                  ["starting_after", id],
                  ["ending_before", id],
                ] as const)
              : []),
            ["starting_after", "obj_0000000000000000000000000"],
          ] as const;
          for (const [param, cursor] of cursors) {
            const r = await sk[mode].get(`${at(o, mode)}?${param}=${encodeURIComponent(cursor)}`);
            if (r.status !== 404 || r.body?.error?.code !== "resource_missing" || r.body.error.param !== param)
              problems.push(`${mode} → ${o.op}?${param}=${cursor}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
          }
          // Its own item still pages, both ways.
          const own = (await sk[mode].get(`${at(o, mode)}?limit=1`)).body?.data?.[0]?.id as string | undefined;
          for (const param of own ? ["starting_after", "ending_before"] : []) {
            const next = await sk[mode].get(`${at(o, mode)}?${param}=${encodeURIComponent(own as string)}`);
            if (next.status !== 200) problems.push(`${mode} → ${o.op}?${param}=${own} (its own): ${next.status}`);
          }
        }),
      ),
    );
    expect(problems, problems.join("\n")).toEqual([]);
    expect(lists.map((o) => o.op).filter((op) => !probed.has(op))).toEqual([]);
  });
});

describe("buyer reliability and buyer policy belong to one mode", () => {
  // GET/DELETE /v1/buyer_reliability and GET/PUT /v1/buyer_policy take no id and list nothing, so
  // the sweep above does not reach them: a buyer's record and a policy of one mode stay there.
  it("a test key neither sees, erases nor follows the live record and policy", async () => {
    const phone = encodeURIComponent("+996555770011");
    const collectBy = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const live = await sk.live.post("/v1/orders", {
      currency: "KGS",
      items: [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }],
      delivery: { type: "courier", collect_by: collectBy },
      buyer: { phone: "+996555770011" },
    });
    expect(live.status).toBe(200);
    const policy = await sk.live.put("/v1/buyer_policy", { min_score_on_pickup: 101 });
    expect(policy.body).toMatchObject({ livemode: true, version: 1 });

    expect((await sk.test.get("/v1/buyer_policy")).status).toBe(404);
    expect((await sk.test.get(`/v1/buyer_reliability?phone=${phone}`)).body).toMatchObject({
      livemode: false,
      orders: 0,
      requirement: "none",
    });
    const erased = await sk.test.call("DELETE", `/v1/buyer_reliability?phone=${phone}`);
    expect(erased.body).toMatchObject({ livemode: false, events_erased: 0 });
    // The live policy does not reach test orders either: everyone may still pay on pickup there.
    const testOrder = await sk.test.post("/v1/orders", {
      currency: "KGS",
      items: [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }],
      delivery: { type: "courier", collect_by: collectBy },
      buyer: { phone: "+996555770011" },
      payment_timing: "on_pickup",
    });
    expect(testOrder.body.status).toBe("awaiting_pickup");

    expect((await sk.live.get(`/v1/buyer_reliability?phone=${phone}`)).body).toMatchObject({
      livemode: true,
      orders: 1,
      requirement: "prepay",
    });
    expect((await sk.live.get("/v1/buyer_policy")).body.id).toBe(policy.body.id);
  });

  it("GET /v1/buyer_reliability/summary counts only its own mode's orders and buyers", async () => {
    const summary = async (mode: Mode) => (await sk[mode].get("/v1/buyer_reliability/summary?weeks=1")).body;
    const total = (s: { weeks: { orders: number }[] }) => s.weeks.reduce((n, w) => n + w.orders, 0);
    const before = { test: await summary("test"), live: await summary("live") };
    expect([before.test.livemode, before.live.livemode]).toEqual([false, true]);
    const collectBy = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const placed = await sk.live.post("/v1/orders", {
      currency: "KGS",
      items: [{ sku: "dress", name: "Dress", amount: 300_000, quantity: 1 }],
      delivery: { type: "courier", collect_by: collectBy },
      buyer: { phone: "+996555770022" },
    });
    expect(placed.status).toBe(200);
    const after = { test: await summary("test"), live: await summary("live") };
    expect(total(after.live)).toBe(total(before.live) + 1);
    expect(total(after.test)).toBe(total(before.test));
    // The live policy (everyone under 101) lists live buyers to the live key only.
    expect(after.live.min_score_on_pickup).toBe(101);
    expect(after.live.buyers_under_threshold_total).toBeGreaterThan(0);
    expect(after.test).toMatchObject({ min_score_on_pickup: null, buyers_under_threshold: [] });
    expect(JSON.stringify(after.test)).not.toContain(placed.body.id);
  });
});

describe("the analytics overview belongs to one mode", () => {
  // GET /v1/analytics/overview takes no id and lists nothing, so the sweep above does not reach it.
  it("sums only its own mode's payments, refunds and rides", async () => {
    const overview = async (mode: Mode) => (await sk[mode].get("/v1/analytics/overview?days=2")).body;
    const before = { test: await overview("test"), live: await overview("live") };
    expect([before.test.livemode, before.live.livemode]).toEqual([false, true]);
    for (const mode of MODES) {
      expect(before[mode].totals[0].refund_count).toBeGreaterThan(0);
      expect(before[mode].transit.rides_by_route.map((r: { route: string }) => r.route)).toContain("7");
    }
    const customer = fixtures.live.ids.cus as string;
    const paid = await sk.live.post("/v1/payments", {
      amount: 4_321,
      currency: "KGS",
      customer,
      confirm: true,
      payment_method_data: { type: "wallet", customer },
    });
    expect(paid.body.status).toBe("succeeded");
    const after = { test: await overview("test"), live: await overview("live") };
    expect(after.live.totals[0].amount).toBe(before.live.totals[0].amount + 4_321);
    expect(after.test.totals).toEqual(before.test.totals);
    expect(after.test.payment_methods).toEqual(before.test.payment_methods);
  });
});
