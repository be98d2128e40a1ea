// Every request example in /openapi.json, sent as the reference's "Test Request" would send it,
// to a live API in test mode over real HTTP. Its answer must have the operation's documented
// success status and a body the document's own response schema accepts (ajv, JSON Schema
// 2020-12 as OpenAPI 3.1 uses it). A wrong example, or an answer the schema does not describe,
// fails here, so the docs' examples cannot fail a reader again.
//
// Ids in examples are written as placeholders (`pay_01J…`): the fixture below creates an object
// of that kind, in the state the operation needs, and the test puts its id in their place. What
// only a live moment holds is written the same way (`examplePlaceholder`: a one-time code
// `123456`, a second-factor token, the time a form was shown): the fixture gets the live value (the
// code from the test outbox, the authenticator's code from the secret it enrolled, now).
//
// The sign-in operations act for a signed-in person: their fixtures sign one in to the console
// as a browser does (session cookie, and the console's own Origin on writes, its CSRF check)
// and put the person in the state the operation needs (an authenticator on before turning it off).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examplePlaceholder } from "../src/lib/openapi.js";
import type { TestApi } from "../src/testing.js";
import { accounts } from "./auth-support.js";
import { fundedCustomer, type Http, http, schemaValidator, startTestApi, TEST_CARD } from "./support.js";

