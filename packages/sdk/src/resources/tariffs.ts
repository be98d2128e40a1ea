import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Ok, Query, Schemas } from "../internal/types.js";
import { path, query } from "../internal/utils.js";

export type Tariff = Schemas["Tariff"];
export type TariffPutParams = Body<"/v1/tariffs/{code}", "put">;
export type TariffRetrieveParams = Query<"/v1/tariffs/{code}", "get">;
export type TariffQuoteParams = Body<"/v1/tariffs/{code}/quote", "post">;
export type TariffQuote = Schemas["TariffQuote"];
export type TariffVersionList = Ok<"/v1/tariffs/{code}/versions", "get">;
export type TariffVersionListParams = Query<"/v1/tariffs/{code}/versions", "get">;

export class Tariffs extends APIResource {
  /** Creates a new version of tariff `code`; versions are immutable, earlier ones stay as they were. */
  put(code: string, params: TariffPutParams, options?: RequestOptions): Promise<Tariff> {
    return this._client.request("PUT", path`/tariffs/${code}`, params, options);
  }
  /** The version in effect now, or `{ version }`. */
  retrieve(code: string, params?: TariffRetrieveParams, options?: RequestOptions): Promise<Tariff> {
    return this._client.request("GET", path`/tariffs/${code}` + query(params), undefined, options);
  }
  /** The versions of tariff `code`, newest first; a page like every list (`for await` walks them all). */
  versions(code: string, params?: TariffVersionListParams, options?: RequestOptions): PagePromise<Tariff> {
    return this._client.list(path`/tariffs/${code}/versions`, params, options);
  }
  /** Prices a payment (fee tariff) or a ride (fare tariff) without recording anything. */
  quote(code: string, params: TariffQuoteParams, options?: RequestOptions): Promise<TariffQuote> {
    return this._client.request("POST", path`/tariffs/${code}/quote`, params, options);
  }
}
