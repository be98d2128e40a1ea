import { beforeAll, inject } from "vitest";
import { Softrack } from "../../src/index.js";

export interface Ctx {
  url: string;
  adminKey: string;
  secretKey: string;
  merchantId: string;
  publishableKey: string;
  /** A merchant of this test file, with its secret key. */
  sk: Softrack;
  /** The same merchant's publishable key. */
  pk: Softrack;
  admin: Softrack;
}

/** The real API started by test/global-setup.ts, and a fresh merchant for this file. */
export function useApi(): Ctx {
  const ctx = {} as Ctx;
  beforeAll(async () => {
    const { url, adminKey } = inject("api");
    const admin = new Softrack({ apiKey: adminKey, baseUrl: url });
    const m = await admin.merchants.create({ name: "SDK Test Merchant", country: "KG", default_currency: "KGS" });
    Object.assign(ctx, {
      url,
      adminKey,
      secretKey: m.keys.secret_key,
      merchantId: m.id,
      publishableKey: m.keys.publishable_key,
      admin,
      sk: new Softrack({ apiKey: m.keys.secret_key, baseUrl: url }),
      pk: new Softrack({ apiKey: m.keys.publishable_key, baseUrl: url }),
    });
  });
  return ctx;
}
