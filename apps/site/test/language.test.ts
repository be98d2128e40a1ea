// `/` in the reader's language: the real API serves the built site, picks the page from
// Accept-Language without a redirect, and honours the choice the language switcher remembers.
import { startApi, type TestApi } from "@softrack/api/testing";
import { launchBrowser } from "@softrack/testing";
import type { Browser } from "playwright-core";
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

async function home(headers: Record<string, string>) {
  const res = await fetch(`${api.url}/`, { headers, redirect: "manual" });
  const html = await res.text();
  return { res, lang: html.match(/<html lang="([^"]+)"/)?.[1] };
}

describe("language of /", () => {
  it("answers an English browser in English, at / itself, and says it varies", async () => {
    const { res, lang } = await home({ "Accept-Language": "en-US,en;q=0.9" });
    expect(res.status).toBe(200);
    expect(lang).toBe("en");
    expect(res.headers.get("content-language")).toBe("en");
    expect(res.headers.get("vary")).toMatch(/Accept-Language/);
    expect(res.headers.get("vary")).toMatch(/Cookie/);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("answers a Russian browser in Russian, and a crawler without the header with the x-default page", async () => {
    expect((await home({ "Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8" })).lang).toBe("ru");
    expect((await home({})).lang).toBe("ru");
  });

  it("honours the remembered choice over the header", async () => {
    expect((await home({ "Accept-Language": "en-US", Cookie: "softrack_lang=ru" })).lang).toBe("ru");
    expect((await home({ "Accept-Language": "ru-RU", Cookie: "softrack_lang=en" })).lang).toBe("en");
    expect((await home({ "Accept-Language": "en-US", Cookie: "softrack_lang=ky" })).lang).toBe("ky");
    expect((await home({ "Accept-Language": "en-US", Cookie: "softrack_lang=xx" })).lang).toBe("en");
  });

  it("leaves every other page where it is: /en/ is English and /portfolio/ Russian for anyone", async () => {
    const en = await fetch(`${api.url}/en/`, { headers: { "Accept-Language": "ru" } });
    expect(await en.text()).toMatch(/<html lang="en"/);
    const ru = await fetch(`${api.url}/portfolio/`, { headers: { "Accept-Language": "en" } });
    expect(await ru.text()).toMatch(/<html lang="ru"/);
  });

  it("in a browser: English for an English browser, and the switcher's choice remembered for the next visit", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));

    const first = await page.goto(`${api.url}/`);
    expect(first?.request().redirectedFrom()).toBeNull();
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(new URL(page.url()).pathname).toBe("/");

    // the reader picks Russian: the switcher links to / and remembers the choice
    await Promise.all([page.waitForURL(`${api.url}/`), page.getByRole("link", { name: "Русский" }).click()]);
    expect(await page.getAttribute("html", "lang")).toBe("ru");
    expect((await context.cookies()).find((c) => c.name === "softrack_lang")?.value).toBe("ru");

    // a later visit to / in the same English browser stays Russian
    await page.goto(`${api.url}/en/team/`);
    await page.goto(`${api.url}/`);
    expect(await page.getAttribute("html", "lang")).toBe("ru");

    // and back to English from any page
    await page.goto(`${api.url}/portfolio/`);
    await Promise.all([page.waitForURL(`${api.url}/en/portfolio/`), page.getByRole("link", { name: "English" }).click()]);
    await page.goto(`${api.url}/`);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(problems).toEqual([]);
    await context.close();
  });
});
