// What the built site promises: every page in both languages, SEO tags that agree with each other,
// nothing inline that the API's CSP would block, OpenGraph cards, figures only from the measurement reports.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "node-html-parser";
import { describe, expect, it } from "vitest";
import { loadBenchmarks } from "../src/lib/benchmarks";
import { loadReference } from "../src/lib/openapi";
import { dist, htmlPages, sitemapPaths } from "./helpers";

const pages = htmlPages();
const site = "https://softrack.kg";
const fileFor = (path: string) => join(dist, path, "index.html");
const doc = (path: string) => parse(readFileSync(fileFor(path), "utf8"));

describe("pages", () => {
  const cases = [
    "astraclub",
    "smartqala-sms",
    "payapp-tax",
    "public-service-centres",
    "metro-turnstiles",
    "bus-transit",
    "namba",
    "courier-guarantee",
  ];
  const required = [
    "",
    "portfolio/",
    "capabilities/",
    "achievements/",
    "team/",
    "developers/",
    "developers/api/",
    "developers/sdk/",
    "developers/widget/",
    "contact/",
    ...cases.map((c) => `portfolio/${c}/`),
  ];

  it("builds every page in Russian at the root and in English under /en/, and the Kyrgyz welcome", () => {
    for (const p of required) {
      expect(existsSync(fileFor(`/${p}`)), `/${p}`).toBe(true);
      expect(existsSync(fileFor(`/en/${p}`)), `/en/${p}`).toBe(true);
    }
    expect(existsSync(fileFor("/ky/"))).toBe(true);
    expect(doc("/").querySelector("html")?.getAttribute("lang")).toBe("ru");
    expect(doc("/en/").querySelector("html")?.getAttribute("lang")).toBe("en");
    expect(doc("/ky/").querySelector("html")?.getAttribute("lang")).toBe("ky");
  });

  it("marks the Russian header and footer of the Kyrgyz welcome as Russian, and only there", () => {
    const ky = doc("/ky/");
    for (const sel of ["a.skip", "header.site-header", "footer.site-footer"]) {
      expect(ky.querySelector(sel)?.getAttribute("lang"), sel).toBe("ru");
      expect(doc("/").querySelector(sel)?.getAttribute("lang"), sel).toBeUndefined();
    }
    expect(ky.querySelector("main")?.getAttribute("lang")).toBeUndefined();
  });

  it("tells each case's problem, what was built and the outcome (or, until it is live, the goal)", () => {
    for (const c of cases) {
      const page = doc(`/en/portfolio/${c}/`);
      const headings = page.querySelectorAll("h2").map((h) => h.text);
      expect(headings, c).toEqual(expect.arrayContaining(["The problem", "What we built"]));
      expect(
        headings.filter((h) => h === "The outcome" || h === "The goal"),
        c,
      ).toHaveLength(1);
      expect(page.querySelectorAll("#built ~ ul li, .ticks li").length, c).toBeGreaterThan(0);
    }
  });

  it("links the home page to talking to us and to starting to build", () => {
    for (const [home, contact, developers] of [
      ["/", "/contact/", "/developers/"],
      ["/en/", "/en/contact/", "/en/developers/"],
    ] as const) {
      const hrefs = doc(home)
        .querySelectorAll(".hero .actions a")
        .map((a) => a.getAttribute("href"));
      expect(hrefs).toEqual([contact, developers]);
    }
  });
});

describe("SEO", () => {
  const listed = sitemapPaths();

  it("lists every indexable page in the sitemap, and nothing that does not exist", () => {
    const indexable = pages.filter((p) => !/name="robots" content="noindex"/.test(p.html) && p.path !== "/404.html").map((p) => p.path);
    expect([...listed].sort()).toEqual([...indexable].sort());
  });

  it("gives every page a title, a description, a canonical URL to itself and reciprocal hreflang links", () => {
    for (const path of listed) {
      const page = doc(path);
      expect(page.querySelector("title")?.text.length, path).toBeGreaterThan(10);
      expect(page.querySelector('meta[name="description"]')?.getAttribute("content")?.length, path).toBeGreaterThan(50);
      expect(page.querySelector('link[rel="canonical"]')?.getAttribute("href"), path).toBe(site + path);
      const alternates = page.querySelectorAll('link[rel="alternate"][hreflang]');
      const self = alternates.find((a) => a.getAttribute("href") === site + path);
      expect(self, `${path} lists itself among its alternates`).toBeDefined();
      for (const a of alternates) {
        const other = new URL(a.getAttribute("href") ?? "").pathname;
        const back = doc(other)
          .querySelectorAll('link[rel="alternate"][hreflang]')
          .map((x) => x.getAttribute("href"));
        expect(back, `${other} links back to ${path}`).toContain(site + path);
      }
    }
  });

  it("serves robots.txt pointing at the sitemap", () => {
    const robots = readFileSync(join(dist, "robots.txt"), "utf8");
    expect(robots).toMatch(/^User-agent: \*/m);
    expect(robots).toContain(`Sitemap: ${site}/sitemap.xml`);
  });

  it("gives every page an OpenGraph card that exists as a 1200×630 PNG", () => {
    for (const path of listed) {
      const og = doc(path).querySelector('meta[property="og:image"]')?.getAttribute("content") ?? "";
      expect(og.startsWith(`${site}/og/`), path).toBe(true);
      const png = readFileSync(join(dist, new URL(og).pathname));
      expect(png.subarray(1, 4).toString(), og).toBe("PNG");
      expect([png.readUInt32BE(16), png.readUInt32BE(20)], og).toEqual([1200, 630]);
    }
  });
});

