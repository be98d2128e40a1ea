import type { Dispute } from "@softrack/sdk";
import { css, html, nothing } from "lit";
import { api, failure } from "../api";
import { ConsoleElement, idTitle } from "../base";
import { formatDate, type Key, locale, disputeReasonText as reasonText, statusText, t } from "../i18n";
import { formatMoney } from "../money";
import { statusTone } from "../status";
import { PagedList } from "./paged-list";

/** Every dispute (chargeback), newest first, a page at a time. */
export class ConsoleDisputes extends PagedList<Dispute> {
  protected fetchPage(query: { limit: number; starting_after?: string }) {
    return api.disputes.list(query);
  }
  protected heading() {
    return t("disputes.title");
  }
  protected override lead() {
    return html`<p class="muted">${t("disputes.lead")}</p>`;
  }
  protected table(rows: Dispute[]) {
    return html`<div class="table-wrap"><table aria-busy=${this.loading ? "true" : "false"}>
      <thead><tr>
        <th scope="col">${t("common.id")}</th>
        <th scope="col" class="num">${t("common.amount")}</th>
        <th scope="col">${t("common.status")}</th>
        <th scope="col">${t("disputes.reason")}</th>
        <th scope="col">${t("disputes.payment")}</th>
        <th scope="col">${t("common.created")}</th>
      </tr></thead>
      <tbody>${rows.map(
        (d) => html`<tr>
          <td><a class="mono" href="#/disputes/${d.id}">${d.id}</a></td>
          <td class="num">${formatMoney(d.amount, d.currency, locale())}</td>
          <td><span class="badge ${statusTone(d.status)}">${statusText(d.status)}</span></td>
          <td>${reasonText(d.reason)}</td>
          <td><a class="mono" href="#/payments/${d.payment}">${d.payment}</a></td>
          <td>${formatDate(d.created)}</td>
        </tr>`,
      )}</tbody>
    </table></div>`;
  }
}

/** One dispute: its facts and, while it needs a response, the evidence form. */
export class ConsoleDispute extends ConsoleElement {
  static override styles = [
    ...ConsoleElement.styles,
    css`
      textarea {
        font: inherit;
        color: var(--text);
        background: var(--bg);
        border: 1px solid var(--muted);
        border-radius: 10px;
        padding: 0.55rem 0.75rem;
        width: 100%;
        min-height: 9rem;
        resize: vertical;
      }
      textarea[aria-invalid="true"] {
        border-color: var(--bad);
      }
      blockquote {
        white-space: pre-wrap;
        margin: 0 0 1rem;
        padding: 0.75rem 1rem;
        border-inline-start: 3px solid var(--line);
      }
    `,
  ];
  static override properties = {
    disputeId: { attribute: false },
    dispute: { state: true },
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
  };
  declare disputeId: string;
  declare dispute: Dispute | undefined;
  declare error: string;
  declare notice: string;
  declare busy: boolean;

  constructor() {
    super();
    this.disputeId = "";
    this.dispute = undefined;
    this.error = "";
    this.notice = "";
    this.busy = false;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has("disputeId") && this.disputeId) void this.#load();
  }

  async #load(): Promise<void> {
    this.error = "";
    try {
      this.dispute = await api.disputes.retrieve(this.disputeId);
    } catch (e) {
      this.error = failure(e);
    }
  }

  async #submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const d = this.dispute;
    if (!d) return;
    const area = (e.target as HTMLFormElement).elements.namedItem("text") as HTMLTextAreaElement;
    const text = area.value.trim();
    if (!text) {
      this.error = t("dispute.evidenceEmpty");
      area.setAttribute("aria-invalid", "true");
      area.focus();
      return;
    }
    area.removeAttribute("aria-invalid");
    this.busy = true;
    this.error = "";
    this.notice = "";
    try {
      this.dispute = await api.disputes.submitEvidence(d.id, { text });
      this.notice = t("dispute.evidenceSent");
    } catch (err) {
      this.error = failure(err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const d = this.dispute;
    const back = html`<p><a href="#/disputes">← ${t("common.back")}</a></p>`;
    if (!d)
      return html`${back}${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : html`<p role="status">${t("app.loading")}</p>`}`;
    const money = (n: number) => formatMoney(n, d.currency, locale());
    const facts: [Key, unknown][] = [
      ["common.status", html`<span class="badge ${statusTone(d.status)}">${statusText(d.status)}</span>`],
      ["common.amount", money(d.amount)],
      ["dispute.fee", money(d.fee)],
      ["disputes.reason", reasonText(d.reason)],
      ["disputes.payment", html`<a class="mono" href="#/payments/${d.payment}">${d.payment}</a>`],
      ["common.created", formatDate(d.created)],
      ["dispute.closed", d.closed ? formatDate(d.closed) : "—"],
    ];
    return html`${back}
      <h1 tabindex="-1">${idTitle("dispute.title", d.id)}</h1>
      <div role="status" aria-live="polite">${this.notice ? html`<p class="ok">${this.notice}</p>` : nothing}</div>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      <dl class="facts">${facts.map(([k, v]) => html`<dt>${t(k)}</dt><dd>${v}</dd>`)}</dl>
      <section class="card" aria-labelledby="evidence-title">
        <h2 id="evidence-title">${t("dispute.evidence")}</h2>
        ${
          d.status === "needs_response"
            ? html`<p>${t("dispute.evidenceLead")}</p>
              <form @submit=${this.#submit}>
                <div class="field">
                  <label for="evidence-text">${t("dispute.evidenceText")}</label>
                  <textarea id="evidence-text" name="text" maxlength="20000" required></textarea>
                </div>
                <div><button type="submit" ?disabled=${this.busy}>${t("dispute.submit")}</button></div>
              </form>`
            : d.evidence.text
              ? html`<p class="muted">${t("dispute.submitted", { when: d.evidence.submitted ? formatDate(d.evidence.submitted) : "—" })}</p>
                <blockquote data-testid="evidence">${d.evidence.text}</blockquote>`
              : html`<p class="muted">${t("dispute.noEvidence")}</p>`
        }
      </section>`;
  }
}

customElements.define("console-disputes", ConsoleDisputes);
customElements.define("console-dispute", ConsoleDispute);
declare global {
  interface HTMLElementTagNameMap {
    "console-disputes": ConsoleDisputes;
    "console-dispute": ConsoleDispute;
  }
}
