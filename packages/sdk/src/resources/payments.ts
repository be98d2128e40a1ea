import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Query, Schemas } from "../internal/types.js";
import { path, query } from "../internal/utils.js";

export type Payment = Schemas["Payment"];
export type PaymentStatus = Payment["status"];
export type PaymentPurpose = Schemas["PaymentPurpose"];
export type PaymentMethodData = Schemas["PaymentMethodData"];
export type PaymentCreateParams = Body<"/v1/payments", "post">;
export type PaymentListParams = Query<"/v1/payments", "get">;
export type PaymentRetrieveParams = Query<"/v1/payments/{id}", "get">;
export type PaymentConfirmParams = Body<"/v1/payments/{id}/confirm", "post">;
export type PaymentVerifyParams = Body<"/v1/payments/{id}/verify", "post">;
export type PaymentCaptureParams = Body<"/v1/payments/{id}/capture", "post">;
/** A succeeded payment's receipt; tax payments carry the payer's TIN and the service. */
export type Receipt = Schemas["Receipt"];

export class Payments extends APIResource {
  create(params: PaymentCreateParams, options?: RequestOptions): Promise<Payment> {
    return this._client.request("POST", "/payments", params, options);
  }
  /** With a publishable key, pass the payment's `client_secret`. */
  retrieve(id: string, params?: PaymentRetrieveParams, options?: RequestOptions): Promise<Payment> {
    return this._client.request("GET", path`/payments/${id}` + query(params), undefined, options);
  }
  list(params?: PaymentListParams, options?: RequestOptions): PagePromise<Payment> {
    return this._client.list("/payments", params, options);
  }
  /** Attaches a method (card, sms, qr, wallet); may answer with `next_action` to complete. */
  confirm(id: string, params: PaymentConfirmParams, options?: RequestOptions): Promise<Payment> {
    return this._client.request("POST", path`/payments/${id}/confirm`, params, options);
  }
  /** Answers an `sms_code` or `three_d_secure` challenge. */
  verify(id: string, params: PaymentVerifyParams, options?: RequestOptions): Promise<Payment> {
    return this._client.request("POST", path`/payments/${id}/verify`, params, options);
  }
  /** Captures `amount` (default: all of `amount_capturable`); the rest is released. */
  capture(id: string, params: PaymentCaptureParams = {}, options?: RequestOptions): Promise<Payment> {
    return this._client.request("POST", path`/payments/${id}/capture`, params, options);
  }
  cancel(id: string, options?: RequestOptions): Promise<Payment> {
    return this._client.request("POST", path`/payments/${id}/cancel`, undefined, options);
  }
  receipt(id: string, options?: RequestOptions): Promise<Receipt> {
    return this._client.request("GET", path`/payments/${id}/receipt`, undefined, options);
  }
  /** The receipt as a printable PDF. */
  receiptPdf(id: string, options?: RequestOptions): Promise<Uint8Array> {
    return this._client.requestBytes("GET", `${path`/payments/${id}/receipt`}?format=pdf`, undefined, {
      ...options,
      headers: { Accept: "application/pdf", ...options?.headers },
    });
  }
}