describe("strict CSP (the API serves the site with script-src 'self'; style-src 'self')", () => {
  it("has no inline script, inline style element or style attribute on any page", () => {
    for (const { path, html } of pages) {
      const page = parse(html);
      for (const s of page.querySelectorAll("script")) expect(s.getAttribute("src"), `${path} inline script`).toBeTruthy();
      expect(page.querySelectorAll("style").length, `${path} <style>`).toBe(0);
      expect(page.querySelectorAll("[style]").length, `${path} style=""`).toBe(0);
      expect(html, `${path} inline handler`).not.toMatch(/\son(click|load|submit|error)=/i);
    }
  });

  it("ships only the shared site script (menu, language choice) on pages that need no other", () => {
    const shared = new Set<string>();
    for (const { path, html } of pages) {
      if (/\/contact\/$/.test(path) || path === "/console/") continue;
      const srcs = parse(html)
        .querySelectorAll("script")
        .map((s) => s.getAttribute("src") ?? "");
      expect(srcs.length, path).toBe(1);
      shared.add(srcs[0] ?? "");
    }
    expect(shared.size).toBe(1);
  });
});

describe("figures", () => {
  it("shows the same measured figures on the achievements page and the home page (test/numbers.test.ts checks their sources)", () => {
    for (const lang of ["", "en/"]) {
      const figures = (path: string, id: string) =>
        doc(path)
          .querySelectorAll(`[data-testid="${id}"] .stat`)
          .map((s) => `${s.getAttribute("data-figure")}=${s.querySelector("dd")?.text.trim()}`);
      const home = figures(`/${lang}`, "numbers");
      expect(home.length).toBeGreaterThan(0);
      expect(figures(`/${lang}achievements/`, "key-figures")).toEqual(home);
    }
    const bench = loadBenchmarks();
    expect(bench.found).toBe(true);
    for (const path of ["/achievements/", "/en/achievements/"]) {
      expect(doc(path).querySelector('[data-testid="bench-missing"]'), path).toBeNull();
      expect(doc(path).querySelectorAll("table").length).toBe(bench.tables.length);
    }
  });
});

describe("API reference", () => {
  it("renders every operation of the API's OpenAPI document, or says it is not built", () => {
    const ref = loadReference();
    for (const path of ["/developers/api/", "/en/developers/api/"]) {
      const page = doc(path);
      if (!ref) {
        expect(page.querySelector('[data-testid="reference-missing"]'), path).not.toBeNull();
        continue;
      }
      expect(page.querySelector('[data-testid="reference-missing"]')).toBeNull();
      const ops = page.querySelectorAll(".op h3").map((h) => h.text.replace(/\s+/g, " "));
      const expected = ref.groups.flatMap((g) => g.operations.map((o) => `${o.method} ${o.path}`));
      expect(ops.length).toBe(ref.count);
      for (const e of expected)
        expect(
          ops.some((o) => o.startsWith(e)),
          e,
        ).toBe(true);
    }
  });
});

describe("contact form", () => {
  it("posts to /v1/leads with the fields the API expects, a honeypot and the render time", () => {
    for (const path of ["/contact/", "/en/contact/"]) {
      const form = doc(path).querySelector("form[data-lead-form]");
      expect(form?.getAttribute("action")).toBe("/v1/leads");
      expect(form?.getAttribute("method")).toBe("post");
      const names = form?.querySelectorAll("input, textarea").map((i) => i.getAttribute("name"));
      expect(names).toEqual(["name", "email", "company", "message", "website", "started_at"]);
      for (const id of ["lead-name", "lead-email", "lead-company", "lead-message"]) {
        expect(form?.querySelector(`label[for="${id}"]`), `${path} ${id} label`).not.toBeNull();
      }
      expect(form?.querySelector('[role="status"][aria-live="polite"]')).not.toBeNull();
    }
  });
});
