import type { ApiKey } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api, failure } from "../api";
import { ActionElement } from "../base";
import { formatDate, t } from "../i18n";

/** The merchant's API keys: create (the key shown once), roll with a grace period, revoke. */
export class ConsoleApiKeys extends ActionElement {
  static override properties = {
    keys: { state: true },
    shown: { state: true },
    note: { state: true },
  };
  declare keys: ApiKey[];
  /** A key just made: the only time its secret is on screen. */
  declare shown: ApiKey | undefined;
  declare note: string;

  constructor() {
    super();
    this.keys = [];
    this.shown = undefined;
    this.note = "";
  }

  protected async load(): Promise<void> {
    try {
      this.keys = (await api.apiKeys.list({ limit: 100 })).data;
    } catch (e) {
      this.error = failure(e);
    }
  }

  /** A change, then focus on the key it shows (if any), so a screen reader reads it out. */
  async #act(work: () => Promise<void>): Promise<void> {
    if (!(await this.act(work))) return;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>("#shown-title")?.focus();
  }

  #create(e: SubmitEvent): void {
    e.preventDefault();
    const kind = ((e.target as HTMLFormElement).elements.namedItem("kind") as HTMLSelectElement).value as ApiKey["kind"];
    void this.#act(async () => {
      this.shown = await api.apiKeys.create({ kind });
      this.note = "";
    });
  }

  #roll(k: ApiKey): void {
    if (!confirm(t("keys.confirmRoll", { hint: k.hint }))) return;
    void this.#act(async () => {
      const r = await api.apiKeys.roll(k.id);
      this.shown = r.key;
      this.note = r.rolled.expires_at ? t("keys.rolledNote", { when: formatDate(r.rolled.expires_at) }) : "";
    });
  }

  #revoke(k: ApiKey): void {
    if (!confirm(t("keys.confirmRevoke", { hint: k.hint }))) return;
    void this.#act(async () => {
      await api.apiKeys.revoke(k.id);
      if (this.shown?.id === k.id) this.shown = undefined;
    });
  }

  async #copy(text: string, button: HTMLButtonElement): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = t("common.copied");
    } catch {}
  }

  override render() {
    const active = (k: ApiKey) => !k.revoked_at && (!k.expires_at || new Date(k.expires_at).getTime() > Date.now());
    return html`<h1 tabindex="-1">${t("keys.title")}</h1>
      <p class="muted">${t("keys.lead")}</p>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${
        this.shown?.secret
          ? html`<section class="card" aria-labelledby="shown-title">
            <h2 id="shown-title" tabindex="-1">${this.shown.hint}</h2>
            <p>${t("keys.shownOnce")}</p>
            <p class="secret" data-testid="new-key">${this.shown.secret}</p>
            ${this.note ? html`<p class="muted">${this.note}</p>` : nothing}
            <button type="button" class="secondary small" @click=${(e: Event) => this.#copy(this.shown?.secret ?? "", e.currentTarget as HTMLButtonElement)}>${t("common.copy")}</button>
          </section>`
          : nothing
      }
      <form class="row" @submit=${this.#create}>
        <div class="field">
          <label for="key-kind">${t("keys.kind")}</label>
          <select id="key-kind" name="kind">
            <option value="secret">${t("keys.secretKind")}</option>
            <option value="publishable">${t("keys.publishableKind")}</option>
          </select>
        </div>
        <button type="submit" ?disabled=${this.busy}>${t("keys.create")}</button>
      </form>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">${t("keys.hint")}</th><th scope="col">${t("keys.kind")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("common.created")}</th><th scope="col">${t("keys.actions")}</th></tr></thead>
        <tbody>${this.keys.map(
          (k) => html`<tr>
            <td class="mono">${k.hint}</td>
            <td>${k.kind === "secret" ? t("keys.secretKind") : t("keys.publishableKind")}</td>
            <td>${
              active(k)
                ? html`<span class="badge good">${t("keys.active")}</span>${k.expires_at ? html`<br /><span class="hint">${t("keys.expires")} ${formatDate(k.expires_at)}</span>` : nothing}`
                : html`<span class="badge bad">${t("keys.revoked")}</span>`
            }</td>
            <td>${formatDate(k.created)}</td>
            <td>${
              active(k)
                ? html`<div class="row">
                  <button type="button" class="secondary small" aria-label="${t("keys.roll")} ${k.hint}" ?disabled=${this.busy} @click=${() => this.#roll(k)}>${t("keys.roll")}</button>
                  <button type="button" class="danger small" aria-label="${t("keys.revoke")} ${k.hint}" ?disabled=${this.busy} @click=${() => this.#revoke(k)}>${t("keys.revoke")}</button>
                </div>`
                : nothing
            }</td>
          </tr>`,
        )}</tbody>
      </table></div>`;
  }
}

customElements.define("console-api-keys", ConsoleApiKeys);
declare global {
  interface HTMLElementTagNameMap {
    "console-api-keys": ConsoleApiKeys;
  }
}
