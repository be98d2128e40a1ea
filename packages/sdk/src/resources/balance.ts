import type { RequestOptions } from "../client.js";
import { APIResource } from "../core/resource.js";
import type { Schemas } from "../internal/types.js";

/** `available`: the merchant's; `pending`: captured, not yet available; `held`: not the merchant's yet. */
export type BalanceObject = Schemas["Balance"];

export class Balance extends APIResource {
  /** The calling merchant's balance, per currency. */
  retrieve(options?: RequestOptions): Promise<BalanceObject> {
    return this._client.request("GET", "/balance", undefined, options);
  }
}
