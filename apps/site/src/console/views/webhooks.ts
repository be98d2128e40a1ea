import type { WebhookAttempt, WebhookEndpoint } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api, failure } from "../api";
import { ActionElement } from "../base";
import { formatDate, t } from "../i18n";

/** Webhook endpoints (add one; its signing secret shown once) and each one's delivery attempts. */
export class ConsoleWebhooks extends ActionElement {
  static override properties = {
    endpointId: { attribute: false },
    endpoints: { state: true },
    attempts: { state: true },
    created: { state: true },
  };
  declare endpointId: string;
  declare endpoints: WebhookEndpoint[];
  declare attempts: WebhookAttempt[] | undefined;
  declare created: WebhookEndpoint | undefined;

  constructor() {
    super();
    this.endpointId = "";
    this.endpoints = [];
    this.attempts = undefined;
    this.created = undefined;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("endpointId")) {
      this.attempts = undefined;
      if (this.endpointId) void this.#loadAttempts(this.endpointId);
    }
  }

  protected async load(): Promise<void> {
    try {
      this.endpoints = (await api.webhookEndpoints.list({ limit: 100 })).data;
    } catch (e) {
      this.error = failure(e);
    }
  }

  async #loadAttempts(id: string): Promise<void> {
    try {
      this.attempts = (await api.webhookEndpoints.attempts(id, { limit: 50 })).data;
    } catch (e) {
      this.error = failure(e);
    }
  }

  #add(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const url = (form.elements.namedItem("url") as HTMLInputElement).value.trim();
    void this.act(async () => {
      this.created = await api.webhookEndpoints.create({ url, events: ["*"] });
      form.reset();
    });
  }

  /** Pauses or resumes deliveries to an endpoint (events keep queueing for it while paused). */
  #setStatus(endpoint: WebhookEndpoint, status: "enabled" | "disabled"): void {
    void this.act(() => api.webhookEndpoints.update(endpoint.id, { status }));
  }

  #remove(endpoint: WebhookEndpoint): void {
    if (!window.confirm(t("webhooks.deleteConfirm", { url: endpoint.url }))) return;
    void this.act(() => api.webhookEndpoints.delete(endpoint.id));
  }

  override render() {
    const selected = this.endpoints.find((e) => e.id === this.endpointId);
    return html`<h1 tabindex="-1">${t("webhooks.title")}</h1>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${
        this.created?.secret
          ? html`<div class="card" role="status"><p>${t("webhooks.secretOnce")}</p><p class="secret">${this.created.secret}</p></div>`
          : nothing
      }
      <form class="row" @submit=${this.#add}>
        <div class="field">
          <label for="wh-url">${t("webhooks.url")}</label>
          <input id="wh-url" name="url" type="url" placeholder="https://example.kg/softrack/webhooks" aria-describedby="wh-url-hint" required />
        </div>
        <button type="submit" ?disabled=${this.busy}>${t("webhooks.add")}</button>
      </form>
      <p class="hint" id="wh-url-hint">${t("webhooks.allEvents")}</p>
      ${
        this.endpoints.length === 0
          ? html`<p class="muted">${t("common.none")}</p>`
          : html`<div class="table-wrap"><table>
            <thead><tr><th scope="col">${t("webhooks.url")}</th><th scope="col">${t("webhooks.events")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("webhooks.attempts")}</th><th scope="col"><span class="visually-hidden">${t("webhooks.actions")}</span></th></tr></thead>
            <tbody>${this.endpoints.map(
              (e) => html`<tr>
                <td class="mono text wrap-anywhere">${e.url}</td>
                <td class="mono">${e.events.join(", ")}</td>
                <td><span class="badge ${e.status === "enabled" ? "good" : "bad"}">${e.status === "enabled" ? t("webhooks.enabled") : t("webhooks.disabled")}</span></td>
                <td><a href="#/webhooks/${e.id}" aria-current=${e.id === this.endpointId ? "true" : "false"}>${t("webhooks.show")}<span class="visually-hidden"> ${e.url}</span></a></td>
                <td><div class="row">
                  <button type="button" class="secondary small" ?disabled=${this.busy} aria-label=${`${e.status === "enabled" ? t("webhooks.disable") : t("webhooks.enable")} ${e.url}`}
                    @click=${() => this.#setStatus(e, e.status === "enabled" ? "disabled" : "enabled")}>${e.status === "enabled" ? t("webhooks.disable") : t("webhooks.enable")}</button>
                  <button type="button" class="secondary small" ?disabled=${this.busy} aria-label=${`${t("webhooks.delete")} ${e.url}`} @click=${() => this.#remove(e)}>${t("webhooks.delete")}</button>
                </div></td>
              </tr>`,
            )}</tbody>
          </table></div>`
      }
      ${
        selected
          ? html`<h2>${t("webhooks.attempts")}: <span class="mono wrap-anywhere">${selected.url}</span></h2>
            ${
              this.attempts === undefined
                ? html`<p role="status">${t("app.loading")}</p>`
                : this.attempts.length === 0
                  ? html`<p class="muted">${t("common.none")}</p>`
                  : html`<div class="table-wrap"><table>
                    <thead><tr><th scope="col">${t("webhooks.event")}</th><th scope="col" class="num">${t("webhooks.attempt")}</th><th scope="col">${t("common.status")}</th><th scope="col">${t("webhooks.response")}</th><th scope="col" class="num">${t("webhooks.duration")}</th><th scope="col">${t("common.created")}</th></tr></thead>
                    <tbody>${this.attempts.map(
                      (a) => html`<tr>
                        <td class="mono">${a.event}</td>
                        <td class="num">${a.attempt}</td>
                        <td><span class="badge ${a.succeeded ? "good" : "bad"}">${a.succeeded ? t("webhooks.ok") : t("webhooks.failed")}</span></td>
                        <td>${a.response_status ?? a.error ?? "—"}</td>
                        <td class="num">${a.duration_ms} ms</td>
                        <td>${formatDate(a.created)}</td>
                      </tr>`,
                    )}</tbody>
                  </table></div>`
            }`
          : nothing
      }`;
  }
}

customElements.define("console-webhooks", ConsoleWebhooks);
declare global {
  interface HTMLElementTagNameMap {
    "console-webhooks": ConsoleWebhooks;
  }
}
