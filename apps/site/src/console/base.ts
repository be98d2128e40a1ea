// Base of every console element: shared styles (adopted stylesheets, allowed by the strict
// CSP) and a re-render when the language changes.
import type { Identity } from "@softrack/sdk";
import { html, LitElement, type PropertyDeclarations, type TemplateResult } from "lit";
import { failure } from "./api";
import { type Key, LANG_CHANGED, t } from "./i18n";
import { shared } from "./styles";

/** Money out (payouts, their schedule, bank accounts) is an owner's: the API refuses other members' sessions. */
export const isOwner = (me: Identity | undefined): boolean => me?.role === "owner";

/**
 * A detail page's title, "Payment {id}", with the id on its own line in small monospace: the
 * heading reads "Payment pay_…" as one name, and a whole id fits a phone without breaking.
 */
export function idTitle(key: Key, id: string): TemplateResult {
  const [before = "", after = ""] = t(key, { id: "\u0000" }).split("\u0000");
  return html`${before}<span class="title-id">${id}</span>${after}`;
}

export class ConsoleElement extends LitElement {
  static override styles = [shared];
  readonly #onLang = () => this.requestUpdate();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(LANG_CHANGED, this.#onLang);
  }
  override disconnectedCallback(): void {
    window.removeEventListener(LANG_CHANGED, this.#onLang);
    super.disconnectedCallback();
  }

  /** Moves focus to the view's heading after navigation, so screen readers announce the new screen. */
  focusHeading(): void {
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("h1")?.focus());
  }
}

/**
 * A view that shows what one request returns: `loading` while it runs, the failure in
 * `error`. Loads when connected; `reload()` again after the view changes its query.
 */
export abstract class LoadedElement extends ConsoleElement {
  static override properties: PropertyDeclarations = { error: { state: true }, loading: { state: true } };
  declare error: string;
  declare loading: boolean;

  constructor() {
    super();
    this.error = "";
    this.loading = true;
  }

  /** Fetches what the view shows and stores it on the element. */
  protected abstract fetch(): Promise<void>;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.reload();
  }

  protected async reload(): Promise<void> {
    this.loading = true;
    this.error = "";
    try {
      await this.fetch();
    } catch (e) {
      this.error = failure(e);
    } finally {
      this.loading = false;
    }
  }
}

/**
 * A view whose buttons change things (keys, endpoints, members): `busy` while a change runs
 * (its buttons disabled), the failure in `error`, and the view's data reloaded after it.
 */
export abstract class ActionElement extends ConsoleElement {
  static override properties: PropertyDeclarations = { error: { state: true }, busy: { state: true } };
  declare error: string;
  declare busy: boolean;

  constructor() {
    super();
    this.error = "";
    this.busy = false;
  }

  /** Loads (or reloads) what the view shows. */
  protected abstract load(): Promise<void>;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  /** Runs one change; resolves true when it succeeded and the view was reloaded. */
  protected async act(work: () => Promise<unknown>): Promise<boolean> {
    this.busy = true;
    this.error = "";
    try {
      await work();
      await this.load();
      return true;
    } catch (e) {
      this.error = failure(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
