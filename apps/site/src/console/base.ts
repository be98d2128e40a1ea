// Base of every console element: shared styles (adopted stylesheets, allowed by the strict
// CSP) and a re-render when the language changes.
import { LitElement } from "lit";
import { LANG_CHANGED } from "./i18n";
import { shared } from "./styles";

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
