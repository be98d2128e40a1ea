import type { RequestOptions } from "../client.js";
import { APIResource } from "../core/resource.js";
import type { Body, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

export type Merchant = Schemas["Merchant"];
/** The response to `create`: the merchant with its test-mode keys, shown once. */
export type MerchantWithKeys = Schemas["MerchantWithKeys"];
export type MerchantCreateParams = Body<"/v1/merchants", "post">;
/** The response to `activate`: the merchant with its live-mode keys. */
export type LiveActivation = Schemas["LiveActivation"];

/** Platform admin key (a merchant's secret key may retrieve itself). */
export class Merchants extends APIResource {
  create(params: MerchantCreateParams, options?: RequestOptions): Promise<MerchantWithKeys> {
    return this._client.request("POST", "/merchants", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<Merchant> {
    return this._client.request("GET", path`/merchants/${id}`, undefined, options);
  }
  /**
   * Turns on live mode and answers the merchant's live keys. Idempotent per merchant: calling
   * it again answers the same keys and issues none, so a lost answer can be fetched again.
   */
  activate(id: string, options?: RequestOptions): Promise<LiveActivation> {
    return this._client.request("POST", path`/merchants/${id}/activate`, undefined, options);
  }
}
