import type { RequestOptions } from "../client.js";
import { APIResource } from "../core/resource.js";
import type { Body, Ok, Query, Schemas } from "../internal/types.js";
import { query } from "../internal/utils.js";

/** A buyer's platform-wide record: score 0–100 and counts, never the orders behind them. */
export type BuyerReliability = Schemas["BuyerReliability"];
/** Exactly one of `phone` (international format) or `email`. */
export type BuyerReliabilityParams = Query<"/v1/buyer_reliability", "get">;
export type BuyerReliabilityDeleted = Ok<"/v1/buyer_reliability", "delete">;
/** The merchant's no-shows by week and its buyers under the policy's minimum (by hash prefix). */
export type BuyerReliabilitySummary = Schemas["BuyerReliabilitySummary"];
export type BuyerReliabilitySummaryParams = Query<"/v1/buyer_reliability/summary", "get">;
export type BuyerPolicy = Schemas["BuyerPolicy"];
export type BuyerPolicyPutParams = Body<"/v1/buyer_policy", "put">;

export class BuyerReliabilityResource extends APIResource {
  /** The buyer's score, counts and what your buyer policy asks of them (`requirement`). */
  get(params: BuyerReliabilityParams, options?: RequestOptions): Promise<BuyerReliability> {
    return this._client.request("GET", `/buyer_reliability${query(params)}`, undefined, options);
  }
  /**
   * Your orders not collected by week (`weeks`, default 8), the delivery cost lost and the
   * no-show fees kept, and your buyers scoring under your policy's minimum.
   */
  summary(params: BuyerReliabilitySummaryParams = {}, options?: RequestOptions): Promise<BuyerReliabilitySummary> {
    return this._client.request("GET", `/buyer_reliability/summary${query(params)}`, undefined, options);
  }
  /** Erases the buyer's history across the platform (the right to be forgotten). */
  delete(params: BuyerReliabilityParams, options?: RequestOptions): Promise<BuyerReliabilityDeleted> {
    return this._client.request("DELETE", `/buyer_reliability${query(params)}`, undefined, options);
  }
}

export class BuyerPolicies extends APIResource {
  /** Sets the policy: a new immutable version (the minimum score for on_pickup, no-show fees by score). */
  put(params: BuyerPolicyPutParams, options?: RequestOptions): Promise<BuyerPolicy> {
    return this._client.request("PUT", "/buyer_policy", params, options);
  }
  /** The version in force. */
  retrieve(options?: RequestOptions): Promise<BuyerPolicy> {
    return this._client.request("GET", "/buyer_policy", undefined, options);
  }
}
