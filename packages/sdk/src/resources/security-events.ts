import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Query, Schemas } from "../internal/types.js";

/** One audit record: sign-ins, failures, lockouts, factor, session and key changes. */
export type SecurityEvent = Schemas["SecurityEvent"];
export type SecurityEventListParams = Query<"/v1/security_events", "get">;

export class SecurityEvents extends APIResource {
  /** Newest first; `type` filters (`sign_in.failed`, …). */
  list(params?: SecurityEventListParams, options?: RequestOptions): PagePromise<SecurityEvent> {
    return this._client.list("/security_events", params, options);
  }
}