type Operation = {
  operationId: string;
  security?: unknown[];
  summary?: string;
  requestBody?: { content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
};
type Document = { paths: Record<string, Record<string, Operation>>; components: object };

let api: TestApi;
let sk: Http;
let admin: Http;
let anon: Http;
let people: ReturnType<typeof accounts>;
let doc: Document;

beforeAll(async () => {
  api = await startTestApi({ env: { WORKERS: "off" } });
  sk = http(api.url, api.merchant.secretKey);
  admin = http(api.url, api.adminKey);
  anon = http(api.url);
  people = accounts(api);
  doc = (await anon.get("/openapi.json")).body;
});
afterAll(() => api?.close());

/** A placeholder id in an example: a kind's prefix, then `_01J…`. */
const PLACEHOLDER = /^([a-z]+)_01J…$/;

/** The live value for each placeholder in an example: an id by its prefix, or a kind of `examplePlaceholder`. */
type Live = Record<string, string | number>;

/** Which placeholder a value of an example is, if any. */
function placeholderOf(value: unknown): string | undefined {
  if (value === examplePlaceholder.code) return "code";
  if (value === examplePlaceholder.secondFactorToken) return "second_factor_token";
  if (value === examplePlaceholder.formShownAt) return "form_shown_at";
  return typeof value === "string" ? PLACEHOLDER.exec(value)?.[1] : undefined;
}

/** Creates what an operation's example refers to; returns the live value for each placeholder. */
type Fixture = () => Promise<Live>;

async function payment(body: Record<string, unknown>) {
  const r = await sk.post("/v1/payments", { amount: 15000, currency: "KGS", ...body });
  if (r.status !== 200) throw new Error(`fixture payment: ${JSON.stringify(r.body)}`);
  return r.body as { id: string; status: string };
}
const paidCard = { confirm: true, payment_method_data: { type: "card", card: TEST_CARD } };
const ok = <T>(r: { status: number; body: T }, what: string): T => {
  if (r.status >= 300) throw new Error(`fixture ${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

/** Keyed by "METHOD /path" as the document writes it. */
const fixtures: Record<string, Fixture> = {
  "POST /v1/payments/{id}/confirm": async () => ({ pay: (await payment({})).id }),
  "POST /v1/payments/{id}/retry": async () => {
    const failed = await payment({});
    const declined = await sk.post(`/v1/payments/${failed.id}/confirm`, {
      payment_method_data: { type: "card", card: { ...TEST_CARD, number: "4000000000000002" } },
    });
    if (declined.status !== 402) throw new Error(`fixture declined payment: ${declined.status}`);
    return { pay: failed.id };
  },
  "POST /v1/payments/{id}/capture": async () => ({ pay: (await payment({ ...paidCard, capture_method: "manual" })).id }),
  "POST /v1/refunds": async () => ({ pay: (await payment(paidCard)).id }),
  "POST /v1/webhook_endpoints/{id}": async () => ({
    we: ok(await sk.post("/v1/webhook_endpoints", { url: "https://shop.example.kg/hooks", events: ["payment.succeeded"] }), "endpoint").id,
  }),
  "POST /v1/api_keys/{id}/roll": async () => ({ key: ok(await sk.post("/v1/api_keys", { kind: "secret" }), "api key").id }),
  "POST /v1/merchants/{id}/members": async () => ({ mer: api.merchant.id }),
  "POST /v1/test_helpers/payments/{id}/dispute": async () => ({ pay: (await payment(paidCard)).id }),
  "POST /v1/orders/{id}/handover": async () => ({ ord: await paidOrder() }),
  "POST /v1/orders/{id}/fail": async () => ({ ord: await paidOrder() }),
  "POST /v1/orders/{id}/returns": async () => {
    const ord = await paidOrder();
    ok(await sk.post(`/v1/orders/${ord}/handover`, { accepted: [{ sku: "sneakers-42", quantity: 1 }] }), "handover");
    return { ord };
  },
  "POST /v1/payments/{id}/verify": async () => {
    // a card that asks for 3-D Secure leaves the payment waiting for the buyer's code
    const pay = await payment({});
    const asked = await sk.post(`/v1/payments/${pay.id}/confirm`, {
      payment_method_data: { type: "card", card: { ...TEST_CARD, number: "4000000000003220" } },
    });
    if (asked.body.status !== "requires_action") throw new Error(`fixture 3-D Secure payment: ${JSON.stringify(asked.body)}`);
    return { pay: pay.id };
  },
  "POST /v1/payouts": async () => {
    await fundedWallet(); // a wallet sale is available at once: something to pay out
    ok(
      await sk.post("/v1/bank_accounts", {
        country: "KG",
        holder_name: "Demo Shop LLC",
        account_number: "1240020000123456",
        bank_code: "124002",
        currency: "KGS",
      }),
      "bank account",
    );
    return {};
  },
  "POST /v1/tariffs/{code}/quote": async () => {
    await fareTariff();
    return {};
  },
  "POST /v1/transit/terminals": async () => {
    await fareTariff();
    return {};
  },
  "POST /v1/transit/taps": async () => rider(),
  "POST /v1/transit/taps/batch": async () => rider(),
  "POST /v1/disputes/{id}/evidence": async () => ({ dp: await dispute() }),
  "POST /v1/test_helpers/disputes/{id}/close": async () => ({ dp: await dispute() }),
  "POST /v1/auth/verify": async () => {
    // A sign-in started by email, as POST /v1/auth/email/start does it: its challenge and the code the email carries.
    const email = newAddress("verify");
    ok(await admin.post(`/v1/merchants/${api.merchant.id}/members`, { email, role: "developer" }), "invitation");
    const challenge = ok(await people.startEmail(email), "email sign-in").id as string;
    const code = (await people.lastMessage(email))?.code;
    if (!code) throw new Error("fixture sign-in email: no code in the test outbox");
    return { chl: challenge, code };
  },
  "POST /v1/auth/second_factor": async () => {
    // A person with a password and an authenticator, whose new email sign-in stopped at the second step.
    const email = newAddress("second-factor");
    const session = await consoleSession(email);
    ok(await session.post("/v1/auth/password", { password: EXAMPLE_PASSWORD }), "password on");
    const secret = await enrolTotp(session);
    const first = ok(await people.emailCode(email), "first step");
    if (first.status !== "second_factor_required") throw new Error(`fixture first step: ${JSON.stringify(first)}`);
    return { second_factor_token: first.second_factor_token, code: nextCode(secret) };
  },
  // The form was shown a minute ago: a person takes more than 3 seconds to write (the anti-spam check).
  "POST /v1/leads": async () => ({ form_shown_at: Date.now() - 60_000 }),
};

/** The password the sign-in examples turn on and then give as proof. */
const EXAMPLE_PASSWORD = "violet-harbour-42";
let addressCount = 0;
/** A new person's address each time: a sign-in changes the person it signs in. */
const newAddress = (what: string) => `${what}-${++addressCount}@docs-examples.test`;

/**
 * A member of `merchant` signed in to the console just now, as the browser is: the httpOnly
 * session cookie on every request, and the console's own Origin, which cookie writes need (CSRF).
 */
async function consoleSession(email: string, role: "owner" | "developer" = "developer", merchant = api.merchant.id): Promise<Http> {
  ok(await admin.post(`/v1/merchants/${merchant}/members`, { email, role }), "invitation");
  const signedIn = await people.emailCode(email, { client: "browser" });
  const cookie = signedIn.headers.get("set-cookie")?.split(";")[0];
  if (signedIn.body.status !== "complete" || !cookie) throw new Error(`fixture console sign-in: ${JSON.stringify(signedIn.body)}`);
  return http(api.url, undefined, { Cookie: cookie, Origin: api.url });
}

/** An authenticator app turned on for the session's person; returns its secret. */
async function enrolTotp(session: Http) {
  const setup = ok(await session.post("/v1/auth/totp/setup"), "authenticator setup");
  ok(await session.post("/v1/auth/totp/enable", { code: people.totpCode(setup.secret) }), "authenticator on");
  return setup.secret as string;
}

/** The app's next code: a code is good once, and turning the app on used this step's (the API allows a step of drift). */
const nextCode = (secret: string) => people.totpCode(secret, new Date(people.now().getTime() + 30_000));

/** Operations a signed-in person does: the fixture signs one in, in the state the operation needs. */
const sessionFixtures: Record<string, () => Promise<{ session: Http; live: Live }>> = {
  "POST /v1/auth/password": async () => ({ session: await consoleSession(newAddress("password")), live: {} }),
  "POST /v1/auth/password/disable": async () => {
    const session = await consoleSession(newAddress("password-off"));
    ok(await session.post("/v1/auth/password", { password: EXAMPLE_PASSWORD }), "password on");
    return { session, live: {} };
  },
  "POST /v1/auth/totp/enable": async () => {
    const session = await consoleSession(newAddress("totp-on"));
    const setup = ok(await session.post("/v1/auth/totp/setup"), "authenticator setup");
    return { session, live: { code: people.totpCode(setup.secret) } };
  },
  "POST /v1/auth/totp/disable": async () => {
    const session = await consoleSession(newAddress("totp-off"));
    return { session, live: { code: nextCode(await enrolTotp(session)) } };
  },
  "POST /v1/auth/recovery_codes": async () => {
    const session = await consoleSession(newAddress("recovery"));
    return { session, live: { code: nextCode(await enrolTotp(session)) } };
  },
  "POST /v1/auth/sessions/live_mode": async () => {
    // An owner with an authenticator, of a merchant the platform activated for live mode (one of its own, so
    // the other examples' merchant stays as it was).
    const merchant = ok(await admin.post("/v1/merchants", { name: "Live Shop", country: "KG", default_currency: "KGS" }), "merchant").id;
    ok(await admin.post(`/v1/merchants/${merchant}/activate`), "live mode activation");
    const session = await consoleSession(newAddress("live-owner"), "owner", merchant);
    return { session, live: { code: nextCode(await enrolTotp(session)) } };
  },
};

/** An order as the example creates it, paid by card (so held in escrow). */
async function paidOrder() {
  const order = ok(
    await sk.post("/v1/orders", {
      currency: "KGS",
      items: [{ sku: "sneakers-42", name: "Sneakers, size 42", amount: 15000, quantity: 1 }],
      delivery: { type: "courier", collect_by: new Date(Date.now() + 86_400_000).toISOString() },
    }),
    "order",
  );
  ok(
    await sk.post(`/v1/payments/${order.payment.id}/confirm`, { payment_method_data: { type: "card", card: TEST_CARD } }),
    "order payment",
  );
  return order.id as string;
}

/** A customer whose wallet holds money, and a wallet sale from it (so the merchant has an available balance). */
async function fundedWallet() {
  const customer = await fundedCustomer(sk, 500_000);
  const sale = await payment({ customer, amount: 300_000, confirm: true, payment_method_data: { type: "wallet", customer } });
  if (sale.status !== "succeeded") throw new Error(`fixture wallet sale: ${JSON.stringify(sale)}`);
  return customer;
}

/** The fare tariff the transit examples name (`bishkek-bus`), in effect before their taps. */
async function fareTariff() {
  ok(
    await sk.put("/v1/tariffs/bishkek-bus", {
      kind: "fare",
      rules: { default_fare: 2000, routes: { "7": 2000 } },
      effective_from: "2026-01-01T00:00:00Z",
    }),
    "fare tariff",
  );
}

/** A terminal on route 7 and a rider with money in the wallet: what a tap names. */
async function rider() {
  await fareTariff();
  const term = ok(await sk.post("/v1/transit/terminals", { kind: "bus_validator", route: "7", fare_tariff: "bishkek-bus" }), "terminal")
    .id as string;
  return { term, cus: await fundedWallet() };
}

async function dispute() {
  const paid = await payment(paidCard);
  return ok(await sk.post(`/v1/test_helpers/payments/${paid.id}/dispute`, { reason: "fraudulent" }), "dispute").id as string;
}

/** Operations an example may send with the platform's admin key (they refuse a merchant's). */
const ADMIN_OPERATIONS = new Set(["POST /v1/merchants", "POST /v1/merchants/{id}/members", "POST /v1/reconciliations"]);

function operations(): { key: string; path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
  );
}

function withIds(value: unknown, ids: Live, key: string): unknown {
  const placeholder = placeholderOf(value);
  if (placeholder) {
    const live = ids[placeholder];
    if (live === undefined) throw new Error(`${key}: its example holds a placeholder (${placeholder}), and no fixture gives its value`);
    return live;
  }
  if (Array.isArray(value)) return value.map((v) => withIds(v, ids, key));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withIds(v, ids, key)]));
  return value;
}

/** The path with each `{param}` replaced by its example (through the fixture's ids). */
function examplePath(
  path: string,
  op: Operation & { parameters?: { in: string; name: string; example?: unknown; schema?: { example?: unknown } }[] },
  ids: Live,
  key: string,
) {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const p = op.parameters?.find((x) => x.in === "path" && x.name === name);
    const example = p?.example ?? p?.schema?.example;
    if (typeof example !== "string") throw new Error(`${key}: path parameter ${name} has no example`);
    return encodeURIComponent(String(withIds(example, ids, key)));
  });
}

const validator = () => schemaValidator(doc);

const pointerToken = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

describe("the request examples in /openapi.json", () => {
  it("every request body carries an example", () => {
    const missing = operations()
      .filter(({ op }) => op.requestBody && op.requestBody.content["application/json"]?.example === undefined)
      .map(({ key }) => key);
    expect(missing).toEqual([]);
  });

  it("each runs against a live API in test mode and answers its documented success, in its documented shape", async () => {
    const validate = validator();
    const sent: string[] = [];
    const problems: string[] = [];
    for (const { key, path, method, op } of operations()) {
      const example = op.requestBody?.content["application/json"]?.example;
      if (example === undefined) continue;
      const signedIn = await sessionFixtures[key]?.();
      const ids = signedIn?.live ?? (await fixtures[key]?.()) ?? {};
      const url = examplePath(path, op as never, ids, key);
      // A public operation goes without credentials, as the reference's Test Request sends it.
      const client = signedIn?.session ?? (ADMIN_OPERATIONS.has(key) ? admin : op.security?.length === 0 ? anon : sk);
      const reply = await client.call(method.toUpperCase(), url, withIds(example, ids, key));
      sent.push(key);
      const success = Object.keys(op.responses)
        .filter((s) => /^2\d\d$/.test(s))
        .sort()[0];
      if (String(reply.status) !== success) {
        problems.push(`${key}: ${reply.status} (documented ${success}) ${JSON.stringify(reply.body).slice(0, 400)}`);
        continue;
      }
      const pointer = `/paths/${pointerToken(path)}/${method}/responses/${success}/content/application~1json/schema`;
      const errors = validate(pointer, reply.body);
      if (errors.length) problems.push(`${key}: the answer does not match its schema: ${errors.join("; ")}`);
    }
    expect(problems).toEqual([]);
    // The examples a reader meets first are among them.
    expect(sent).toEqual(
      expect.arrayContaining(["POST /v1/payments", "POST /v1/payments/{id}/confirm", "POST /v1/refunds", "POST /v1/customers"]),
    );
    // So are those a signed-in person sends, and those holding a code or a time.
    expect(sent).toEqual(
      expect.arrayContaining([...Object.keys(sessionFixtures), "POST /v1/auth/verify", "POST /v1/auth/second_factor", "POST /v1/leads"]),
    );
  });
});

describe("the other examples in /openapi.json", () => {
  /** Every `example` in the document, with the schema it illustrates (a JSON pointer into the document). */
  function examples(): { at: string; schema: string; example: unknown }[] {
    const found: { at: string; schema: string; example: unknown }[] = [];
    const walk = (node: unknown, pointer: string, names = false) => {
      if (!node || typeof node !== "object") return; // an array too: its entries are its items
      const o = node as Record<string, unknown>;
      // A media type or a parameter holds its example beside its schema; a schema holds its own.
      // (Under `properties` a key is a field's name: a field called `example` is a schema, not one.)
      if (!names && "example" in o) found.push({ at: pointer, schema: "schema" in o ? `${pointer}/schema` : pointer, example: o.example });
      for (const [k, v] of Object.entries(o)) {
        if (names || k !== "example") walk(v, `${pointer}/${pointerToken(k)}`, !names && k === "properties");
      }
    };
    walk(doc.paths, "/paths");
    walk(doc.components, "/components");
    return found;
  }

  it("every example (those of the response schemas the reference shows as an answer, and the rest) is valid for its schema", () => {
    const validate = validator();
    const all = examples();
    const invalid = all.flatMap(({ at, schema, example }) => {
      const errors = validate(schema, example);
      return errors.length ? [`${at}: ${JSON.stringify(example)}: ${errors.join("; ")}`] : [];
    });
    expect(invalid).toEqual([]);
    // The response schemas' own examples are among those checked (Payment's, by the Payment answers).
    expect(all.map((e) => e.at)).toEqual(expect.arrayContaining(["/components/schemas/Payment/properties/currency"]));
  });
});
