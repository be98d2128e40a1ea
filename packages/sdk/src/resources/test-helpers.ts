import type { RequestOptions } from "../client.js";
import { APIResource } from "../core/resource.js";
import type { Body, Ok, Query, Schemas } from "../internal/types.js";
import { path, query } from "../internal/utils.js";
import type { Dispute, DisputeCloseParams, DisputeOpenParams } from "./disputes.js";

export type JobRun = Schemas["JobRun"];
export type RunJobsParams = Body<"/v1/test_helpers/run_jobs", "post">;
export type OutboxParams = Query<"/v1/test_helpers/outbox", "get">;
/** Messages the API sent without an SMTP server or SMS gateway (development and tests). */
export type Outbox = Ok<"/v1/test_helpers/outbox", "get">;

class TestPayments extends APIResource {
  /** Plays the payer's side of a QR payment. */
  completeQr(id: string, options?: RequestOptions): Promise<Schemas["Payment"]> {
    return this._client.request("POST", path`/test_helpers/payments/${id}/complete_qr`, undefined, options);
  }
  /** The card network disputes a captured payment: the amount and the dispute fee leave `available` at once. */
  dispute(id: string, params: DisputeOpenParams, options?: RequestOptions): Promise<Dispute> {
    return this._client.request("POST", path`/test_helpers/payments/${id}/dispute`, params, options);
  }
}

class TestDisputes extends APIResource {
  /** The network's decision: `won` returns the amount (not the fee), `lost` sends it to the payer. */
  close(id: string, params: DisputeCloseParams, options?: RequestOptions): Promise<Dispute> {
    return this._client.request("POST", path`/test_helpers/disputes/${id}/close`, params, options);
  }
}

/** Test keys only. */
export class TestHelpers extends APIResource {
  readonly payments: TestPayments = new TestPayments(this._client);
  readonly disputes: TestDisputes = new TestDisputes(this._client);
  /** Runs every due job (order expiry, return windows, webhook retries) as if the time were `now`. */
  runJobs(params: RunJobsParams, options?: RequestOptions): Promise<JobRun> {
    return this._client.request("POST", "/test_helpers/run_jobs", params, options);
  }
  /** Platform admin key, not in production: the sign-in codes and links it would have sent, newest first. */
  outbox(params?: OutboxParams, options?: RequestOptions): Promise<Outbox> {
    return this._client.request("GET", `/test_helpers/outbox${query(params)}`, undefined, options);
  }
}
