import type { RequestOptions } from "../client.js";
import { APIResource } from "../core/resource.js";
import type { Query, Schemas } from "../internal/types.js";
import { query } from "../internal/utils.js";

/** Your last N days: volume, count, refunds and fees by day; success rate by method; rides. */
export type AnalyticsOverview = Schemas["AnalyticsOverview"];
/** `days` (1–90, default 30) and `timezone` (an IANA name, default UTC). */
export type AnalyticsOverviewParams = Query<"/v1/analytics/overview", "get">;

export class Analytics extends APIResource {
  /**
   * The figures a merchant checks every morning, for the key's mode: succeeded volume and
   * count, refunds and fees per day and currency, the success rate of each payment method,
   * and, for a transit operator, rides by hour of day and by route.
   */
  overview(params: AnalyticsOverviewParams = {}, options?: RequestOptions): Promise<AnalyticsOverview> {
    return this._client.request("GET", `/analytics/overview${query(params)}`, undefined, options);
  }
}
