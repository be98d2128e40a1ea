import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Ok, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

/** A person on a merchant's team: `owner`, `developer` or `support`. */
export type Member = Schemas["Member"];
export type MemberCreateParams = Body<"/v1/merchants/{id}/members", "post">;
export type MemberDeleted = Ok<"/v1/members/{id}", "delete">;
export type MemberListParams = Query<"/v1/members", "get">;

export class Members extends APIResource {
  /** Adds a member to `merchant` (platform admin key, or an owner's session); they sign in by code. */
  create(merchant: string, params: MemberCreateParams, options?: RequestOptions): Promise<Member> {
    return this._client.request("POST", path`/merchants/${merchant}/members`, params, options);
  }
  list(params?: MemberListParams, options?: RequestOptions): PagePromise<Member> {
    return this._client.list("/members", params, options);
  }
  /** Removes a member; their sessions end. */
  delete(id: string, options?: RequestOptions): Promise<MemberDeleted> {
    return this._client.request("DELETE", path`/members/${id}`, undefined, options);
  }
}
