import type { Softrack } from "../client.js";

/** Base of every resource: holds the client so resource methods stay one-liners. */
export class APIResource {
  protected readonly _client: Softrack;
  constructor(client: Softrack) {
    this._client = client;
  }
}
