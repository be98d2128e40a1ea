// The portfolio claims only what is true: every case shows the status the company has stated,
// no page heads the cases "shipped" or "delivered", and until a case is live its outcome is a goal.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "node-html-parser";
import { describe, expect, it } from "vitest";
import { dist, htmlPages } from "./helpers";

const doc = (path: string) => parse(readFileSync(join(dist, path, "index.html"), "utf8"));
const casesDir = new URL("../src/content/cases/", import.meta.url);
/** `status:` of each case's Markdown, per language: what the content says, which the pages must show. */
function contentStatus(lang: "en" | "ru"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of readdirSync(new URL(`${lang}/`, casesDir))) {
    const md = readFileSync(new URL(`${lang}/${file}`, casesDir), "utf8");
    out[md.match(/^key: (.+)$/m)?.[1] ?? file] = md.match(/^status: (.+)$/m)?.[1] ?? "missing";
  }
  return out;
}

describe("portfolio status", () => {
  it("states the status the company announced for the metro, the service centres, Namba and the courier guarantee", () => {
    for (const lang of ["en", "ru"] as const) {
      expect(contentStatus(lang)).toMatchObject({
        "metro-turnstiles": "rollout",
        "public-service-centres": "development",
        namba: "development",
        "courier-guarantee": "development",
      });
    }
  });

  it("calls no case live: nothing the company has said puts one in production yet", () => {
    for (const lang of ["en", "ru"] as const) expect(Object.values(contentStatus(lang))).not.toContain("live");
  });

  it("shows each case's status on its card and its page, in both languages", () => {
    const labels = {
      en: { rollout: "In rollout", development: "In development", live: "Live" },
      ru: { rollout: "Внедряется", development: "В разработке", live: "Работает" },
    };
    for (const lang of ["en", "ru"] as const) {
      const prefix = lang === "en" ? "/en/" : "/";
      const statuses = contentStatus(lang);
      for (const list of [prefix, `${prefix}portfolio/`, `${prefix}achievements/`]) {
        const cards = doc(list)
          .querySelectorAll(".card-link")
          .filter((c) => c.querySelector(".status"));
        expect(cards.length, list).toBe(Object.keys(statuses).length);
        for (const card of cards) {
          const key =
            card
              .querySelector("a.stretched")
              ?.getAttribute("href")
              ?.match(/portfolio\/([^/]+)\//)?.[1] ?? "";
          const status = card.querySelector(".status");
          expect(status?.getAttribute("data-status"), `${list} ${key}`).toBe(statuses[key]);
          expect(status?.text, `${list} ${key}`).toContain(labels[lang][statuses[key] as "live"]);
        }
      }
      for (const [key, status] of Object.entries(statuses)) {
        const page = doc(`${prefix}portfolio/${key}/`);
        expect(page.querySelector(".page-head .status")?.getAttribute("data-status"), key).toBe(status);
      }
    }
  });

  it("gives Namba's beta date and share done", () => {
    expect(doc("/en/portfolio/namba/").querySelector(".page-head .status")?.text).toMatch(
      /In development · 80 % done · beta on 11 December 2026/,
    );
    expect(doc("/portfolio/namba/").querySelector(".page-head .status")?.text).toMatch(
      /В разработке · готово на 80 % · бета 11 декабря 2026/,
    );
  });

  it("heads a case's outcome as a goal until the case is live", () => {
    for (const [key, status] of Object.entries(contentStatus("en"))) {
      const heading = doc(`/en/portfolio/${key}/`).querySelector("#outcome")?.text;
      expect(heading, key).toBe(status === "live" ? "The outcome" : "The goal");
      expect(doc(`/portfolio/${key}/`).querySelector("#outcome")?.text, key).toBe(status === "live" ? "Результат" : "Цель");
    }
  });

  it("claims nothing shipped, delivered or launched on any page", () => {
    const claims =
      /\bshipped\b|(?:projects?|cases?) (?:we have |Softrack has )?delivered|delivered (?:projects?|cases?)|уже запущено|которые мы запустили|реализованн/i;
    for (const { path, html } of htmlPages()) {
      if (path.startsWith("/console/") || path.startsWith("/developers/") || path.startsWith("/en/developers/")) continue;
      const text = parse(html).querySelector("main")?.text ?? "";
      expect(text.match(claims)?.[0], path).toBeUndefined();
      expect(parse(html).querySelector("title")?.text.match(claims)?.[0], path).toBeUndefined();
    }
  });

  it("keeps unmeasured results out of the cases' problem and outcome", () => {
    for (const lang of ["en", "ru"]) {
      for (const file of readdirSync(new URL(`${lang}/`, casesDir))) {
        const md = readFileSync(new URL(`${lang}/${file}`, casesDir), "utf8");
        // the figure the issue called out, and its Russian twin
        expect(md, file).not.toMatch(/took the club's staff days|отнимала у сотрудников клуба дни/);
        // every per-cent figure a case quotes is one BENCHMARKS.md measured
        const bench = readFileSync(new URL("../../../BENCHMARKS.md", import.meta.url), "utf8");
        for (const m of md.matchAll(/(\d+(?:[.,]\d+)?)\s?%/g)) {
          const n = (m[1] ?? "").replace(",", ".");
          if (n === "80") continue; // Namba's share done: the company's own news, not a measurement
          expect(bench, `${file}: ${m[0]}`).toContain(`${n} %`);
        }
      }
    }
  });
});
