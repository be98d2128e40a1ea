import { html, nothing, type TemplateResult } from "lit";
import { failure } from "../api";
import { ConsoleElement } from "../base";
import { t } from "../i18n";

const PAGE = 20;

export interface Page<T> {
  data: T[];
  has_more: boolean;
}

/**
 * A list the API pages with cursors (payments, orders), newest first, a page at a time:
 * the loading, error and empty states and the previous/next buttons. A view supplies the
 * page request, its title and its table.
 */
export abstract class PagedList<T extends { id: string }> extends ConsoleElement {
  static override properties = { rows: { state: true }, hasMore: { state: true }, error: { state: true }, loading: { state: true } };
  declare rows: T[];
  declare hasMore: boolean;
  declare error: string;
  declare loading: boolean;
  /** starting_after of every page shown so far; the last one is this page's. */
  #cursors: (string | undefined)[] = [undefined];

  protected abstract fetchPage(query: { limit: number; starting_after?: string }): PromiseLike<Page<T>>;
  protected abstract heading(): string;
  protected abstract table(rows: T[]): TemplateResult;

  constructor() {
    super();
    this.rows = [];
    this.hasMore = false;
    this.error = "";
    this.loading = true;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    this.loading = true;
    this.error = "";
    try {
      const page = await this.fetchPage({ limit: PAGE, starting_after: this.#cursors.at(-1) });
      this.rows = page.data;
      this.hasMore = page.has_more;
    } catch (e) {
      this.error = failure(e);
    } finally {
      this.loading = false;
    }
  }

  #next = (): void => {
    this.#cursors.push(this.rows.at(-1)?.id);
    void this.#load();
  };
  #previous = (): void => {
    this.#cursors.pop();
    void this.#load();
  };

  override render() {
    return html`<h1 tabindex="-1">${this.heading()}</h1>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${this.loading && this.rows.length === 0 ? html`<p role="status">${t("app.loading")}</p>` : nothing}
      ${!this.loading && this.rows.length === 0 && !this.error ? html`<p class="muted">${t("common.none")}</p>` : nothing}
      ${this.rows.length > 0 ? this.table(this.rows) : nothing}
      <nav class="row" aria-label=${t("common.pagination")}>
        <button type="button" class="secondary small" ?disabled=${this.#cursors.length <= 1 || this.loading} @click=${this.#previous}>${t("common.previous")}</button>
        <button type="button" class="secondary small" ?disabled=${!this.hasMore || this.loading} @click=${this.#next}>${t("common.next")}</button>
      </nav>`;
  }
}
