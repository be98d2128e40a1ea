import type { Identity, Member } from "@softrack/sdk";
import { html, nothing } from "lit";
import { api, failure } from "../api";
import { ActionElement } from "../base";
import { formatDate, type Key, t } from "../i18n";

const ROLES = ["owner", "developer", "support"] as const;

/** The merchant's team: who can sign in, with which role. Owners add and remove people. */
export class ConsoleTeam extends ActionElement {
  static override properties = { me: { attribute: false }, members: { state: true } };
  declare me: Identity;
  declare members: Member[];

  constructor() {
    super();
    this.members = [];
  }

  protected async load(): Promise<void> {
    try {
      this.members = (await api.members.list({ limit: 100 })).data;
    } catch (e) {
      this.error = failure(e);
    }
  }

  #add(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const email = (form.elements.namedItem("email") as HTMLInputElement).value.trim();
    const role = (form.elements.namedItem("role") as HTMLSelectElement).value as Member["role"];
    void this.act(() => api.members.create(this.me.merchant, { email, role })).then((done) => done && form.reset());
  }

  #remove(m: Member): void {
    if (!window.confirm(t("team.removeConfirm", { who: m.email ?? m.phone ?? m.id }))) return;
    void this.act(() => api.members.delete(m.id));
  }

  override render() {
    const owner = this.me?.role === "owner";
    return html`<h1 tabindex="-1">${t("team.title")}</h1>
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${
        owner
          ? html`<form class="row" @submit=${this.#add}>
              <div class="field">
                <label for="team-email">${t("team.email")}</label>
                <input id="team-email" name="email" type="email" autocomplete="off" required />
              </div>
              <div class="field">
                <label for="team-role">${t("team.role")}</label>
                <select id="team-role" name="role">${ROLES.map((r) => html`<option value=${r} ?selected=${r === "support"}>${t(`team.role.${r}` as Key)}</option>`)}</select>
              </div>
              <button type="submit" ?disabled=${this.busy}>${t("team.add")}</button>
            </form>
            <p class="hint">${t("team.addHint")}</p>`
          : html`<p class="muted">${t("team.ownersOnly")}</p>`
      }
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">${t("team.who")}</th><th scope="col">${t("team.role")}</th><th scope="col">${t("team.secondFactor")}</th><th scope="col">${t("common.created")}</th>${owner ? html`<th scope="col"><span class="visually-hidden">${t("webhooks.actions")}</span></th>` : nothing}</tr></thead>
        <tbody>${this.members.map(
          (m) => html`<tr>
            <td>${m.email ?? m.phone ?? "—"}</td>
            <td>${t(`team.role.${m.role}` as Key)}</td>
            <td>${m.second_factor ? t("team.on") : t("team.off")}</td>
            <td>${formatDate(m.created)}</td>
            ${
              owner
                ? html`<td>${
                    m.id === this.me.id
                      ? nothing
                      : html`<button type="button" class="secondary small" ?disabled=${this.busy} aria-label=${`${t("team.remove")} ${m.email ?? m.phone ?? m.id}`} @click=${() => this.#remove(m)}>${t("team.remove")}</button>`
                  }</td>`
                : nothing
            }
          </tr>`,
        )}</tbody>
      </table></div>`;
  }
}

customElements.define("console-team", ConsoleTeam);
declare global {
  interface HTMLElementTagNameMap {
    "console-team": ConsoleTeam;
  }
}
