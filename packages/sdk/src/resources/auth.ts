import type { RequestOptions } from "../client.js";
import type { PagePromise } from "../core/pagination.js";
import { APIResource } from "../core/resource.js";
import type { Body, Ok, Query, Schemas } from "../internal/types.js";
import { path } from "../internal/utils.js";

export type SignInChallenge = Schemas["SignInChallenge"];
/** `complete` (with `session`; `token` for `client: "app"`), or `second_factor_required` with the factors to send. */
export type SignIn = Schemas["SignIn"];
export type Identity = Schemas["Identity"];
export type Session = Schemas["Session"];
export type TotpSetup = Schemas["TotpSetup"];
export type RecoveryCodes = Schemas["RecoveryCodes"];
export type SignOut = Ok<"/v1/auth/sign_out", "post">;
export type EmailSignInParams = Body<"/v1/auth/email/start", "post">;
export type PhoneSignInParams = Body<"/v1/auth/phone/start", "post">;
export type VerifySignInParams = Body<"/v1/auth/verify", "post">;
export type SecondFactorParams = Body<"/v1/auth/second_factor", "post">;
export type SetPasswordParams = Body<"/v1/auth/password", "post">;
export type DisablePasswordParams = Body<"/v1/auth/password/disable", "post">;
export type TotpCodeParams = Body<"/v1/auth/totp/enable", "post">;
export type SessionList = Ok<"/v1/auth/sessions", "get">;
export type SessionListParams = Query<"/v1/auth/sessions", "get">;

class Password extends APIResource {
  /** Turns the password second factor on, or changes it (`current_password` then); the person's other sessions end. */
  set(params: SetPasswordParams, options?: RequestOptions): Promise<Identity> {
    return this._client.request("POST", "/auth/password", params, options);
  }
  /** Turns the password off; needs it. The person's other sessions end. */
  disable(params: DisablePasswordParams, options?: RequestOptions): Promise<Identity> {
    return this._client.request("POST", "/auth/password/disable", params, options);
  }
}

class Totp extends APIResource {
  /** A new secret with its `otpauth://` URI and QR code; on only after `enable`. */
  setup(options?: RequestOptions): Promise<TotpSetup> {
    return this._client.request("POST", "/auth/totp/setup", undefined, options);
  }
  /** Confirms the authenticator with a code; answers the recovery codes, shown once. The person's other sessions end. */
  enable(params: TotpCodeParams, options?: RequestOptions): Promise<RecoveryCodes> {
    return this._client.request("POST", "/auth/totp/enable", params, options);
  }
  /** Needs an authenticator or recovery code. The person's other sessions end. */
  disable(params: TotpCodeParams, options?: RequestOptions): Promise<Identity> {
    return this._client.request("POST", "/auth/totp/disable", params, options);
  }
}

class Sessions extends APIResource {
  /** The signed-in person's sessions still in force, newest first. */
  list(params?: SessionListParams, options?: RequestOptions): PagePromise<Session> {
    return this._client.list("/auth/sessions", params, options);
  }
  revoke(id: string, options?: RequestOptions): Promise<Session> {
    return this._client.request("POST", path`/auth/sessions/${id}/revoke`, undefined, options);
  }
}

/**
 * Passwordless sign-in for people (merchant members, customers): a code by email or SMS,
 * then the second factor when one is on. `client: "browser"` sessions travel in an
 * httpOnly cookie (create the client with `credentials`), `client: "app"` ones as a bearer token.
 */
export class Auth extends APIResource {
  readonly password: Password = new Password(this._client);
  readonly totp: Totp = new Totp(this._client);
  readonly sessions: Sessions = new Sessions(this._client);

  /** Sends a code and a magic link; the same answer whether or not anyone has the address. */
  startEmail(params: EmailSignInParams, options?: RequestOptions): Promise<SignInChallenge> {
    return this._client.request("POST", "/auth/email/start", params, options);
  }
  startPhone(params: PhoneSignInParams, options?: RequestOptions): Promise<SignInChallenge> {
    return this._client.request("POST", "/auth/phone/start", params, options);
  }
  /** Answers a challenge with its code, or a magic link's `token`. */
  verify(params: VerifySignInParams, options?: RequestOptions): Promise<SignIn> {
    return this._client.request("POST", "/auth/verify", params, options);
  }
  /** Finishes a sign-in with the password, an authenticator code or a recovery code. */
  secondFactor(params: SecondFactorParams, options?: RequestOptions): Promise<SignIn> {
    return this._client.request("POST", "/auth/second_factor", params, options);
  }
  /** Who is signed in, and which second factors are on. */
  me(options?: RequestOptions): Promise<Identity> {
    return this._client.request("GET", "/auth/me", undefined, options);
  }
  /** New recovery codes (the old ones stop working); needs an authenticator code. The person's other sessions end. */
  regenerateRecoveryCodes(params: TotpCodeParams, options?: RequestOptions): Promise<RecoveryCodes> {
    return this._client.request("POST", "/auth/recovery_codes", params, options);
  }
  signOut(options?: RequestOptions): Promise<SignOut> {
    return this._client.request("POST", "/auth/sign_out", undefined, options);
  }
  signOutEverywhere(options?: RequestOptions): Promise<SignOut> {
    return this._client.request("POST", "/auth/sign_out_everywhere", undefined, options);
  }
}
