import type { Result, Router } from "hono/router";
import { TrieRouter } from "hono/router/trie-router";

/** Paths remembered at most; past it the memory starts again (a flood of unknown paths cannot grow it). */
const REMEMBERED = 1024;

/**
 * Hono's TrieRouter, remembering its answer for a path that matched no parameter (`POST
 * /v1/payments`, and the middleware around it). The app's routes rule out Hono's RegExpRouter,
 * which answers such paths from a table (it refuses a literal segment beside a parameter:
 * `/v1/auth/sessions/live_mode` and `/v1/auth/sessions/:id/revoke`), and a trie search builds a
 * few kilobytes of arrays and parameter objects per request. An answer is the same for every
 * request to its path, and Hono only reads it.
 */
export class StaticPathsRouter<T> implements Router<T> {
  readonly name = "TrieRouter, static paths remembered";
  readonly #trie = new TrieRouter<T>();
  readonly #known = new Map<string, Result<T>>();

  /** How many paths' answers are kept now. */
  get remembered(): number {
    return this.#known.size;
  }

  add(method: string, path: string, handler: T): void {
    this.#known.clear();
    this.#trie.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    const known = this.#known.get(key);
    if (known) return known;
    const result = this.#trie.match(method, path);
    if (result[0].every(([, params]) => noParams(params))) {
      if (this.#known.size >= REMEMBERED) this.#known.clear();
      this.#known.set(key, result);
    }
    return result;
  }
}

function noParams(params: unknown): boolean {
  for (const _ in params as object) return false;
  return true;
}
