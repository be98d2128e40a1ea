import type { RequestOptions } from "../client.js";

/** Parameters every list endpoint takes. */
export interface ListParams {
  /** 1..100, default set by the API. */
  limit?: number;
  /** An object id: the page holds the objects older than it (lists are newest first). */
  starting_after?: string;
  /**
   * An object id: the page holds the objects newer than it (still newest first); `for await`
   * then walks towards newer objects and yields them oldest first.
   */
  ending_before?: string;
}

/** A page as the API sends it: `{"object":"list","data":[…],"has_more":bool}`. */
export interface ListResponse<T> {
  object: "list";
  data: T[];
  has_more: boolean;
}

type Fetcher<T> = (params: ListParams & Record<string, unknown>, options?: RequestOptions) => Promise<ListResponse<T>>;

/** One page of a list, able to fetch the next one and to walk every item after it. */
export class Page<T extends { id: string }> implements ListResponse<T>, AsyncIterable<T> {
  readonly object = "list" as const;
  readonly data: T[];
  readonly has_more: boolean;
  readonly #fetch: Fetcher<T>;
  readonly #params: ListParams & Record<string, unknown>;
  readonly #options: RequestOptions | undefined;

  constructor(body: ListResponse<T>, fetch: Fetcher<T>, params: ListParams & Record<string, unknown>, options?: RequestOptions) {
    this.data = body.data;
    this.has_more = body.has_more;
    this.#fetch = fetch;
    this.#params = params;
    this.#options = options;
  }

  hasNextPage(): boolean {
    return this.has_more && this.data.length > 0;
  }

  /** The page after this one: older items, or newer ones when the list began with `ending_before`. */
  async nextPage(): Promise<Page<T>> {
    const back = this.#params.ending_before !== undefined;
    const edge = back ? this.data[0] : this.data.at(-1);
    if (!this.has_more || !edge) throw new Error("Softrack: no next page; check hasNextPage() first");
    const params = back ? { ...this.#params, ending_before: edge.id } : { ...this.#params, starting_after: edge.id };
    return new Page(await this.#fetch(params, this.#options), this.#fetch, params, this.#options);
  }

  /**
   * Every item of this page and of the pages after it, fetched as the loop reaches them:
   * newest first, or oldest first when the list began with `ending_before`.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    // Pages walk towards newer items with ending_before but each is still newest first:
    // read each backwards so the order never zig-zags (as stripe-node does).
    const back = this.#params.ending_before !== undefined;
    for (let page: Page<T> = this; ; page = await page.nextPage()) {
      yield* back ? [...page.data].reverse() : page.data;
      if (!page.hasNextPage()) return;
    }
  }
}

/**
 * What `list()` returns: `await` it for the first page, or `for await` over it for every
 * item across all pages. The first request is sent on first use, not before.
 */
export class PagePromise<T extends { id: string }> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  #load: () => Promise<Page<T>>;
  #page?: Promise<Page<T>>;

  constructor(fetch: Fetcher<T>, params: ListParams & Record<string, unknown>, options?: RequestOptions) {
    this.#load = async () => new Page(await fetch(params, options), fetch, params, options);
  }

  #first(): Promise<Page<T>> {
    this.#page ??= this.#load();
    return this.#page;
  }

  // biome-ignore lint/suspicious/noThenProperty: a list is deliberately awaitable.
  then<A = Page<T>, B = never>(
    onfulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#first().then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
    return this.#first().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<Page<T>> {
    return this.#first().finally(onfinally);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.#first();
  }
}
