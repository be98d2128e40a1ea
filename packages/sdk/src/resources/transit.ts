import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Query, Schemas } from "../internal/types.js";
import { path, query } from "../internal/utils.js";

export type Terminal = Schemas["Terminal"];
export type TerminalCreateParams = Body<"/v1/transit/terminals", "post">;
export type TerminalListParams = Query<"/v1/transit/terminals", "get">;
export type Tap = Schemas["Tap"];
export type TapCreateParams = Body<"/v1/transit/taps", "post">;
/** Per tap, in input order: the tap, or that tap's own error. */
export type TapBatchResult = Schemas["TapBatchResult"];
export type TransitDailyReport = Schemas["TransitDailyReport"];
export type TransitDailyReportParams = Query<"/v1/transit/reports/daily", "get">;

export class Terminals extends APIResource {
  create(params: TerminalCreateParams, options?: RequestOptions): Promise<Terminal> {
    return this._client.request("POST", "/transit/terminals", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<Terminal> {
    return this._client.request("GET", path`/transit/terminals/${id}`, undefined, options);
  }
  list(params?: TerminalListParams, options?: RequestOptions): PagePromise<Terminal> {
    return this._client.list("/transit/terminals", params, options);
  }
}

export class Taps extends APIResource {
  /** Charges one ride from the rider's wallet; `(terminal, client_tap_id)` is charged once. */
  create(params: TapCreateParams, options?: RequestOptions): Promise<Tap> {
    return this._client.request("POST", "/transit/taps", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<Tap> {
    return this._client.request("GET", path`/transit/taps/${id}`, undefined, options);
  }
  /** Uploads up to 1000 taps a terminal stored offline; a re-upload is not charged again. */
  batch(params: { taps: TapCreateParams[] }, options?: RequestOptions): Promise<TapBatchResult> {
    return this._client.request("POST", "/transit/taps/batch", params, options);
  }
}

export class Reports extends APIResource {
  /** Rides and revenue for one local day; `date` is required (the API answers 400 without it). */
  daily(params: TransitDailyReportParams, options?: RequestOptions): Promise<TransitDailyReport> {
    return this._client.request("GET", `/transit/reports/daily${query(params)}`, undefined, options);
  }
}

export class Transit extends APIResource {
  readonly terminals: Terminals = new Terminals(this._client);
  readonly taps: Taps = new Taps(this._client);
  readonly reports: Reports = new Reports(this._client);
}
