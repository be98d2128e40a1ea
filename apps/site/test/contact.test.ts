// The contact form in real Chromium against the real API (embedded database): a lead is stored
// and the visitor sees its reference; a bot that fills the honeypot or submits instantly is
// refused, told so, and nothing is stored. The API serves the built site (apps/site/dist) itself,
// with its strict CSP, exactly as `npm start` does.
import { startApi, type TestApi } from "@softrack/api/testing";
import { launchBrowser } from "@softrack/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let api: TestApi;
let browser: Browser;

beforeAll(async () => {
  api = await startApi();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function storedLeads(email: string) {
  return api.runtime.database.db.query.leads.findMany({ where: (l, { eq }) => eq(l.email, email) });
}

async function openForm(path: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    // a refused submission is logged by Chromium as a failed resource; CSP or script errors are not allowed
    if (m.type() === "error" && !/status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  const response = await page.goto(api.url + path, { waitUntil: "load" });
  expect(response?.status(), `${path} served by the API`).toBe(200);
  expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
  return { page, problems };
}

async function fill(page: Page, email: string) {
  await page.getByLabel("Your name").fill("Aida Bekova");
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Company (optional)").fill("Bishkek Bus Co");
  await page.getByLabel("What do you want to build?").fill("Fares on 40 buses with offline validators.");
}

/** The API refuses forms sent within 3 s of rendering; wait like a person would. */
async function waitLikeAPerson(page: Page) {
  await page.waitForFunction(
    () => {
      const started = Number((document.querySelector('input[name="started_at"]') as HTMLInputElement).value);
      return started > 0 && Date.now() - started > 3500;
    },
    undefined,
    { timeout: 10_000, polling: 250 },
  );
}

describe("contact form against the real API", () => {
  it("stores a lead and shows its reference", async () => {
    const email = "aida@example.kg";
    const { page, problems } = await openForm("/en/contact/");
    await fill(page, email);
    await waitLikeAPerson(page);
    await page.getByRole("button", { name: "Send message" }).click();
    const result = page.locator("[data-result]");
    await expect.poll(() => result.getAttribute("data-kind"), { timeout: 10_000 }).toBe("success");
    const text = (await result.textContent()) ?? "";
    const id = text.match(/lead_[A-Za-z0-9]+/)?.[0];
    expect(id, text).toBeDefined();

    const rows = await storedLeads(email);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id,
      name: "Aida Bekova",
      email,
      company: "Bishkek Bus Co",
      message: "Fares on 40 buses with offline validators.",
    });
    // the form is cleared for a next message
    expect(await page.getByLabel("Work email").inputValue()).toBe("");
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("refuses a bot that fills the hidden honeypot field, says so, and stores nothing", async () => {
    const email = "bot-honeypot@example.kg";
    const { page } = await openForm("/en/contact/");
    await fill(page, email);
    await page.locator('input[name="website"]').fill("https://spam.example", { force: true });
    await waitLikeAPerson(page);
    await page.getByRole("button", { name: "Send message" }).click();
    const result = page.locator("[data-result]");
    await expect.poll(() => result.getAttribute("data-kind"), { timeout: 10_000 }).toBe("error");
    expect(await result.textContent()).not.toMatch(/lead_/);
    expect(await storedLeads(email)).toHaveLength(0);
    await page.context().close();
  });

  it("refuses a form sent faster than a person can type, says so in Russian, and stores nothing", async () => {
    const email = "bot-fast@example.kg";
    const { page } = await openForm("/contact/");
    await page.getByLabel("Ваше имя").fill("Бот");
    await page.getByLabel("Рабочая почта").fill(email);
    await page.getByLabel("Что вы хотите построить?").fill("Быстро.");
    await page.getByRole("button", { name: "Отправить" }).click();
    const result = page.locator("[data-result]");
    await expect.poll(() => result.getAttribute("data-kind"), { timeout: 10_000 }).toBe("error");
    expect(await result.textContent()).toMatch(/Слишком быстро/);
    expect(await storedLeads(email)).toHaveLength(0);
    await page.context().close();
  });

  it("tells the visitor to wait when the API rate-limits their address, and stores nothing", async () => {
    const email = "rate-limited@example.kg";
    // use up this address's allowance with empty bodies until the API answers 429
    let status = 0;
    for (let i = 0; i < 50 && status !== 429; i++) {
      const res = await fetch(`${api.url}/v1/leads`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      status = res.status;
    }
    expect(status).toBe(429);
    const { page } = await openForm("/en/contact/");
    await fill(page, email);
    await waitLikeAPerson(page);
    await page.getByRole("button", { name: "Send message" }).click();
    const result = page.locator("[data-result]");
    await expect.poll(() => result.getAttribute("data-kind"), { timeout: 10_000 }).toBe("error");
    expect(await result.textContent()).toMatch(/Too many messages/);
    expect(await storedLeads(email)).toHaveLength(0);
    await page.context().close();
  });
});
