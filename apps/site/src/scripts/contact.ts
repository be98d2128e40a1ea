// Progressive enhancement of the contact form: posts JSON to POST /v1/leads and shows the
// outcome in a live region. Without JavaScript the form still posts as a plain HTML form.

interface ApiError {
  error?: { type?: string; code?: string; message?: string; param?: string };
}

const form = document.querySelector<HTMLFormElement>("form[data-lead-form]");

function field(f: HTMLFormElement, name: string): HTMLInputElement | HTMLTextAreaElement | null {
  const el = f.elements.namedItem(name);
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? el : null;
}

if (form) {
  const lead = form;
  const started = field(lead, "started_at");
  // the API rejects submissions made faster than a person can type: it needs the render time
  if (started) started.value = String(Date.now());
  const result = lead.querySelector<HTMLElement>("[data-result]");
  const button = lead.querySelector<HTMLButtonElement>("button[type=submit]");
  const msg = (key: string) => lead.dataset[key] ?? "";

  const show = (kind: "success" | "error", text: string) => {
    if (!result) return;
    result.dataset.kind = kind;
    result.textContent = text;
  };

  lead.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const el of lead.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    const value = (name: string) => field(lead, name)?.value.trim() ?? "";
    const body: Record<string, string | number> = {
      name: value("name"),
      email: value("email"),
      message: value("message"),
      website: field(lead, "website")?.value ?? "",
      started_at: Number(started?.value ?? 0),
      locale: document.documentElement.lang,
    };
    const company = value("company");
    if (company) body.company = company;

    const label = button?.textContent ?? "";
    if (button) {
      button.disabled = true;
      button.textContent = msg("sending");
    }
    try {
      const res = await fetch(lead.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
      const json = (await res.json().catch(() => null)) as (ApiError & { id?: string }) | null;
      if (res.status === 201 && json?.id) {
        show("success", `${msg("success")}: ${json.id}`);
        lead.reset();
        if (started) started.value = String(Date.now());
      } else if (res.status === 429) {
        show("error", msg("rateLimited"));
      } else if ((res.status === 400 || res.status === 422) && json?.error) {
        const { code = "", message = "", param } = json.error;
        if (/fast|soon|too_quick|timing|started_at/i.test(`${code} ${param ?? ""}`)) {
          show("error", msg("tooFast"));
        } else {
          show("error", `${msg("invalid")}: ${message}`);
          const bad = param ? field(lead, param) : null;
          // never draw a person's attention to the honeypot
          if (bad && bad.type !== "hidden" && param !== "website") {
            bad.setAttribute("aria-invalid", "true");
            bad.focus();
          }
        }
      } else {
        show("error", msg("failed"));
      }
    } catch {
      show("error", msg("failed"));
    } finally {
      if (button) {
        button.disabled = false;
        button.textContent = label;
      }
    }
  });
}
