import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Ok, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

/** A bank account payouts go to: only its last 4 digits are ever shown again. */
export type BankAccount = Schemas["BankAccount"];
export type BankAccountCreateParams = Body<"/v1/bank_accounts", "post">;
export type BankAccountListParams = Query<"/v1/bank_accounts", "get">;
export type BankAccountDeleted = Ok<"/v1/bank_accounts/{id}", "delete">;

export type Payout = Schemas["Payout"];
export type PayoutStatus = Payout["status"];
export type PayoutCreateParams = Body<"/v1/payouts", "post">;
export type PayoutListParams = Query<"/v1/payouts", "get">;
/** One line of a payout's settlement report: the part of a balance movement the payout settles. */
export type PayoutTransaction = Schemas["PayoutTransaction"];
export type PayoutTransactionListParams = Omit<Query<"/v1/payouts/{id}/transactions", "get">, "format">;
export type PayoutSchedule = Schemas["PayoutSchedule"];
export type PayoutScheduleParams = Body<"/v1/payout_schedule", "put">;

export class BankAccounts extends APIResource {
  /** Validated per country (KZ IBAN + BIC, KG account + BIK, UZ account + MFO); a bad one is a SoftrackInvalidRequestError naming `param`. */
  create(params: BankAccountCreateParams, options?: RequestOptions): Promise<BankAccount> {
    return this._client.request("POST", "/bank_accounts", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<BankAccount> {
    return this._client.request("GET", path`/bank_accounts/${id}`, undefined, options);
  }
  list(params?: BankAccountListParams, options?: RequestOptions): PagePromise<BankAccount> {
    return this._client.list("/bank_accounts", params, options);
  }
  delete(id: string, options?: RequestOptions): Promise<BankAccountDeleted> {
    return this._client.request("DELETE", path`/bank_accounts/${id}`, undefined, options);
  }
}

export class Payouts extends APIResource {
  /** Takes the amount from the available balance at once (never more than available: `balance_insufficient`). */
  create(params: PayoutCreateParams, options?: RequestOptions): Promise<Payout> {
    return this._client.request("POST", "/payouts", params, options);
  }
  retrieve(id: string, options?: RequestOptions): Promise<Payout> {
    return this._client.request("GET", path`/payouts/${id}`, undefined, options);
  }
  list(params?: PayoutListParams, options?: RequestOptions): PagePromise<Payout> {
    return this._client.list("/payouts", params, options);
  }
  /** While pending: the amount returns to available. */
  cancel(id: string, options?: RequestOptions): Promise<Payout> {
    return this._client.request("POST", path`/payouts/${id}/cancel`, undefined, options);
  }
  /** The settlement report, one page at a time, or every line with `for await`; the lines sum to the payout's amount. */
  listTransactions(id: string, params?: PayoutTransactionListParams, options?: RequestOptions): PagePromise<PayoutTransaction> {
    return this._client.list(path`/payouts/${id}/transactions`, params, options);
  }
  /** The same report as a CSV file (UTF-8 with its BOM; the same lines, newest first, amounts in minor units), for a spreadsheet. */
  async transactionsCsv(id: string, options?: RequestOptions): Promise<string> {
    const bytes = await this._client.requestBytes("GET", `${path`/payouts/${id}/transactions`}?format=csv`, undefined, options);
    return new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  }
  retrieveSchedule(options?: RequestOptions): Promise<PayoutSchedule> {
    return this._client.request("GET", "/payout_schedule", undefined, options);
  }
  /** manual, daily, or weekly on `weekly_anchor`: the whole available balance, once it reaches `minimum`. */
  updateSchedule(params: PayoutScheduleParams, options?: RequestOptions): Promise<PayoutSchedule> {
    return this._client.request("PUT", "/payout_schedule", params, options);
  }
}
