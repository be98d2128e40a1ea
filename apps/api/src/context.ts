import type { Logger } from "pino";
import type { LiveConnectors } from "./connectors/index.js";
import type { PayoutRail } from "./connectors/payout-rail.js";
import type { Database, Db } from "./db/client.js";
import type { payments } from "./db/schema/index.js";
import type { Env } from "./env.js";
import type { JobRegistry } from "./jobs/registry.js";
import type { SecretBox } from "./lib/crypto.js";
import type { Signal } from "./lib/signal.js";
import type { IdempotencyClaim } from "./store/idempotency.js";
import type { LedgerStore } from "./store/ledger-store.js";

/** Who is calling. Every merchant-scoped query filters by `merchantId` and `livemode`. */
export type Principal =
  | { kind: "admin"; keyId: "admin" }
  | { kind: "secret"; keyId: string; merchantId: string; livemode: boolean; session?: SessionPrincipal }
  | { kind: "publishable"; keyId: string; merchantId: string; livemode: boolean }
  /** A signed-in customer (wallet holder, rider): only the /v1/auth routes about themselves. */
  | { kind: "customer"; keyId: string; merchantId: string; livemode: boolean; session: SessionPrincipal }
  /**
   * Nobody yet: the public sign-in routes (keyId scopes Idempotency-Key by client address).
   * Its merchantId is "" so that a query filtered by it matches nothing; allow() refuses it everywhere else.
   */
  | { kind: "anonymous"; keyId: string; merchantId: ""; livemode: false }
  /**
   * A background job acting for a merchant (jobs/runner.ts jobVars), never a request. It holds
   * no key: no keyId (so no idempotency scope or rate-limit bucket), and allow() admits it on no route.
   */
  | { kind: "job"; job: string; merchantId: string; livemode: boolean; keyId?: undefined };

/** The kinds of caller a route may admit (allow()): a job is never an HTTP caller. */
export type CallerKind = Exclude<Principal["kind"], "job">;

/** Who signed in, when the caller is a session rather than an API key (see routes/auth). */
export interface SessionPrincipal {
  id: string;
  identityId: string;
  role?: "owner" | "developer" | "support";
  customerId?: string;
}

export type MerchantPrincipal = Extract<Principal, { merchantId: string }>;

/** Long-lived parts shared by every request, built once at start (see app.ts). */
export interface Deps {
  env: Env;
  database: Database;
  /**
   * The read-only, lag-tolerant pool (DATABASE_REPLICA_URL), when there is one: only routes that
   * declare `reads: "replica"` (lib/router.ts) use it, never a write, a balance or a replay.
   */
  replica?: Db | undefined;
  ledger: LedgerStore;
  box: SecretBox;
  logger: Logger;
  adminKeyHash: string;
  /** Raised after a write commits, so the webhook dispatcher delivers at once instead of at its next poll. */
  committed: Signal;
  /** The operator's live payment providers (LIVE_CONNECTORS), loaded at start; test mode uses the simulators. */
  liveConnectors: LiveConnectors;
  /** The operator's live payout rail (bank transfers to merchants), when one is plugged in; test mode uses the simulator. */
  livePayoutRail?: PayoutRail | undefined;
  /**
   * The origin every absolute URL this server builds starts with (sign-in links): PUBLIC_URL,
   * else the listening address (see listen). Never taken from a request's headers.
   */
  publicUrl: string;
  /** Clock used by jobs and taps; tests move it with run_jobs. */
  now: () => Date;
  /** The background jobs this process runs, built and closed by the runtime (server.ts). */
  jobs: JobRegistry<Deps>;
  /**
   * Told, in the payment's transaction, when a payment's status changes: the order service
   * holds or cancels the order it pays. Wired by the runtime, so that payments.ts does not
   * import orders.ts (which calls into payments.ts).
   */
  paymentStatusChanged: PaymentStatusListener;
}

export type PaymentStatusListener = (v: AppEnv["Variables"], payment: typeof payments.$inferSelect) => Promise<void>;

export interface AppEnv {
  Variables: {
    requestId: string;
    deps: Deps;
    /** The request's database handle: its transaction for writes, the pool for reads. */
    db: Db;
    principal: Principal;
    /** A write's Idempotency-Key, claimed in the transaction that makes its effect (see store/idempotency.ts). */
    claim?: IdempotencyClaim | undefined;
    /**
     * In a unit of work: what to do once its transaction has committed (messages to people),
     * never after a rollback nor on a replay. Outside one, there is nothing to wait for.
     */
    afterCommit?: (() => void)[] | undefined;
  };
}
