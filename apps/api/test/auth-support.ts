import { TOTP } from "otpauth";
import type { TestApi } from "../src/testing.js";
import { type Http, http, type Reply } from "./support.js";

/** A security event as GET /v1/security_events lists it. */
export type SecurityEvent = { type: string; identity: string | null; detail: Record<string, unknown> };

/** Shared steps of the sign-in tests: read the dev outbox, answer codes, compute TOTP at the API's clock. */
export function accounts(api: TestApi) {
  const admin = http(api.url, api.adminKey);
  const anon = http(api.url);
  let offsetMs = 0;
  api.runtime.deps.now = () => new Date(Date.now() + offsetMs);
  const self = {
    admin,
    anon,
    /** Moves the API's clock (codes, sessions, lockouts and TOTP all read it). */
    advance(ms: number) {
      offsetMs += ms;
    },
    now: () => api.runtime.deps.now(),
    async invite(email: string, role: "owner" | "developer" | "support" = "owner") {
      const r = await admin.post(`/v1/merchants/${api.merchant.id}/members`, { email, role });
      if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      return r.body;
    },
    async lastMessage(to: string) {
      const r = await admin.get(`/v1/test_helpers/outbox?to=${encodeURIComponent(to)}`);
      const m = r.body.data[0];
      if (!m) return undefined;
      return { text: m.text as string, code: /\b(\d{6})\b/.exec(m.text)?.[1] as string, link: /magic=([A-Za-z0-9_-]+)/.exec(m.text)?.[1] };
    },
    async startEmail(email: string, extra: Record<string, unknown> = {}) {
      return anon.post("/v1/auth/email/start", { email, audience: "member", ...extra });
    },
    /** Email code sign-in; returns the verify answer (complete or second_factor_required). */
    async emailCode(email: string, extra: Record<string, unknown> = {}): Promise<Reply> {
      const start = await self.startEmail(email, extra);
      if (start.status !== 200) throw new Error(JSON.stringify(start.body));
      const msg = await self.lastMessage(email);
      return anon.post("/v1/auth/verify", { challenge: start.body.id, code: msg?.code });
    },
    async signIn(email: string): Promise<Http & { token: string }> {
      const r = await self.emailCode(email);
      if (r.body.status !== "complete") throw new Error(JSON.stringify(r.body));
      return Object.assign(http(api.url, r.body.token), { token: r.body.token as string });
    },
    /** The merchant's security events (the newest 100), of `type` if given, read with its secret key. */
    async securityEvents(type?: string): Promise<SecurityEvent[]> {
      const r = await http(api.url, api.merchant.secretKey).get(`/v1/security_events?limit=100${type ? `&type=${type}` : ""}`);
      if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      return r.body.data;
    },
    totpCode(secret: string, at: Date = self.now()): string {
      return new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: at.getTime() });
    },
  };
  return self;
}
