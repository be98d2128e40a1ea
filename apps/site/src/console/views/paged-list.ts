import { html, nothing, type TemplateResult } from "lit";
import { LoadedElement } from "../base";
import { csvHref } from "../export";
import { t } from "../i18n";

const PAGE = 20;

export interface Page<T> {
  data: T[];
  has_more: boolean;
}

/** A page's request: its size, the cursor, and the view's filters. */
export type PageQuery = { limit: number; starting_after?: string } & Record<string, string | number | undefined>;

/**
 * A list the API pages with cursors (payments, orders), newest first, a page at a time:
 * the loading, error and empty states and the previous/next buttons. A view supplies the
 * page request, its title and its table.
 */
export abstract class PagedList<T extends { id: string }> extends LoadedElement {
  static override properties = { ...LoadedElement.properties, rows: { state: true }, hasMore: { state: true } };
  declare rows: T[];
  declare hasMore: boolean;
  /** starting_after of every page shown so far; the last one is this page's. */
  #cursors: (string | undefined)[] = [undefined];

  protected abstract fetchPage(query: PageQuery): PromiseLike<Page<T>>;
  protected abstract heading(): string | TemplateResult;
  protected abstract table(rows: T[]): TemplateResult;
  /** What a view shows between its heading and the list (the payout's facts, the balance). */
  protected lead(): unknown {
    return nothing;
  }
  /** The list's filters: sent with every page and carried by the CSV export. */
  protected filters(): Record<string, string | undefined> {
    return {};
  }
  /** Controls that change the filters (drawn beside the export link); call `refilter()` after a change. */
  protected filterControls(): unknown {
    return nothing;
  }
  /** The API list whose `format=csv` exports this list, if it has one. */
  protected csvPath(): string | undefined {
    return undefined;
  }
  /** The filters changed: back to the first page. */
  protected refilter(): void {
    this.#cursors = [undefined];
    void this.reload();
  }

  constructor() {
    super();
    this.rows = [];
    this.hasMore = false;
  }

  protected async fetch(): Promise<void> {
    const page = await this.fetchPage({ ...this.filters(), limit: PAGE, starting_after: this.#cursors.at(-1) });
    this.rows = page.data;
    this.hasMore = page.has_more;
  }

  #next = (): void => {
    this.#cursors.push(this.rows.at(-1)?.id);
    void this.reload();
  };
  #previous = (): void => {
    this.#cursors.pop();
    void this.reload();
  };

  override render() {
    const csv = this.csvPath();
    return html`<h1 tabindex="-1">${this.heading()}</h1>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${this.lead()}
      ${
        csv
          ? html`<div class="row list-tools">
            ${this.filterControls()}
            <a class="download" href=${csvHref(csv, this.filters())} download>${t("csv.export")}</a>
          </div>`
          : nothing
      }
      ${this.loading && this.rows.length === 0 ? html`<p role="status">${t("app.loading")}</p>` : nothing}
      ${!this.loading && this.rows.length === 0 && !this.error ? html`<p class="muted">${t("common.none")}</p>` : nothing}
      ${this.rows.length > 0 ? this.table(this.rows) : nothing}
      ${
        // Previous/Next only when there is another page to go to (never under an empty list)
        this.#cursors.length > 1 || this.hasMore
          ? html`<nav class="row" aria-label=${t("common.pagination")}>
            <button type="button" class="secondary small" ?disabled=${this.#cursors.length <= 1 || this.loading} @click=${this.#previous}>${t("common.previous")}</button>
            <button type="button" class="secondary small" ?disabled=${!this.hasMore || this.loading} @click=${this.#next}>${t("common.next")}</button>
          </nav>`
          : nothing
      }`;
  }
}
